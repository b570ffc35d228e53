package org.epicgateway.projections.topology;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
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
  /**
   * Decided ids a sweep looks at, at least, every {@link #SWEEP_EVERY} (a few milliseconds of the decider's thread).
   * A larger store gets larger batches, so the sweep goes round it {@link #SWEEP_ROUNDS_PER_WINDOW} times per
   * retention window whatever the command rate: a fixed batch falls behind once commands arrive faster than it
   * forgets them, and the store then grows without bound.
   */
  static final int SWEEP_BATCH = 1_000;
  static final Duration SWEEP_EVERY = Duration.ofMillis(200);
  static final int SWEEP_ROUNDS_PER_WINDOW = 4;

  private final Duration decidedRetention;
  private ProcessorContext<String, SpecificRecord> context;
  private KeyValueStore<String, AggregateState> store;
  private TimestampedKeyValueStore<String, byte[]> decided;
  private final Serde<CommandResult> results;
  /** Where the next sweep goes on in id order; null: from the first id. */
  private String sweepFrom;
  private StoreLookup lookup;
  private final EventSeals seals;

  /**
   * @param seals the audit chain key events are sealed with (null: unsealed, for topology tests)
   * @param results how results are kept in the decided store ({@link DeciderTopology#DECIDED})
   */
  DeciderProcessor(Duration decidedRetention, EventSeals seals, Serde<CommandResult> results) {
    this.decidedRetention = decidedRetention;
    this.seals = seals;
    this.results = results;
  }


  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    this.store = context.getStateStore(DeciderTopology.STORE);
    this.lookup = new StoreLookup(store);
    this.decided = context.getStateStore(DeciderTopology.DECIDED);
    // Wall-clock: ids expire while no commands arrive too. Deletes are part of the next commit's transaction.
    context.schedule(SWEEP_EVERY, PunctuationType.WALL_CLOCK_TIME, this::sweepDecided);
  }

  /**
   * Forgets the ids decided before the retention window among the next {@link #SWEEP_BATCH} in id order, going round
   * the store. The time is kept with each result, so no index by time has to be written and restored beside it (a
   * second changelog with as many records as this one, which every restart after kill -9 read again). An id whose
   * time is unknown (kept by a version before the times, in a store that was not restored since) gets the whole
   * window from now.
   */
  private void sweepDecided(long now) {
    long oldest = now - decidedRetention.toMillis();
    List<String> expired = new ArrayList<>();
    List<KeyValue<String, byte[]>> undated = new ArrayList<>();
    String next = null;
    long batch = sweepBatch(decided.approximateNumEntries(), decidedRetention);
    try (KeyValueIterator<String, ValueAndTimestamp<byte[]>> ids = decided.range(sweepFrom, null)) {
      for (long seen = 0; ids.hasNext(); seen++) {
        KeyValue<String, ValueAndTimestamp<byte[]>> id = ids.next();
        if (seen == batch) {
          next = id.key;
          break;
        }
        if (id.value.timestamp() < 0) {
          undated.add(KeyValue.pair(id.key, id.value.value()));
        } else if (id.value.timestamp() < oldest) {
          expired.add(id.key);
        }
      }
    }
    expired.forEach(decided::delete);
    undated.forEach(id -> decided.put(id.key, ValueAndTimestamp.make(id.value, now)));
    sweepFrom = next;
  }

  /** How many ids one sweep looks at so {@code entries} ids are gone round {@link #SWEEP_ROUNDS_PER_WINDOW} times. */
  static long sweepBatch(long entries, Duration retention) {
    long sweepsPerRound = Math.max(1, retention.toMillis() / SWEEP_ROUNDS_PER_WINDOW / SWEEP_EVERY.toMillis());
    return Math.max(SWEEP_BATCH, -Math.floorDiv(-entries, sweepsPerRound));
  }

  /** Keeps the result for retries until the retention window has passed. */
  private void remember(String commandId, CommandResult result) {
    decided.put(commandId, ValueAndTimestamp.make(results.serializer().serialize(DeciderTopology.DECIDED_CHANGELOG,
        result), context.currentSystemTimeMs()));
  }

  @Override
  public void process(Record<String, CommandEnvelope> record) {
    CommandEnvelope command = record.value();
    if (command == null) {
      // A tombstone carries no command id, so there is nobody to answer.
      LOG.warn("ignoring a null command with key {}", record.key());
      return;
    }
    ValueAndTimestamp<byte[]> earlier = decided.get(command.getCommandId());
    if (earlier != null) {
      CommandResult first = results.deserializer().deserialize(DeciderTopology.DECIDED_CHANGELOG, earlier.value());
      context.forward(record.withKey(command.getCommandId()).withValue(Decision.retry(first, command.getRequestHash())),
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
