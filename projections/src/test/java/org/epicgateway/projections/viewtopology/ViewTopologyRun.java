package org.epicgateway.projections.viewtopology;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.epicgateway.projections.decider.Decision;
import org.epicgateway.projections.decider.MapLookup;
import org.epicgateway.projections.streams.TestDrivers;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.epicgateway.schemas.serde.AvroSerializer;

/**
 * The gateway view topology on a TopologyTestDriver (RocksDB stores, the repartition by account), fed with the events
 * of commands the in-memory decider accepted, serialized through the real registry as the decider writes them.
 */
final class ViewTopologyRun implements AutoCloseable {
  final MapLookup decider = new MapLookup();
  final TestDrivers run;
  final TestInputTopic<String, byte[]> events;
  final TestOutputTopic<String, GatewayView> views;
  final AvroSerializer<EventEnvelope> eventBytes;

  ViewTopologyRun() throws Exception {
    SchemaRegistryClient registry = TestDrivers.registry();
    run = TestDrivers.start(GatewayViewTopology.build(registry), GatewayViewTopology.APPLICATION_ID);
    eventBytes = new AvroSerializer<>(registry);
    events = run.driver().createInputTopic(Topics.EVENTS, new StringSerializer(), new ByteArraySerializer());
    views = run.driver().createOutputTopic(Topics.GATEWAY_STATE, new StringDeserializer(),
        new AvroDeserializer<>(GatewayView.class, registry));
  }

  /** Decides a command, which must be accepted, and pipes its events to epic.events (key aggregate id). */
  void fold(CommandEnvelope command) {
    Decision d = decider.submit(command);
    assertThat(d.accepted()).as("%s", d.rejection()).isTrue();
    for (EventEnvelope e : d.events()) {
      events.pipeInput(e.getAggregateId(), eventBytes.serialize(Topics.EVENTS, e));
    }
  }

  @Override
  public void close() throws Exception {
    run.close();
  }
}
