package org.epicgateway.projections.envoytopology;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;
import org.epicgateway.projections.streams.DeadLetters;
import org.epicgateway.projections.streams.PolledInput;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.EndpointAssignment;
import org.epicgateway.schemas.avro.EnvoyConfigSnapshot;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.epicgateway.schemas.serde.AvroSerializer;

/**
 * The Envoy projection:
 * <pre>
 * epic.gateway-state (key gateway id, GatewayView)
 *   -> envoy projector [config-inputs, endpoint-versions]
 *        -> epic.envoy-config    (key gateway id, EnvoyConfigSnapshot; tombstone when the gateway goes)
 *        -> epic.envoy-endpoints (key cluster name, EndpointAssignment)
 *        -> epic.dlq             (a view it could not derive or write, with the reason)
 * </pre>
 * Listeners, routes and clusters are derived only when the view changed in more than endpoint addresses; endpoints
 * are derived per cluster and published only when a cluster's assignment changed.
 */
public final class EnvoyTopology {
  public static final String APPLICATION_ID = "epic-envoy-projection";
  /** Gateway id -> hash of the view without endpoint addresses, as last derived. */
  static final String CONFIG_INPUTS = "envoy-config-inputs";
  /** Cluster name -> version of the assignment last published. */
  static final String ENDPOINT_VERSIONS = "envoy-endpoint-versions";
  static final String PROJECTOR = "envoy-projector";
  static final String CONFIG_SINK = "envoy-config-sink";
  static final String ENDPOINTS_SINK = "envoy-endpoints-sink";
  static final String DLQ_SINK = "dlq-sink";

  private EnvoyTopology() {}

  /** For topology tests: clients that never ask for a commit. */
  public static Topology build(SchemaRegistryClient registry) {
    return build(registry, new PolledInput());
  }

  /** @param polled the clients the topology runs with, telling it when to commit at once */
  public static Topology build(SchemaRegistryClient registry, PolledInput polled) {
    Topology topology = new Topology();
    topology.addSource("gateway-state", new StringDeserializer(),
        new AvroDeserializer<>(GatewayView.class, registry), Topics.GATEWAY_STATE);
    topology.addProcessor("gateway-state-drained", polled.commitWhenDrained(), "gateway-state");
    topology.addProcessor(PROJECTOR, EnvoyProjector::new, "gateway-state-drained");
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CONFIG_INPUTS),
        Serdes.String(), Serdes.String()), PROJECTOR);
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ENDPOINT_VERSIONS),
        Serdes.String(), Serdes.String()), PROJECTOR);
    topology.addSink(CONFIG_SINK, Topics.ENVOY_CONFIG, new StringSerializer(),
        new AvroSerializer<EnvoyConfigSnapshot>(registry), PROJECTOR);
    topology.addSink(ENDPOINTS_SINK, Topics.ENVOY_ENDPOINTS, new StringSerializer(),
        new AvroSerializer<EndpointAssignment>(registry), PROJECTOR);
    DeadLetters.addSink(topology, DLQ_SINK, Topics.GATEWAY_STATE, new AvroSerializer<GatewayView>(registry),
        PROJECTOR);
    return topology;
  }
}
