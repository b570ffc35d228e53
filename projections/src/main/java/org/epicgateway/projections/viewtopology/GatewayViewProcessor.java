package org.epicgateway.projections.viewtopology;

import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.header.internals.RecordHeaders;
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
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.epicgateway.schemas.serde.WireFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wiring only: folds each event into the stores through {@link GatewayViews} and forwards the affected gateways'
 * views, each with the id of the command that caused it. The event arrives as its stored bytes so the fold chains by
 * the hash of what was written, whatever schema reads it now. A view above {@link RecordLimit} is not written: the
 * event goes to epic.dlq with the reason. A change that a shared gateway of another account needs goes to that
 * account's partition through epic.gateway-view-shares, which this processor reads too and folds with
 * {@link GatewayViews#applyShared}.
 */
final class GatewayViewProcessor implements Processor<String, byte[], String, Object> {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayViewProcessor.class);

  private final AvroDeserializer<EventEnvelope> events;
  private final AvroDeserializer<AggregateState> shared;
  private ProcessorContext<String, Object> context;
  private ViewStore store;
  private KeyValueStore<String, AggregateState> states;
  private Map<ViewStore.Index, KeyValueStore<String, String>> indexes;
  private boolean indexesComplete;

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
  }

  /**
   * An index added by an upgrade starts empty while the states it indexes are restored from before: its entries would
   * come only with each aggregate's next event, so a change looked up through it (a namespace relabelled, a
   * certificate stored) would miss the older aggregates. Once per task, before its first event, an index without
   * {@link StoreViewStore#COMPLETE} is filled from the stored states and marked. Done on the first record rather than
   * in init, where the stores have no record context to log the writes with.
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
    for (GatewayViews.ViewChange change : GatewayViews.changes(store, affected)) {
      try {
        RecordLimit.check("the gateway view of " + change.gatewayId(), change.gatewayId(), change.view());
      } catch (OutputRefused e) {
        // The event is decided; the gateway keeps its last view until one fits again.
        String reason = e.getMessage() + "; " + change.gatewayId() + " keeps its last view";
        LOG.error("gateway view projection: {}", reason);
        context.forward(record.withHeaders(DeadLetters.headers(record.headers(), context, e.code().name(), e, reason)),
            GatewayViewTopology.DLQ_SINK);
        continue;
      }
      context.forward(new Record<>(change.gatewayId(), change.view(), record.timestamp(), new RecordHeaders()
          .add(GatewayViewTopology.COMMAND_ID_HEADER, commandId.getBytes(StandardCharsets.UTF_8))),
          GatewayViewTopology.SINK);
    }
  }

  /** Sends the partitions of other accounts' shared gateways what their views need of this change. */
  private void share(String aggregateId, Set<String> affected, String commandId, long timestamp) {
    GatewayViews.forOtherAccounts(store, aggregateId, affected).forEach((owner, states) -> states.forEach(state ->
        context.forward(new Record<>(owner + GatewayViewTopology.SHARE_KEY_SEPARATOR + state.getAggregateId(), state,
            timestamp, new RecordHeaders().add(GatewayViewTopology.COMMAND_ID_HEADER,
                commandId.getBytes(StandardCharsets.UTF_8))), GatewayViewTopology.SHARES_SINK)));
  }
}
