package org.epicgateway.projections.viewtopology;

import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.epicgateway.projections.streams.DeadLetters;
import org.epicgateway.projections.streams.OutputRefused;
import org.epicgateway.projections.streams.RecordLimit;
import org.epicgateway.projections.view.GatewayViews;
import org.epicgateway.projections.view.ViewStore;
import org.epicgateway.schemas.EventHashes;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.epicgateway.schemas.serde.WireFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wiring only: folds each event into the stores through {@link GatewayViews} and forwards the affected gateways'
 * views, each with the id of the command that caused it. The event arrives as its stored bytes so the fold chains by
 * the hash of what was written, whatever schema reads it now. A view above {@link RecordLimit} is not written: the
 * event goes to epic.dlq with the reason.
 */
final class GatewayViewProcessor implements Processor<String, byte[], String, Object> {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayViewProcessor.class);

  private final AvroDeserializer<EventEnvelope> events;
  private ProcessorContext<String, Object> context;
  private ViewStore store;

  GatewayViewProcessor(AvroDeserializer<EventEnvelope> events) {
    this.events = events;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    Map<ViewStore.Index, KeyValueStore<String, String>> indexes = new EnumMap<>(ViewStore.Index.class);
    GatewayViewTopology.INDEX_STORES.forEach((index, name) -> indexes.put(index, context.getStateStore(name)));
    this.store = new StoreViewStore(context.getStateStore(GatewayViewTopology.STATES), indexes);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    byte[] stored = record.value();
    if (stored == null) {
      return; // the decider never writes a tombstone to epic.events; nothing to fold
    }
    EventEnvelope event = events.deserialize(Topics.EVENTS, stored);
    byte[] hash = EventHashes.hashOfDatum(stored, WireFormat.HEADER_LENGTH, stored.length - WireFormat.HEADER_LENGTH);
    Set<String> affected = GatewayViews.apply(store, event, hash);
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
          .add(GatewayViewTopology.COMMAND_ID_HEADER, event.getCorrelationId().getBytes(StandardCharsets.UTF_8))),
          GatewayViewTopology.SINK);
    }
  }
}
