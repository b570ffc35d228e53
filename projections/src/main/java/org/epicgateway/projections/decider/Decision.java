package org.epicgateway.projections.decider;

import java.util.List;
import java.util.Map;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.CommandResult;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.Rejection;

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
        .build();
  }
}
