package org.epicgateway.projections.viewtopology;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.epicgateway.projections.streams.DeadLetters;
import org.epicgateway.projections.streams.OutputRefused;
import org.epicgateway.projections.streams.RecordLimit;
import org.epicgateway.projections.view.GatewayViews;
import org.epicgateway.projections.view.ViewStore;
import org.epicgateway.schemas.EventHashes;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.RejectionCode;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.epicgateway.schemas.serde.WireFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wiring only: folds each event into the stores through {@link GatewayViews} and marks the gateways it affects as
 * pending, with the id of the command that caused it; a wall-clock punctuation then builds each pending gateway's view
 * once and forwards it with the ids of every command it covers (one {@code epic.command-id} header each). The event
 * arrives as its stored bytes so the fold chains by the hash of what was written, whatever schema reads it now.
 *
 * <p>Why coalesce: building a view reads the whole gateway (every route, Service, slice and node state), so building
 * it per event made a 1,000-endpoint gateway drain ~57 slice events/s (docs/benchmarks.md). Pending marks live in a
 * changelogged store, so under exactly-once they commit with the folds and the input offsets: a crash between fold
 * and build loses nothing, the restored marks are built after the restart.
 *
 * <p>When to build: at once when the thread has been idle, so a lone change waits for nothing; after builds that took
 * d ms, the next ones wait until d ms have passed since they ended, so builds take at most about half the thread and
 * every event folded meanwhile joins them. Not a fixed short interval: Streams halves its per-iteration record batch
 * after every punctuation, so a punctuator that built whenever it fired would build after nearly every record under
 * load. The punctuation is scheduled only while something is pending, since each one makes the task commit a
 * transaction.
 *
 * <p>A view above {@link RecordLimit}, or one whose build fails, is not written: a record goes to epic.dlq instead,
 * keyed by the gateway, without a value (what failed is the view, which covers a batch of events; the events are on
 * epic.events), with the reason and every command id it covered.
 *
 * <p>A change that a shared gateway of another account needs goes to that account's partition through
 * epic.gateway-view-shares, which this processor reads too and folds with {@link GatewayViews#applyShared}; its
 * gateways are marked like an event's.
 */
final class GatewayViewProcessor implements Processor<String, byte[], String, Object> {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayViewProcessor.class);
  /**
   * Command ids one view carries at most: a gateway with this many pending is built at once, which keeps the headers
   * and the id lists of the Envoy records small (a build per 100 events costs little).
   */
  static final int MAX_COMMAND_IDS = 100;

  private final AvroDeserializer<EventEnvelope> events;
  private final AvroDeserializer<AggregateState> shared;
  private ProcessorContext<String, Object> context;
  private ViewStore store;
  private KeyValueStore<String, AggregateState> states;
  private Map<ViewStore.Index, KeyValueStore<String, String>> indexes;
  private KeyValueStore<String, List<String>> pending;
  private boolean indexesComplete;
  /** The scheduled build of the pending views, null while none is pending. */
  private Cancellable build;
  /** Wall-clock time (Streams' clock) before which the next builds wait. */
  private long buildNotBefore;

  GatewayViewProcessor(AvroDeserializer<EventEnvelope> events, AvroDeserializer<AggregateState> shared) {
    this.events = events;
    this.shared = shared;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.indexes = new EnumMap<>(ViewStore.Index.class);
    GatewayViewTopology.INDEX_STORES.forEach((index, name) -> indexes.put(index, context.getStateStore(name)));
    this.states = context.getStateStore(GatewayViewTopology.STATES);
    this.store = new StoreViewStore(states, indexes);
    this.pending = context.getStateStore(GatewayViewTopology.PENDING);
    this.build = null;
    try (KeyValueIterator<String, List<String>> restored = pending.all()) {
      if (restored.hasNext()) {
        scheduleBuild(); // marks folded before a crash or a move of the task
      }
    }
  }

  /**
   * An index added by an upgrade starts empty while the states it indexes are restored from before: its entries would
   * come only with each aggregate's next event, so a change looked up through it (a namespace relabelled, a
   * certificate stored) would miss the older aggregates. Once per task, before its first event or build, an index
   * without {@link StoreViewStore#COMPLETE} is filled from the stored states and marked. Done then rather than in
   * init, where the stores have no record context to log the writes with.
   */
  private void completeIndexes() {
    List<KeyValueStore<String, String>> incomplete = indexes.values().stream()
        .filter(index -> index.get(StoreViewStore.COMPLETE) == null).toList();
    if (!incomplete.isEmpty()) {
      int count = 0;
      try (KeyValueIterator<String, AggregateState> all = states.all()) {
        while (all.hasNext()) {
          GatewayViews.reindex(store, all.next().value);
          count++;
        }
      }
      incomplete.forEach(index -> index.put(StoreViewStore.COMPLETE, StoreViewStore.COMPLETE));
      LOG.info("gateway view projection: {} indexes filled from {} stored states of task {}", incomplete.size(), count,
          context.taskId());
    }
    indexesComplete = true;
  }

  @Override
  public void process(Record<String, byte[]> record) {
    byte[] stored = record.value();
    if (stored == null) {
      return; // the decider never writes a tombstone to epic.events; nothing to fold
    }
    if (!indexesComplete) {
      completeIndexes();
    }
    Set<String> affected;
    String commandId;
    if (context.recordMetadata().map(m -> m.topic().equals(Topics.GATEWAY_VIEW_SHARES)).orElse(false)) {
      affected = GatewayViews.applyShared(store, shared.deserialize(Topics.GATEWAY_VIEW_SHARES, stored));
      commandId = new String(record.headers().lastHeader(GatewayViewTopology.COMMAND_ID_HEADER).value(),
          StandardCharsets.UTF_8);
    } else {
      EventEnvelope event = events.deserialize(Topics.EVENTS, stored);
      byte[] hash = EventHashes.hashOfDatum(stored, WireFormat.HEADER_LENGTH,
          stored.length - WireFormat.HEADER_LENGTH);
      affected = GatewayViews.apply(store, event, hash);
      commandId = event.getCorrelationId();
      share(event.getAggregateId(), affected, commandId, record.timestamp());
    }
    boolean marked = false;
    for (String gatewayId : affected) {
      List<String> ids = pending.get(gatewayId);
      ids = ids == null ? new ArrayList<>() : new ArrayList<>(ids);
      if (!ids.contains(commandId)) {
        ids.add(commandId);
      }
      if (ids.size() >= MAX_COMMAND_IDS) {
        build(gatewayId, ids, context.currentSystemTimeMs());
      } else {
        pending.put(gatewayId, ids);
        marked = true;
      }
    }
    if (marked && build == null) {
      scheduleBuild();
    }
  }

  /** Sends the partitions of other accounts' shared gateways what their views need of this change. */
  private void share(String aggregateId, Set<String> affected, String commandId, long timestamp) {
    GatewayViews.forOtherAccounts(store, aggregateId, affected).forEach((owner, states) -> states.forEach(state ->
        context.forward(new Record<>(owner + GatewayViewTopology.SHARE_KEY_SEPARATOR + state.getAggregateId(), state,
            timestamp, new RecordHeaders().add(GatewayViewTopology.COMMAND_ID_HEADER,
                commandId.getBytes(StandardCharsets.UTF_8))), GatewayViewTopology.SHARES_SINK)));
  }

  private void scheduleBuild() {
    build = context.schedule(Instant.ofEpochMilli(Math.max(context.currentSystemTimeMs(), buildNotBefore)),
        Duration.ofMillis(1), PunctuationType.WALL_CLOCK_TIME, this::buildPending);
  }

  /** Builds every pending view, in gateway id order, and waits before the next builds as long as these took. */
  private void buildPending(long now) {
    build.cancel();
    build = null;
    if (!indexesComplete) {
      completeIndexes();
    }
    long started = System.nanoTime();
    List<KeyValue<String, List<String>>> due = new ArrayList<>();
    try (KeyValueIterator<String, List<String>> all = pending.all()) {
      all.forEachRemaining(due::add);
    }
    due.forEach(g -> build(g.key, g.value, now));
    buildNotBefore = now + 2 * Duration.ofNanos(System.nanoTime() - started).toMillis();
  }

  /**
   * Forwards the view of one gateway (or its tombstone) with the commands it covers, and clears its mark. A view that
   * cannot be built or written is dead-lettered instead: there is no input record the task could skip, so an exception
   * here would fail the same build after every restart.
   */
  private void build(String gatewayId, List<String> commandIds, long timestamp) {
    pending.delete(gatewayId);
    Headers ids = new RecordHeaders();
    commandIds.forEach(id -> ids.add(GatewayViewTopology.COMMAND_ID_HEADER, id.getBytes(StandardCharsets.UTF_8)));
    List<GatewayViews.ViewChange> changes;
    try {
      changes = GatewayViews.changes(store, Set.of(gatewayId));
      for (GatewayViews.ViewChange change : changes) {
        RecordLimit.check("the gateway view of " + gatewayId, gatewayId, change.view());
      }
    } catch (OutputRefused e) {
      refuse(gatewayId, commandIds, ids, timestamp, e.code(), e.getMessage(), e);
      return;
    } catch (RuntimeException e) {
      refuse(gatewayId, commandIds, ids, timestamp, RejectionCode.UNPROCESSABLE,
          "the gateway view of " + gatewayId + " could not be built (" + e + ")", e);
      return;
    }
    changes.forEach(change -> context.forward(new Record<>(gatewayId, change.view(), timestamp, ids),
        GatewayViewTopology.SINK));
  }

  /** The events are decided; the gateway keeps its last view until one can be written again. */
  private void refuse(String gatewayId, List<String> commandIds, Headers ids, long timestamp, RejectionCode code,
                      String why, Exception cause) {
    String reason = why + "; " + gatewayId + " keeps its last view";
    LOG.error("gateway view projection: {} (commands {})", reason, commandIds, cause);
    context.forward(new Record<>(gatewayId, null, timestamp, DeadLetters.headers(ids, code.name(), cause, reason)),
        GatewayViewTopology.DLQ_SINK);
  }
}
