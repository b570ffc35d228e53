package org.epicgateway.xds;

import static io.envoyproxy.controlplane.cache.Resources.V3.CLUSTER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ENDPOINT_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ROUTE_TYPE_URL;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.projections.envoytopology.EnvoyProjectionService;
import org.epicgateway.projections.routecheck.ManifestLoader;
import org.epicgateway.projections.topology.DeciderService;
import org.epicgateway.projections.viewtopology.GatewayViewTopology;
import org.epicgateway.schemas.EventHashes;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.ActorKind;
import org.epicgateway.schemas.avro.ConfigApplied;
import org.epicgateway.schemas.avro.ConfigRejected;
import org.epicgateway.schemas.avro.ConfigRolledBack;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.epicgateway.schemas.serde.AvroSerializer;
import org.epicgateway.xds.acks.CommandReports;
import org.epicgateway.xds.acks.ReportCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole path on a real broker and registry: gateway views on epic.gateway-state -> the Envoy projection (Streams)
 * -> epic.envoy-config / epic.envoy-endpoints -> XdsService -> a raw ADS client; ACK/NACK go as commands to the decider,
 * which records them as chained events on epic.events; an endpoint change reaches the proxy as EDS only; a restarted
 * projector resends no listeners/clusters and still has its receipts.
 */
class XdsOnKafkaTest {
  static EmbeddedPlatform platform;
  static EnvoyProjectionService projection;
  static DeciderService decider;
  static SchemaRegistryClient registry;
  static KafkaProducer<String, GatewayView> views;

