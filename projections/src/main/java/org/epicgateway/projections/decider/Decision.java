package org.epicgateway.projections.decider;

import java.util.List;
import java.util.Map;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.CommandResult;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.Rejection;
import org.epicgateway.schemas.avro.RejectionCode;

/**
 * The outcome of one command: either the events to append (with the states they fold to, so the caller stores
 * exactly fold(events)) or a rejection and nothing else.
 *
 * @param events in append order; empty when rejected
 * @param states the new state of every aggregate an event touched, keyed by aggregate id
 * @param rejection null when accepted
 */
public record Decision(List<EventEnvelope> events, Map<String, AggregateState> states, Rejection rejection) {

  public Decision {
    events = List.copyOf(events);
    states = Map.copyOf(states);
  }

  static Decision rejected(Rejection rejection) {
    return new Decision(List.of(), Map.of(), rejection);
  }

  public boolean accepted() {
    return rejection == null;
  }

  /** The reply for epic.command-results: the target aggregate's new version and the appended event ids. */
  public CommandResult result(CommandEnvelope command) {
    AggregateState target = states.get(command.getTargetAggregateId());
    return CommandResult.newBuilder()
        .setCommandId(command.getCommandId())
        .setAccepted(accepted())
        .setAggregateId(command.getTargetAggregateId())
        .setVersion(target == null ? null : target.getVersion())
        .setEventIds(events.stream().map(EventEnvelope::getEventId).toList())
        .setRejection(rejection)
        .setRequestHash(command.getRequestHash())
        .build();
  }

  /**
   * The answer to a command whose id was already decided: the stored result when it is a retry of the same request
   * (or carries no request hash), else a VALIDATION rejection, stored nowhere, since an idempotency key was reused
   * for a different request and answering it with the first result would silently do nothing.
   */
  public static CommandResult retry(CommandResult earlier, String requestHash) {
    if (requestHash == null || requestHash.equals(earlier.getRequestHash())) {
      return earlier;
    }
    return CommandResult.newBuilder()
        .setCommandId(earlier.getCommandId())
        .setAccepted(false)
        .setAggregateId(earlier.getAggregateId())
        .setRejection(new Rejection(RejectionCode.VALIDATION, "this Idempotency-Key was already used for a different"
            + " request (another body or parameters); use a new key for a new request", "Idempotency-Key"))
        .setRequestHash(requestHash)
        .build();
  }
}
