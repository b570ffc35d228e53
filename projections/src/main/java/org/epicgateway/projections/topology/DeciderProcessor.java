package org.epicgateway.projections.topology;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.epicgateway.projections.decider.Decider;
import org.epicgateway.projections.decider.Decision;
import org.epicgateway.projections.streams.DeadLetters;
import org.epicgateway.projections.streams.OutputRefused;
import org.epicgateway.projections.streams.RecordLimit;
import org.epicgateway.projections.viewtopology.GatewayViewTopology;
import org.epicgateway.schemas.EventSeals;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.CommandResult;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.Rejection;
import org.epicgateway.schemas.avro.RejectionCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wiring only: decides each command against the store, stores the folded states, and forwards the events and the
 * command result (gateway views are a projection of epic.events of their own, see viewtopology). Everything it
 * forwards for one command is committed in one exactly-once transaction together with the store's changelog, so a
 * crash never leaves half a decision.
 * A command id that was already decided (a client's retry) gets the stored result again and appends nothing (or, for
 * the same id with another request hash, a rejection: {@link Decision#retry}), for the retention window; after it
 * the id is forgotten and a command with it is decided again.
 * Every record is checked against {@link RecordLimit} before anything is written: a command that fails to decide,
 * or whose records are too large or cannot be encoded, is rejected, goes to epic.dlq with the reason and changes
 * nothing, so it cannot stop the decider.
 */
final class DeciderProcessor implements Processor<String, CommandEnvelope, String, SpecificRecord> {

  private static final Logger LOG = LoggerFactory.getLogger(DeciderProcessor.class);
  /** Expired ids removed per punctuation at most, so a backlog never holds the decider up for long. */
  static final int EXPIRE_BATCH = 10_000;

  private final Duration decidedRetention;
  private ProcessorContext<String, SpecificRecord> context;
  private KeyValueStore<String, AggregateState> store;
  private KeyValueStore<String, CommandResult> decided;
  private KeyValueStore<String, String> decidedByTime;
  private StoreLookup lookup;
  private final EventSeals seals;

  /** @param seals the audit chain key events are sealed with (null: unsealed, for topology tests) */
  DeciderProcessor(Duration decidedRetention, EventSeals seals) {
    this.decidedRetention = decidedRetention;
    this.seals = seals;
  }


  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    this.store = context.getStateStore(DeciderTopology.STORE);
    this.lookup = new StoreLookup(store);
    this.decided = context.getStateStore(DeciderTopology.DECIDED);
    this.decidedByTime = context.getStateStore(DeciderTopology.DECIDED_BY_TIME);
    // Wall-clock: ids expire while no commands arrive too. Deletes are part of the next commit's transaction.
    Duration every = Duration.ofMillis(Math.clamp(decidedRetention.toMillis() / 10, 100, 60_000));
    context.schedule(every, PunctuationType.WALL_CLOCK_TIME, this::expireDecided);
  }

  /** Forgets command ids decided before the retention window, oldest first, at most {@link #EXPIRE_BATCH}. */
  private void expireDecided(long now) {
    List<String> expired = new ArrayList<>();
    String before = byTime(now - decidedRetention.toMillis(), "");
    try (KeyValueIterator<String, String> old = decidedByTime.range(null, before)) {
      while (old.hasNext() && expired.size() < EXPIRE_BATCH) {
        expired.add(old.next().key);
      }
    }
    for (String key : expired) {
      decidedByTime.delete(key);
      decided.delete(key.substring(key.indexOf('/') + 1));
    }
  }

  /** Keeps the result for retries until the retention window has passed. */
  private void remember(String commandId, CommandResult result) {
    decided.put(commandId, result);
    decidedByTime.put(byTime(context.currentSystemTimeMs(), commandId), "");
  }

  private static String byTime(long epochMillis, String commandId) {
    return String.format("%020d/%s", Math.max(0, epochMillis), commandId);
  }

  @Override
  public void process(Record<String, CommandEnvelope> record) {
    CommandEnvelope command = record.value();
    if (command == null) {
      // A tombstone carries no command id, so there is nobody to answer.
      LOG.warn("ignoring a null command with key {}", record.key());
      return;
    }
    CommandResult earlier = decided.get(command.getCommandId());
    if (earlier != null) {
      context.forward(record.withKey(command.getCommandId()).withValue(Decision.retry(earlier, command.getRequestHash())),
          DeciderTopology.RESULTS_SINK);
      return;
    }
    Decision decision;
    try {
      decision = Decider.decide(command, lookup, seals);
      check(command, decision);
    } catch (OutputRefused e) {
      refuse(record, e.code(), e.getMessage() + "; the command changed nothing", e);
      return;
    } catch (RuntimeException e) {
      refuse(record, RejectionCode.UNPROCESSABLE, "the decider failed on this command (" + e
          + "); the command changed nothing", e);
      return;
    }
    decision.states().forEach(store::put);
    for (EventEnvelope event : decision.events()) {
      // The record time is the event's own (capped at when the command was sent, which the broker accepted), so
      // Kafka's time index finds where an audit query by event time starts (offsetsForTimes).
      long time = Math.min(record.timestamp(), event.getTimestamp().toEpochMilli());
      context.forward(record.withKey(event.getAggregateId()).withValue(event).withTimestamp(time),
          DeciderTopology.EVENTS_SINK);
    }
    CommandResult result = decision.result(command);
    remember(command.getCommandId(), result);
    context.forward(record.withKey(command.getCommandId()).withValue(result), DeciderTopology.RESULTS_SINK);
  }

  /** Every record the decision would write, before any is written. */
  private static void check(CommandEnvelope command, Decision decision) throws OutputRefused {
    for (EventEnvelope event : decision.events()) {
      RecordLimit.check("the event " + event.getPayload().getClass().getSimpleName(), event.getAggregateId(), event);
    }
    for (Map.Entry<String, AggregateState> e : decision.states().entrySet()) {
      RecordLimit.check("the new state of " + e.getKey(), e.getKey(), e.getValue());
    }
    RecordLimit.check("the command result", command.getCommandId(), decision.result(command));
  }

  /** Answers the command with a rejection and puts it in epic.dlq with the reason; the stores keep their states. */
  private void refuse(Record<String, CommandEnvelope> record, RejectionCode code, String reason, Exception cause) {
    CommandEnvelope command = record.value();
    String message = DeadLetters.cut(reason);
    LOG.warn("rejected command {} ({}): {}", command.getCommandId(), code, message, cause);
    context.forward(record.withHeaders(DeadLetters.headers(record.headers(), context, code.name(), cause, message)
            .add(GatewayViewTopology.COMMAND_ID_HEADER, command.getCommandId().getBytes(StandardCharsets.UTF_8))),
        DeciderTopology.DLQ_SINK);
    CommandResult result = CommandResult.newBuilder()
        .setCommandId(command.getCommandId())
        .setAccepted(false)
        .setAggregateId(command.getTargetAggregateId())
        .setRejection(Rejection.newBuilder().setCode(code).setMessage(message).build())
        .build();
    // Ids too long to answer under have nobody waiting on them (the API never makes such ids): epic.dlq is enough.
    if (RecordLimit.fits(command.getCommandId(), result)) {
      remember(command.getCommandId(), result);
      context.forward(record.withKey(command.getCommandId()).withValue(result), DeciderTopology.RESULTS_SINK);
    }
  }
}