  @BeforeAll
  static void start() throws Exception {
    platform = EmbeddedPlatform.sharedForTests();
    registry = new SchemaRegistryClient(platform.schemaRegistryUrl());
    projection = new EnvoyProjectionService();
    projection.start(platform.context());
    // Reports reach epic.events only through the decider.
    decider = new DeciderService();
    decider.start(platform.context());
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers());
    views = new KafkaProducer<>(p, new StringSerializer(), new AvroSerializer<>(registry));
  }

  @AfterAll
  static void stop() throws Exception {
    views.close();
    projection.close();
    decider.close();
  }

  static String manifests(String namespace, String path, String address) {
    return """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: web, namespace: %1$s}
        spec:
          gatewayClassName: epic
          listeners: [{name: http, port: 80, protocol: HTTP}]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: app, namespace: %1$s, creationTimestamp: "2026-01-01T00:00:00Z"}
        spec:
          parentRefs: [{name: web}]
          rules:
            - matches: [{path: {type: PathPrefix, value: %2$s}}]
              backendRefs: [{name: app, port: 80}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: app, namespace: %1$s}
        spec: {ports: [{name: http, port: 80, targetPort: 8080}]}
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: app-1, namespace: %1$s, labels: {kubernetes.io/service-name: app}}
        addressType: IPv4
        ports: [{name: http, port: 8080, protocol: TCP}]
        endpoints: [{addresses: [%3$s], conditions: {ready: true}}]
        """.formatted(namespace, path, address);
  }

  static GatewayView publish(String commandId, String namespace, String path, String address) throws Exception {
    GatewayView view = ManifestLoader.parse("test", manifests(namespace, path, address)).get(0);
    ProducerRecord<String, GatewayView> record = new ProducerRecord<>(Topics.GATEWAY_STATE, view.getGatewayId(),
        view);
    record.headers().add(GatewayViewTopology.COMMAND_ID_HEADER, commandId.getBytes(StandardCharsets.UTF_8));
    views.send(record).get();
    return view;
  }

  static XdsService xds() throws Exception {
    XdsService xds = new XdsService(new XdsService.Settings("127.0.0.1", 0, Optional.empty(), 10, 1000));
    xds.start(platform.context());
    return xds;
  }

  @Test
  void gatewayStateToAdsAndAcksToEvents() throws Exception {
    String namespace = "xds-" + UUID.randomUUID().toString().substring(0, 8);
    GatewayView view = publish("cmd-1", namespace, "/", "10.9.0.1");
    String gatewayId = view.getGatewayId();
    String node = gatewayId + "~envoy-0";
    XdsService xds = xds();
    ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", xds.xdsPort(),
        InsecureChannelCredentials.create()).build();
    String ldsVersion;
    String cdsVersion;
    String rdsVersion;
    List<String> routeNames;
    List<String> clusterNames;
    try (AdsClient envoy = AdsClient.sotw(channel, node)) {
      // The snapshot appears once the projection has derived it; an ADS watch simply waits for it.
      envoy.request(LISTENER_TYPE_URL, List.of(), "", "");
      DiscoveryResponse lds = envoy.response();
      Listener listener = lds.getResources(0).unpack(Listener.class);
      routeNames = List.of(listener.getFilterChains(0).getFilters(0).getTypedConfig()
          .unpack(HttpConnectionManager.class).getRds().getRouteConfigName());
      envoy.ack(lds, List.of());
      envoy.request(CLUSTER_TYPE_URL, List.of(), "", "");
      DiscoveryResponse cds = envoy.response();
      Cluster cluster = cds.getResources(0).unpack(Cluster.class);
      clusterNames = List.of(cluster.getEdsClusterConfig().getServiceName().isEmpty() ? cluster.getName()
          : cluster.getEdsClusterConfig().getServiceName());
      envoy.ack(cds, List.of());
      envoy.request(ROUTE_TYPE_URL, routeNames, "", "");
      DiscoveryResponse rds = envoy.response();
      envoy.request(ENDPOINT_TYPE_URL, clusterNames, "", "");
      DiscoveryResponse eds = envoy.response();
      assertThat(address(eds)).isEqualTo("10.9.0.1");
      envoy.ack(rds, routeNames);
      envoy.ack(eds, clusterNames);
      ldsVersion = lds.getVersionInfo();
      cdsVersion = cds.getVersionInfo();
      rdsVersion = rds.getVersionInfo();

      String aggregate = ReportCommands.aggregateId(gatewayId);
      EventEnvelope applied = awaitEvent(aggregate, ConfigApplied.class);
      assertThat(applied.getActor().getKind()).isEqualTo(ActorKind.AGENT);
      assertThat(applied.getActor().getId()).isEqualTo("xds-projector");
      assertThat(applied.getSequence()).isEqualTo(1);
      assertThat(((ConfigApplied) applied.getPayload()).getProxy()).isEqualTo(node);
      assertThat(((ConfigApplied) applied.getPayload()).getSourceCommandIds()).containsExactly("cmd-1");

      // An endpoint change: the next push is EDS with the new address, nothing else.
      publish("cmd-2", namespace, "/", "10.9.0.2");
      DiscoveryResponse eds2 = envoy.response();
      assertThat(eds2.getTypeUrl()).isEqualTo(ENDPOINT_TYPE_URL);
      assertThat(address(eds2)).isEqualTo("10.9.0.2");
      envoy.ack(eds2, clusterNames);

      // A projector that crashed after sending the report and sends it again on restart: same command id, no second
      // event (checked below, once later reports of the same aggregate are in the log).
      try (CommandReports resent = new CommandReports(platform.kafkaClient(), registry, Clock.systemUTC())) {
        ConfigApplied report = (ConfigApplied) applied.getPayload();
        resent.applied(gatewayId, node, report.getVersion(), report.getSourceCommandIds());
      }

      // A route change the proxy rejects: it is the only proxy, so the projector rolls back and records it.
      publish("cmd-3", namespace, "/v3", "10.9.0.2");
      DiscoveryResponse rds3 = envoy.response();
      assertThat(rds3.getTypeUrl()).isEqualTo(ROUTE_TYPE_URL);
      envoy.nack(rds3, routeNames, rdsVersion, "Proto constraint validation failed (test)");
      EventEnvelope rejected = awaitEvent(aggregate, ConfigRejected.class);
      assertThat(((ConfigRejected) rejected.getPayload()).getErrorDetail())
          .isEqualTo("Proto constraint validation failed (test)");
      EventEnvelope rolledBack = awaitEvent(aggregate, ConfigRolledBack.class);
      ConfigRolledBack rb = (ConfigRolledBack) rolledBack.getPayload();
      assertThat(rb.getFromVersion()).isEqualTo(((ConfigRejected) rejected.getPayload()).getVersion());
      assertThat(rb.getToVersion()).isEqualTo(((ConfigApplied) applied.getPayload()).getVersion());
      // The reports form a hash chain like every aggregate's.
      assertThat(rolledBack.getSequence()).isEqualTo(rejected.getSequence() + 1);
      assertThat(rolledBack.getPreviousHash()).isEqualTo(java.nio.ByteBuffer.wrap(EventHashes.hash(rejected)));
      assertThat(eventsOf(aggregate).stream().filter(e -> e.getPayload() instanceof ConfigApplied)).hasSize(1);

      // The queries the command API serves: the history shows the rolled-back revision and the one served; the
      // receipt names the proxy; an unknown gateway has no history.
      List<XdsProjector.RevisionView> revisions = xds.projector().revisions(gatewayId);
      assertThat(revisions).anySatisfy(r -> {
        assertThat(r.rolledBack()).isTrue();
        assertThat(r.version()).isEqualTo(rb.getFromVersion());
      });
      assertThat(revisions).anySatisfy(r -> {
        assertThat(r.served()).isTrue();
        assertThat(r.runningOn()).contains(node);
      });
      assertThat(xds.projector().receipt("cmd-1").acked()).extracting(a -> a.nodeId()).contains(node);
      awaitReceipt(xds.projector(), "cmd-2", node); // the endpoint change's, from the EDS ACK
      assertThat(xds.projector().revisions("gateway/nobody/default/none")).isEmpty();
    } finally {
      channel.shutdownNow();
      xds.close();
    }

    // A restart while the rejected revision is still the gateway's latest on epic.envoy-config: the history comes back
    // from epic.envoy-revisions with the rollback marked on it, so the good revision is served, not the bad one.
    XdsService afterRollback = xds();
    channel = Grpc.newChannelBuilderForAddress("127.0.0.1", afterRollback.xdsPort(),
        InsecureChannelCredentials.create()).build();
    try (AdsClient envoy = AdsClient.sotw(channel, gatewayId + "~envoy-1")) {
      envoy.request(ROUTE_TYPE_URL, routeNames, "", "");
      DiscoveryResponse rds = envoy.response();
      assertThat(rds.getVersionInfo()).isEqualTo(rdsVersion);
      var history = afterRollback.projector().revisions(gatewayId);
      assertThat(history).extracting(XdsProjector.RevisionView::rolledBack).containsExactly(true, false);
      assertThat(history.get(1).served()).isTrue();
      // Receipts came back from epic.envoy-receipts: the revision's and the endpoint change's.
      assertThat(afterRollback.projector().receipt("cmd-1").acked()).extracting(a -> a.nodeId()).contains(node);
      assertThat(afterRollback.projector().receipt("cmd-2").acked())
          .anySatisfy(a -> {
            assertThat(a.nodeId()).isEqualTo(node);
            assertThat(a.configuration()).startsWith("endpoints ");
          });
    } finally {
      channel.shutdownNow();
      afterRollback.close();
    }

    // Put back a configuration the proxy accepts, then restart the projector: it rebuilds from the compacted topics
    // with the same content-hash versions, so a proxy reconnecting with its versions gets no LDS/CDS resend.
    publish("cmd-4", namespace, "/", "10.9.0.2");
    XdsService restarted = xds();
    channel = Grpc.newChannelBuilderForAddress("127.0.0.1", restarted.xdsPort(), InsecureChannelCredentials.create())
        .build();
    try (AdsClient envoy = AdsClient.sotw(channel, node)) {
      envoy.request(LISTENER_TYPE_URL, List.of(), ldsVersion, "");
      envoy.request(CLUSTER_TYPE_URL, List.of(), cdsVersion, "");
      envoy.request(ROUTE_TYPE_URL, routeNames, rdsVersion, "");
      DiscoveryResponse first = envoy.response();
      assertThat(first.getTypeUrl()).isEqualTo(ROUTE_TYPE_URL);
      assertThat(first.getVersionInfo()).isEqualTo(rdsVersion);
    } finally {
      channel.shutdownNow();
      restarted.close();
    }
  }

  private static String address(DiscoveryResponse eds) throws Exception {
    return eds.getResources(0).unpack(ClusterLoadAssignment.class).getEndpoints(0).getLbEndpoints(0).getEndpoint()
        .getAddress().getSocketAddress().getAddress();
  }

  private static void awaitReceipt(XdsProjector projector, String commandId, String nodeId) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (projector.receipt(commandId).acked().stream().noneMatch(a -> a.nodeId().equals(nodeId))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no receipt of " + commandId + " by " + nodeId + " within 60 s");
      }
      Thread.sleep(20);
    }
  }

  /** Every event of the aggregate on epic.events now. */
  private static List<EventEnvelope> eventsOf(String aggregateId) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    AvroDeserializer<EventEnvelope> events = new AvroDeserializer<>(EventEnvelope.class, registry);
    List<EventEnvelope> found = new ArrayList<>();
    try (KafkaConsumer<String, EventEnvelope> consumer = new KafkaConsumer<>(p, new StringDeserializer(), events)) {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer.partitionsFor(Topics.EVENTS).forEach(pi -> partitions.add(new TopicPartition(Topics.EVENTS,
          pi.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      var end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<String, EventEnvelope> r : consumer.poll(Duration.ofMillis(200))) {
          if (aggregateId.equals(r.key())) {
            found.add(r.value());
          }
        }
      }
    }
    return found;
  }

  /** Reads epic.events until an event of the aggregate with that payload type shows up. */
  private static EventEnvelope awaitEvent(String aggregateId, Class<?> payload) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers());
    AvroDeserializer<EventEnvelope> events = new AvroDeserializer<>(EventEnvelope.class, registry);
    try (KafkaConsumer<String, EventEnvelope> consumer = new KafkaConsumer<>(p, new StringDeserializer(), events)) {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer.partitionsFor(Topics.EVENTS).forEach(pi -> partitions.add(new TopicPartition(Topics.EVENTS,
          pi.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, EventEnvelope> r : consumer.poll(Duration.ofMillis(200))) {
          if (aggregateId.equals(r.key()) && payload.isInstance(r.value().getPayload())) {
            return r.value();
          }
        }
      }
    }
    throw new AssertionError("no " + payload.getSimpleName() + " event of " + aggregateId + " within 90 s");
  }
}
