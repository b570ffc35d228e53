package org.epicgateway.projections.nodetopology;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.serde.AvroDeserializer;

/** Gateway views (a tombstone when the gateway is deleted) of epic.gateway-state. */
final class NodeViewProcessor implements Processor<String, byte[], String, Object> {
  private final AvroDeserializer<GatewayView> views;
  private NodeProjector projector;

  NodeViewProcessor(AvroDeserializer<GatewayView> views) {
    this.views = views;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    projector = new NodeProjector(context);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    if (record.key() == null) {
      return;
    }
    GatewayView view = record.value() == null ? null : views.deserialize(Topics.GATEWAY_STATE, record.value());
    projector.view(record.key(), view, record);
  }
}
