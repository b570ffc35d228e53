package org.epicgateway.projections.viewtopology;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.Stores;
import org.epicgateway.projections.streams.DeadLetters;
import org.epicgateway.projections.streams.PolledInput;
import org.epicgateway.projections.view.GatewayViews;
import org.epicgateway.projections.view.ViewStore.Index;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.epicgateway.schemas.serde.AvroSerde;
import org.epicgateway.schemas.serde.AvroSerializer;

/**
 * The gateway view projection:
 * <pre>
 * epic.events (key aggregate id; the decider's output, the only source)
 *   -> only gateways, templates, routes, endpoint slices, Services, ReferenceGrants, nodes, namespaces, certificates
 *   -> repartition by account (template and node events to every partition)
 *   -> (merged with epic.gateway-view-shares, partitioned by owner account)
 *   -> gateway views [states + index stores, pending]
 *        fold each event, mark its gateways pending -> (punctuation: each pending gateway built once)
 *        -> epic.gateway-state (key gateway id, GatewayView or tombstone, one header epic.command-id per command whose
 *                               events it covers: the events' correlation ids)
 *        -> epic.gateway-view-shares (what another account's shared gateway needs of this account's change, to the
 *                                     owner's partition)
 *        -> epic.dlq (key gateway id, no value: a view too large or failing, with the reason and its command ids)
 * </pre>
 * A gateway's view is built only in its account's partition, so it has one writer. Routes of other accounts attach
 * to a gateway its owner shared with them: their partition sends the owner's the states of those routes and of their
 * Services, slices and ReferenceGrants ({@link GatewayViews#forOtherAccounts}) through epic.gateway-view-shares,
 * which the same processor reads, so the owner's partition holds everything its views are made of while accounts
 * still spread over partitions and tasks. Templates are shared by all accounts, so each partition keeps its own copy.
 */
public final class GatewayViewTopology {

  public static final String APPLICATION_ID = "epic-gateway-view";
  /**
   * Header on epic.gateway-state records, once per command whose events the view is the first to show (for receipts;
   * several when events were coalesced).
   */
  public static final String COMMAND_ID_HEADER = "epic.command-id";

  /** Folded states of gateways, templates, routes and slices, keyed by aggregate id. */
  static final String STATES = "gateway-view-states";
  static final Map<Index, String> INDEX_STORES = Map.of(
      Index.ROUTES_BY_PARENT, "gateway-view-routes-by-parent",
      Index.ROUTES_BY_BACKEND, "gateway-view-routes-by-backend",
      Index.SLICES_BY_SERVICE, "gateway-view-slices-by-service",
      Index.SLICES_BY_NODE, "gateway-view-slices-by-node",
      Index.GATEWAYS_BY_TEMPLATE, "gateway-view-gateways-by-template",
      Index.GRANTS_BY_NAMESPACE, "gateway-view-grants-by-namespace",
      Index.REFERRERS_BY_NAMESPACE, "gateway-view-referrers-by-namespace",
      Index.GATEWAYS_BY_CERTIFICATE, "gateway-view-gateways-by-certificate",
      Index.ROUTES_BY_NAMESPACE, "gateway-view-routes-by-namespace");
  /** Gateway id -> ids of the commands whose events were folded since its last view (changelogged). */
  static final String PENDING = "gateway-view-pending";
  static final String VIEWS = "gateway-views";
  static final String SINK = "gateway-state-sink";
  static final String DLQ_SINK = "dlq-sink";
  static final String SHARES_SINK = "shares-sink";
  /** Between the owner account and the aggregate id in the keys of epic.gateway-view-shares. */
  static final char SHARE_KEY_SEPARATOR = '|';

  private GatewayViewTopology() {}

  /** For topology tests: clients that never ask for a commit. */
  public static Topology build(SchemaRegistryClient registry) {
    return build(registry, new PolledInput());
  }

  /** @param polled the clients the topology runs with, telling it when to commit at once */
  public static Topology build(SchemaRegistryClient registry, PolledInput polled) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STATES), Serdes.String(),
        new AvroSerde<>(AggregateState.class, registry)));
    INDEX_STORES.values().forEach(name -> builder.addStateStore(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.String())));
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PENDING), Serdes.String(),
        Serdes.ListSerde(ArrayList.class, Serdes.String())));
    String[] stores = Stream.concat(Stream.of(STATES, PENDING),
        INDEX_STORES.values().stream()).toArray(String[]::new);
    AvroDeserializer<EventEnvelope> events = new AvroDeserializer<>(EventEnvelope.class, registry);
    AvroDeserializer<AggregateState> shared = new AvroDeserializer<>(AggregateState.class, registry);
    KStream<String, byte[]> shares = builder.stream(Topics.GATEWAY_VIEW_SHARES,
        Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("shares"))
        .process(polled.<String, byte[]>commitWhenDrained(), Named.as("shares-drained"));
    builder.stream(Topics.EVENTS, Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("events"))
        .process(polled.<String, byte[]>commitWhenDrained(), Named.as("events-drained"))
        .filter((aggregateId, event) -> GatewayViews.partOfViews(aggregateId), Named.as("view-aggregates"))
        .repartition(Repartitioned.<String, byte[]>as("by-account")
            .withKeySerde(Serdes.String()).withValueSerde(Serdes.ByteArray())
            .withNumberOfPartitions(Topics.PARTITIONS).withStreamPartitioner(new ByAccount()))
        .process(polled.<String, byte[]>commitWhenDrained(), Named.as("by-account-drained"))
        .merge(shares, Named.as("events-and-shares"))
        .process(() -> new GatewayViewProcessor(events, shared), Named.as(VIEWS), stores);
    Topology topology = builder.build();
    topology.addSink(SINK, Topics.GATEWAY_STATE, new StringSerializer(), new AvroSerializer<GatewayView>(registry),
        VIEWS);
    topology.addSink(SHARES_SINK, Topics.GATEWAY_VIEW_SHARES, new StringSerializer(),
        new AvroSerializer<AggregateState>(registry), new ToOwner(), VIEWS);
    DeadLetters.addSink(topology, DLQ_SINK, Topics.EVENTS, new ByteArraySerializer(), VIEWS);
    return topology;
  }

  /** An event goes to its account's partition; a template's to all of them. */
  private static final class ByAccount implements StreamPartitioner<String, byte[]> {
    @Override
    public Optional<Set<Integer>> partitions(String topic, String aggregateId, byte[] event, int partitions) {
      Optional<String> account = GatewayViews.partitionKey(aggregateId);
      if (account.isEmpty()) {
        return Optional.of(IntStream.range(0, partitions).boxed().collect(Collectors.toSet()));
      }
      return Optional.of(Set.of(partition(account.get(), partitions)));
    }
  }

  /** A shared state goes to the partition of the account its key names first: the shared gateway's owner. */
  private static final class ToOwner implements StreamPartitioner<String, AggregateState> {
    @Override
    public Optional<Set<Integer>> partitions(String topic, String key, AggregateState state, int partitions) {
      return Optional.of(Set.of(partition(key.substring(0, key.indexOf(SHARE_KEY_SEPARATOR)), partitions)));
    }
  }

  private static int partition(String account, int partitions) {
    return Utils.toPositive(Utils.murmur2(account.getBytes(StandardCharsets.UTF_8))) % partitions;
  }
}
