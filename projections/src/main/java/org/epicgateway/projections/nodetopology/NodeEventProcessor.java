package org.epicgateway.projections.nodetopology;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.epicgateway.schemas.EventHashes;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.epicgateway.schemas.serde.WireFormat;

/** Node and placement events as stored, so the fold chains by the hash of what was written. */
final class NodeEventProcessor implements Processor<String, byte[], String, Object> {
  private final AvroDeserializer<EventEnvelope> events;
  private NodeProjector projector;

  NodeEventProcessor(AvroDeserializer<EventEnvelope> events) {
    this.events = events;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    projector = new NodeProjector(context);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    byte[] stored = record.value();
    if (stored == null) {
      return; // the decider never writes a tombstone to epic.events
    }
    EventEnvelope event = events.deserialize(Topics.EVENTS, stored);
    byte[] hash = EventHashes.hashOfDatum(stored, WireFormat.HEADER_LENGTH, stored.length - WireFormat.HEADER_LENGTH);
    projector.event(event, hash, record);
  }
}
