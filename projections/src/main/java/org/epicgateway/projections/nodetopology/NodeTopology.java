package org.epicgateway.projections.nodetopology;

import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;
import org.epicgateway.schemas.AggregateId;
import org.epicgateway.schemas.AggregateIds;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.NodeAdverts;
import org.epicgateway.schemas.avro.NodeBpf;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.epicgateway.schemas.serde.AvroSerde;
import org.epicgateway.schemas.serde.AvroSerializer;
import org.epicgateway.projections.streams.DeadLetters;
import org.epicgateway.projections.streams.PolledInput;

/**
 * The per-node projection:
 * <pre>
 * epic.events (node/*, placement/* only) --repartition to 1--\
 *                                                              > node projector [states, views, hosted, outputs]
 * epic.gateway-state (GatewayView or tombstone) --repartition--/     -> epic.node-bpf (key node, NodeBpf or tombstone)
 *                                                                    -> epic.node-adverts (key node, NodeAdverts)
 * </pre>
 * A node's records depend on every node (tunnel peers) and on the gateways it hosts, so one task sees all of it:
 * nodes are few and their events rare, and a gateway view is only read here, never folded. The pure work is
 * {@code NodeBpfDerivation}/{@code NodeAdvertsDerivation}; a record is written only when its version changed.
 */
public final class NodeTopology {
  public static final String APPLICATION_ID = "epic-node-projection";

  /** Folded node and placement states, keyed by aggregate id. */
  static final String STATES = "node-projection-states";
  /**
   * The store's changelog (Streams' name for it): compacted, so it holds each node and placement state once,
   * whatever the length of the log. The provisioner starts from it instead of folding epic.events again.
   */
  public static final String STATES_CHANGELOG = APPLICATION_ID + "-" + STATES + "-changelog";
  /** The latest gateway view of each gateway that has (or had) a replica, keyed by gateway id. */
  static final String VIEWS = "node-projection-views";
  /** {@code node|gatewayId}: the gateways with a replica on a node (one prefix scan per node). */
  static final String HOSTED = "node-projection-hosted";
  /** {@code bpf|node} / {@code adverts|node} -> the version last written, so unchanged records are not rewritten. */
  static final String OUTPUTS = "node-projection-outputs";
  static final String EVENT_PROCESSOR = "node-events";
  static final String VIEW_PROCESSOR = "node-views";
  static final String BPF_SINK = "node-bpf-sink";
  static final String ADVERTS_SINK = "node-adverts-sink";
  static final String DLQ_SINK = "dlq-sink";

  private NodeTopology() {}

  /** For topology tests: clients that never ask for a commit. */
  public static Topology build(SchemaRegistryClient registry) {
    return build(registry, new PolledInput());
  }

  /** @param polled the clients the topology runs with, telling it when to commit at once */
  public static Topology build(SchemaRegistryClient registry, PolledInput polled) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STATES), Serdes.String(),
        new AvroSerde<>(AggregateState.class, registry)));
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(VIEWS), Serdes.String(),
        new AvroSerde<>(GatewayView.class, registry)));
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(HOSTED), Serdes.String(),
        Serdes.String()));
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(OUTPUTS), Serdes.String(),
        Serdes.String()));
    String[] stores = {STATES, VIEWS, HOSTED, OUTPUTS};
    AvroDeserializer<EventEnvelope> events = new AvroDeserializer<>(EventEnvelope.class, registry);
    AvroDeserializer<GatewayView> views = new AvroDeserializer<>(GatewayView.class, registry);
    builder.stream(Topics.EVENTS, Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("events"))
        .process(polled.<String, byte[]>commitWhenDrained(), Named.as("events-drained"))
        .filter((aggregateId, event) -> ofNodes(aggregateId), Named.as("node-aggregates"))
        .repartition(Repartitioned.<String, byte[]>as("node-events").withKeySerde(Serdes.String())
            .withValueSerde(Serdes.ByteArray()).withNumberOfPartitions(1))
        .process(polled.<String, byte[]>commitWhenDrained(), Named.as("node-events-drained"))
        .process(() -> new NodeEventProcessor(events), Named.as(EVENT_PROCESSOR), stores);
    builder.stream(Topics.GATEWAY_STATE, Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("views"))
        .process(polled.<String, byte[]>commitWhenDrained(), Named.as("views-drained"))
        .repartition(Repartitioned.<String, byte[]>as("node-views").withKeySerde(Serdes.String())
            .withValueSerde(Serdes.ByteArray()).withNumberOfPartitions(1))
        .process(polled.<String, byte[]>commitWhenDrained(), Named.as("node-views-drained"))
        .process(() -> new NodeViewProcessor(views), Named.as(VIEW_PROCESSOR), stores);
    Topology topology = builder.build();
    topology.addSink(BPF_SINK, Topics.NODE_BPF, new StringSerializer(), new AvroSerializer<NodeBpf>(registry),
        EVENT_PROCESSOR, VIEW_PROCESSOR);
    topology.addSink(ADVERTS_SINK, Topics.NODE_ADVERTS, new StringSerializer(),
        new AvroSerializer<NodeAdverts>(registry), EVENT_PROCESSOR, VIEW_PROCESSOR);
    DeadLetters.addSink(topology, DLQ_SINK, Topics.EVENTS, new ByteArraySerializer(), EVENT_PROCESSOR,
        VIEW_PROCESSOR);
    return topology;
  }

  /** Node and placement aggregates; an id that does not parse is none of them. */
  static boolean ofNodes(String aggregateId) {
    if (aggregateId == null) {
      return false;
    }
    try {
      AggregateType type = AggregateIds.parse(aggregateId).type();
      return type == AggregateType.NODE || type == AggregateType.PLACEMENT;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  static String placementOf(String gatewayId) {
    AggregateId g = AggregateIds.parse(gatewayId);
    return AggregateIds.placement(g.account(), g.namespace(), g.name());
  }
}
