package org.epicgateway.transport.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.epicgateway.transport.lab.RootSupport.run;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.specific.SpecificRecord;
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
import org.epicgateway.platform.KafkaConnection;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.Advert;
import org.epicgateway.schemas.avro.BpfEndpoint;
import org.epicgateway.schemas.avro.BpfInstance;
import org.epicgateway.schemas.avro.BpfTunnel;
import org.epicgateway.schemas.avro.BpfUplink;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.NodeAdverts;
import org.epicgateway.schemas.avro.NodeBpf;
import org.epicgateway.schemas.avro.NodeHeartbeat;
import org.epicgateway.schemas.avro.NodeKind;
import org.epicgateway.schemas.avro.ReportAgentApplyFailed;
import org.epicgateway.schemas.avro.ReportTunnelRemoteLearned;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.reports.ReportSender;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.epicgateway.schemas.serde.AvroSerializer;
import org.epicgateway.transport.lab.BirdDaemon;
import org.epicgateway.transport.lab.DigestServer;
import org.epicgateway.transport.lab.RootSupport;
import org.epicgateway.transport.lab.RootSupport.Scratch;
import org.epicgateway.transport.agent.NodeAgent;
import org.epicgateway.transport.agent.NodeTopicsReader;
import org.epicgateway.transport.agent.TransportAgent;
import org.epicgateway.transport.bgp.BgpSettings;
import org.epicgateway.transport.bgp.BirdConfig;
import org.epicgateway.transport.bgp.BirdControl;
import org.epicgateway.transport.maps.EpicMaps;
import org.epicgateway.transport.maps.EpicMaps.EndpointKey;
import org.epicgateway.transport.metrics.MetricsServer;
import org.epicgateway.transport.netns.NetNs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agents following their nodes' records on the real broker, with real eBPF and real BIRD, in namespaces (root).
 * The records are written here the way the node projection writes them (same topics, keys, Avro records through
 * the registry); everything downstream of the topics is production code: NodeTopicsReader, NodeAgent,
 * TransportAgent, BirdControl, ReportSender.
 *
 * <pre>
 *  internet in* 198.19.9.1 ── ri* 198.19.9.254  router (BIRD AS 65000, merge paths)  rc* 198.19.3.254 ── uc* 198.19.3.1  client ── pc* = pv* ── pod 10.77.0.2
 *                                 r1* 198.19.1.254 ── u1* 198.19.1.1  epic1 (BIRD AS 65001) ── i1* = v1* ── replica1 (gateway 203.0.113.10, stand-in proxy)
 *                                 r2* 198.19.2.254 ── u2* 198.19.2.1  epic2 (BIRD AS 65001) ── i2* = v2* ── replica2 (gateway 203.0.113.10, stand-in proxy)
 * </pre>
 * The router knows neither the pod's nor the replicas' addresses: only GUE between the nodes' uplinks crosses it.
 */
class NodeAgentsRootTest {
  static final String GATEWAY = "203.0.113.10", POD = "10.77.0.2";
  static final int GATEWAY_PORT = 80, POD_PORT = 8080;

  final String x = RootSupport.uniqueSuffix();
  final String router = "rt-" + x, internet = "in-" + x, client = "cl-" + x, pod = "pod-" + x;
  final String[] epic = {"e1-" + x, "e2-" + x}, replica = {"rp1-" + x, "rp2-" + x};
  final String[] nodeName = {"epic1-" + x, "epic2-" + x};
  final String clientNode = "client-" + x;
  final List<String> log = new CopyOnWriteArrayList<>();

  @TempDir Path dir;

  EmbeddedPlatform platform;
  SchemaRegistryClient registry;
  KafkaProducer<String, SpecificRecord> records;
  Path object, secret;
  final NodeAgent[] agents = new NodeAgent[2];
  final NodeTopicsReader[] readers = new NodeTopicsReader[2];
  final TransportAgent.Options[] epicOptions = new TransportAgent.Options[2];
  final BirdControl[] birds = new BirdControl[2];
  ReportSender reports;

  @Test
  void gatewayTrafficReachesThePodThroughEitherNodeAndFollowsTheAdverts() throws Exception {
    RootSupport.requireRootAndTools("ip", "bird", "birdc", "make", "clang");
    object = RootSupport.bpfObject();
    platform = EmbeddedPlatform.sharedForTests();
    registry = new SchemaRegistryClient(platform.schemaRegistryUrl());
    secret = Files.writeString(dir.resolve("cluster-secret"), "e2e-" + x + "-0123456789abcdef0123456789abcdef\n");
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    try (Scratch s = new Scratch();
         KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(p, new StringSerializer(), new AvroSerializer<>(registry));
         ReportSender commandProducer = new ReportSender(kafkaClient(), registry)) {
      records = producer;
      reports = commandProducer;
      topology(s);
      BirdDaemon routerBird = BirdDaemon.start(router, dir, "router", routerBirdConfig());
      s.onClose(routerBird::close);
      NetNs[] epicNs = {NetNs.named(epic[0]), NetNs.named(epic[1])};
      NetNs clientNs = NetNs.named(client), podNs = NetNs.named(pod), inNs = NetNs.named(internet);
      NetNs[] replicaNs = {NetNs.named(replica[0]), NetNs.named(replica[1])};
      s.onClose(() -> List.of(epicNs[0], epicNs[1], clientNs, podNs, inNs, replicaNs[0], replicaNs[1]).forEach(NetNs::close));
      for (int n = 0; n < 2; n++) {
        String name = "bird" + (n + 1);
        BirdDaemon bird = BirdDaemon.start(epic[n], dir, name, BirdConfig.render(nodeName[n], bgp(n), List.of()));
        s.onClose(bird::close);
        birds[n] = new BirdControl(BirdControl.DEFAULT_BIRDC, bird.socket(), dir.resolve(name + ".conf"));
      }

      // The workload pod answers each connection with the SHA-256 of what it received; a stand-in proxy per replica.
      ServerSocketChannel podServer = podNs.call(() -> ServerSocketChannel.open().bind(new InetSocketAddress(POD, POD_PORT)));
      s.onClose(() -> closeQuietly(podServer));
      DigestServer.start(podServer, "pod " + POD);
      StandInProxy[] proxies = new StandInProxy[2];
      for (int n = 0; n < 2; n++) {
        proxies[n] = new StandInProxy(replicaNs[n], new InetSocketAddress(GATEWAY, GATEWAY_PORT), new InetSocketAddress(POD, POD_PORT));
        StandInProxy proxy = proxies[n];
        s.onClose(() -> closeQuietly(proxy));
      }

      // The nodes' records, as the node projection writes them.
      long published = System.currentTimeMillis();
      for (int n = 0; n < 2; n++) {
        publish(Topics.NODE_BPF, nodeName[n], epicBpf(n, "v1", List.of(POD_PORT)));
        publish(Topics.NODE_ADVERTS, nodeName[n], adverts(n, List.of(GATEWAY)));
      }
      publish(Topics.NODE_BPF, clientNode, clientBpf());
      producer.flush();

      // The agents: two EPIC nodes with BGP, one client node without.
      PrometheusMeterRegistry epic1Meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      for (int n = 0; n < 2; n++) {
        epicOptions[n] = TransportAgent.Options.defaults(object, epicNs[n], n == 0 ? epic1Meters : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
            .withPinDir(s.pinDir("epic-e2e-" + x + "-" + n)).withControlInterval(Duration.ofSeconds(1));
        startEpicAgent(n);
        int node = n;
        s.onClose(() -> stopEpicAgent(node, true));
      }
      TransportAgent.Options clientOptions = TransportAgent.Options.defaults(object, clientNs, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
          .withPinDir(s.pinDir("epic-e2e-" + x + "-c")).withControlInterval(Duration.ofSeconds(1));
      NodeAgent clientAgent = new NodeAgent(settings(clientNode, NodeKind.CLIENT, "uc" + x, null, null), clientOptions, reports::send, Clock.systemUTC());
      NodeTopicsReader clientReader = new NodeTopicsReader(kafkaClient(), registry, clientNode, clientAgent);
      clientReader.start();
      s.onClose(() -> {
        closeQuietly(clientReader);
        TransportAgent t = clientAgent.transport();
        clientAgent.close();
        if (t != null) t.detach();
      });

      // Both EPIC nodes learn the client's address from its control packets; the router gets two next hops.
      RootSupport.waitFor("both EPIC nodes learned the client", 20_000, () -> learned(0) && learned(1));
      RootSupport.waitFor("router has the gateway with two next hops", 30_000, () -> routerRoute().contains("198.19.1.1") && routerRoute().contains("198.19.2.1"));
      long ecmpMs = System.currentTimeMillis() - published;
      String route = routerRoute();
      log.add("router after records published (" + ecmpMs + " ms): " + route.replace('\n', ' '));
      assertThat(route).contains("nexthop via 198.19.1.1").contains("nexthop via 198.19.2.1");
      assertThat(run("ip", "-n", router, "route", "show")).doesNotContain("10.77.").doesNotContain("10.201.");

      // A connection from the internet to the gateway address reaches the pod through a replica and the tunnel.
      int first = connectThroughGateway(inNs, proxies, 256 * 1024);
      assertThat(tunnelTx(first)).as("GUE packets sent by %s", nodeName[first]).isPositive();

      // What the agents reported, as commands on epic.commands.
      List<CommandEnvelope> commands = commandsAbout(List.of(nodeName[0], nodeName[1], clientNode), 10_000,
          cs -> cs.stream().filter(c -> c.getPayload() instanceof ReportTunnelRemoteLearned).count() >= 2
              && heartbeatNodes(cs).size() == 3);
      assertThat(heartbeatNodes(commands)).containsExactlyInAnyOrder(nodeName[0], nodeName[1], clientNode);
      NodeHeartbeat hb = commands.stream().map(CommandEnvelope::getPayload).filter(NodeHeartbeat.class::isInstance)
          .map(NodeHeartbeat.class::cast).filter(h -> h.getNode().equals(nodeName[0])).findFirst().orElseThrow();
      assertThat(hb.getAddresses()).containsExactly("198.19.1.1");
      assertThat(hb.getUplinkInterface()).isEqualTo("u1" + x);
      assertThat(commands.stream().map(CommandEnvelope::getPayload).filter(ReportTunnelRemoteLearned.class::isInstance))
          .contains(new ReportTunnelRemoteLearned(nodeName[0], 1L, "198.19.3.1", 6080),
              new ReportTunnelRemoteLearned(nodeName[1], 2L, "198.19.3.1", 6080));

      // Prometheus /metrics of epic1's agent.
      try (MetricsServer metrics = new MetricsServer(new InetSocketAddress("127.0.0.1", 0), epic1Meters)) {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metrics.address().getPort() + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        assertThat(body).contains("epic_control_packets_total{result=\"accepted\"}")
            .contains("epic_tunnel_packets_total{direction=\"rx\",tunnel=\"1\"}")
            .contains("epic_node_drops_total{reason=\"rx_bad_header\"}")
            .contains("epic_agent_reconcile_lag_seconds_count");
        assertThat(epic1Meters.get("epic.control.packets").tag("result", "accepted").counter().count()).isPositive();
        assertThat(epic1Meters.get("epic.agent.reconcile.lag").timer().count()).isGreaterThanOrEqualTo(2);
      }

      // Stop the agent of the node that carried the connection: its adverts are withdrawn, the router keeps the other.
      int other = 1 - first;
      long stopAt = System.nanoTime();
      stopEpicAgent(first, false);
      String otherHop = "198.19." + (other + 1) + ".1", stoppedHop = "198.19." + (first + 1) + ".1";
      RootSupport.waitFor("router withdrew " + nodeName[first], 3_000, () -> !routerRoute().contains(stoppedHop));
      long withdrawMs = (System.nanoTime() - stopAt) / 1_000_000;
      log.add("stopped " + nodeName[first] + "'s agent: router withdrew its next hop after " + withdrawMs + " ms: " + routerRoute().strip());
      assertThat(routerRoute()).contains("via " + otherHop);
      int second = connectThroughGateway(inNs, proxies, 64 * 1024);
      assertThat(second).isEqualTo(other);

      // While it is down its record changes (a second pod port); the restarted agent converges within 5 s.
      publish(Topics.NODE_BPF, nodeName[first], epicBpf(first, "v2", List.of(POD_PORT, POD_PORT + 1)));
      producer.flush();
      long restartAt = System.nanoTime();
      startEpicAgent(first);
      EndpointKey added = new EndpointKey(instanceTag(first, epicNs), EpicMaps.ipv4(POD), POD_PORT + 1, EndpointKey.TCP);
      RootSupport.waitFor("restarted agent reconverged (maps and adverts)", 5_000, () -> agents[first].transport() != null
          && agents[first].transport().maps().endpoints().containsKey(added)
          && routerRoute().contains(stoppedHop) && routerRoute().contains(otherHop));
      long reconvergeMs = (System.nanoTime() - restartAt) / 1_000_000;
      log.add("restarted " + nodeName[first] + "'s agent: maps and both next hops back after " + reconvergeMs + " ms");

      // A record the agent cannot apply changes nothing and comes back as a report naming the field.
      NodeBpf bad = epicBpf(first, "v3-bad", List.of(POD_PORT));
      bad.getEndpoints().set(0, new BpfEndpoint("i" + (first + 1) + x, POD, POD_PORT, "SCTP", (long) (first + 1)));
      Map<EndpointKey, Integer> before = agents[first].transport().maps().endpoints();
      publish(Topics.NODE_BPF, nodeName[first], bad);
      producer.flush();
      List<CommandEnvelope> failures = commandsAbout(List.of(nodeName[first]), 10_000,
          cs -> cs.stream().anyMatch(c -> c.getPayload() instanceof ReportAgentApplyFailed));
      ReportAgentApplyFailed failure = failures.stream().map(CommandEnvelope::getPayload).filter(ReportAgentApplyFailed.class::isInstance)
          .map(ReportAgentApplyFailed.class::cast).findFirst().orElseThrow();
      assertThat(failure.getWhat()).isEqualTo("bpf");
      assertThat(failure.getVersion()).isEqualTo("v3-bad");
      assertThat(failure.getReason()).contains(".protocol: 'SCTP' is not TCP or UDP");
      assertThat(agents[first].transport().maps().endpoints()).isEqualTo(before);

    } finally {
      log.forEach(l -> System.out.println("NodeAgentsRootTest: " + l));
    }
  }

  // ---- the test's nodes and records

  void startEpicAgent(int n) {
    agents[n] = new NodeAgent(settings(nodeName[n], NodeKind.EPIC, "u" + (n + 1) + x, bgp(n), birds[n]), epicOptions[n], reports::send, Clock.systemUTC());
    readers[n] = new NodeTopicsReader(kafkaClient(), registry, nodeName[n], agents[n]);
    readers[n].start();
  }

  void stopEpicAgent(int n, boolean detach) {
    if (agents[n] == null) return;
    closeQuietly(readers[n]);
    TransportAgent t = agents[n].transport();
    agents[n].close();
    agents[n] = null;
    if (detach && t != null) t.detach();
  }

  NodeAgent.Settings settings(String node, NodeKind kind, String uplink, BgpSettings bgp, BirdControl bird) {
    return new NodeAgent.Settings(node, kind, uplink, null, secret, Duration.ofSeconds(1), Duration.ofSeconds(1), bgp, bird);
  }

  BgpSettings bgp(int n) {
    String self = "198.19." + (n + 1) + ".1";
    return new BgpSettings(EpicMaps.ipv4(self), 65001, List.of(BgpSettings.Peer.parse("198.19." + (n + 1) + ".254/65000")), 9);
  }

  NodeBpf epicBpf(int n, String version, List<Integer> podPorts) {
    long tunnel = n + 1;
    String instance = "i" + (n + 1) + x;
    List<BpfEndpoint> endpoints = new ArrayList<>();
    for (int port : podPorts) endpoints.add(new BpfEndpoint(instance, POD, port, "TCP", tunnel));
    return NodeBpf.newBuilder().setNode(nodeName[n]).setKind(NodeKind.EPIC).setVersion(version)
        .setUplinks(List.of(new BpfUplink("u" + (n + 1) + x, 0))) // 0, as the node projection writes it: the agent reads the MTU
        .setInstances(List.of(new BpfInstance(instance, "gateway/acme/default/web", "r" + n)))
        .setTunnels(List.of(new BpfTunnel(tunnel, nodeName[n], clientNode, "198.19." + (n + 1) + ".1", 6080, null, 0)))
        .setEndpoints(endpoints).setTags(Map.of()).build();
  }

  NodeBpf clientBpf() {
    List<BpfTunnel> tunnels = new ArrayList<>();
    for (int n = 0; n < 2; n++) {
      tunnels.add(new BpfTunnel((long) (n + 1), nodeName[n], clientNode, "198.19.3.1", 6080, "198.19." + (n + 1) + ".1", 6080));
    }
    return NodeBpf.newBuilder().setNode(clientNode).setKind(NodeKind.CLIENT).setVersion("c1")
        .setUplinks(List.of(new BpfUplink("uc" + x, 0))).setInstances(List.of()).setTunnels(tunnels)
        .setEndpoints(List.of()).setTags(Map.of()).build();
  }

  NodeAdverts adverts(int n, List<String> addresses) {
    return new NodeAdverts(nodeName[n], "a" + addresses.hashCode(),
        addresses.stream().map(a -> new Advert(a + "/32", "gateway/acme/default/web")).toList());
  }

  Map<String, Object> kafkaClient() {
    return KafkaConnection.plaintext(platform.bootstrapServers()).client(NodeAgent.KAFKA_SERVICE);
  }

  void publish(String topic, String key, SpecificRecord value) {
    records.send(new ProducerRecord<>(topic, key, value));
  }

  // ---- observations

  boolean learned(int n) {
    TransportAgent t = agents[n] == null ? null : agents[n].transport();
    if (t == null) return false;
    var tunnel = t.tunnel(n + 1);
    return tunnel != null && tunnel.remoteKnown() && tunnel.remoteAddr().equals(EpicMaps.ipv4("198.19.3.1"));
  }

  long tunnelTx(int n) {
    var stats = agents[n].transport().maps().tunnelStats().get(n + 1);
    return stats == null ? 0 : stats.txPackets();
  }

  int instanceTag(int n, NetNs[] epicNs) {
    return epicNs[n].ifindex("i" + (n + 1) + x);
  }

  String routerRoute() {
    return run("ip", "-n", router, "route", "show", GATEWAY + "/32");
  }

  /** Sends {@code size} random bytes to the gateway address and checks the pod's digest; returns the replica used. */
  int connectThroughGateway(NetNs inNs, StandInProxy[] proxies, int size) throws Exception {
    int[] before = {proxies[0].accepted.get(), proxies[1].accepted.get()};
    byte[] payload = new byte[size];
    new Random(size).nextBytes(payload);
    String answer;
    try (SocketChannel c = inNs.call(SocketChannel::open)) {
      c.socket().connect(new InetSocketAddress(GATEWAY, GATEWAY_PORT), 10_000);
      c.socket().setSoTimeout(20_000);
      ByteBuffer out = ByteBuffer.wrap(payload);
      while (out.hasRemaining()) c.write(out);
      c.shutdownOutput();
      answer = new String(c.socket().getInputStream().readAllBytes());
    }
    assertThat(answer).isEqualTo(DigestServer.answer("pod " + POD, payload));
    int used = proxies[0].accepted.get() > before[0] ? 0 : 1;
    assertThat(proxies[used].accepted.get()).isEqualTo(before[used] + 1);
    log.add(size + " bytes internet -> " + GATEWAY + ":" + GATEWAY_PORT + " -> " + nodeName[used] + " replica -> GUE tunnel " + (used + 1)
        + " -> pod " + POD + ":" + POD_PORT + ", pod's digest came back");
    return used;
  }


  List<CommandEnvelope> commandsAbout(List<String> nodes, long ms, java.util.function.Predicate<List<CommandEnvelope>> enough) throws Exception {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<CommandEnvelope> found = new ArrayList<>();
    try (KafkaConsumer<String, CommandEnvelope> c = new KafkaConsumer<>(p, new StringDeserializer(),
        new AvroDeserializer<>(CommandEnvelope.class, registry))) {
      List<TopicPartition> parts = c.partitionsFor(Topics.COMMANDS).stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      long deadline = System.currentTimeMillis() + ms;
      while (System.currentTimeMillis() < deadline && !enough.test(found)) {
        for (ConsumerRecord<String, CommandEnvelope> r : c.poll(Duration.ofMillis(200))) {
          if (nodes.stream().anyMatch(n -> r.key().equals("node/" + n))) found.add(r.value());
        }
      }
    }
    assertThat(enough.test(found)).as("reports on %s within %d ms: %s", Topics.COMMANDS, ms, found.size()).isTrue();
    return found;
  }

  static List<String> heartbeatNodes(List<CommandEnvelope> cs) {
    return cs.stream().map(CommandEnvelope::getPayload).filter(NodeHeartbeat.class::isInstance)
        .map(h -> ((NodeHeartbeat) h).getNode()).distinct().toList();
  }

  // ---- topology

  void topology(Scratch s) {
    for (String ns : List.of(router, internet, client, pod, epic[0], epic[1], replica[0], replica[1])) s.netns(ns);
    RootSupport.link(router, "r1" + x, "198.19.1.254/24", epic[0], "u1" + x, "198.19.1.1/24");
    RootSupport.link(router, "r2" + x, "198.19.2.254/24", epic[1], "u2" + x, "198.19.2.1/24");
    RootSupport.link(router, "rc" + x, "198.19.3.254/24", client, "uc" + x, "198.19.3.1/24");
    RootSupport.link(router, "ri" + x, "198.19.9.254/24", internet, "ii" + x, "198.19.9.1/24");
    RootSupport.link(client, "pc" + x, "10.77.0.1/30", pod, "pv" + x, POD + "/30");
    for (int n = 0; n < 2; n++) {
      RootSupport.link(epic[n], "i" + (n + 1) + x, "10.201." + (n + 1) + ".1/30", replica[n], "v" + (n + 1) + x, "10.201." + (n + 1) + ".2/30");
      run("ip", "-n", replica[n], "addr", "add", GATEWAY + "/32", "dev", "lo");
      run("ip", "-n", replica[n], "route", "add", "default", "via", "10.201." + (n + 1) + ".1");
      run("ip", "-n", epic[n], "route", "add", GATEWAY + "/32", "via", "10.201." + (n + 1) + ".2");
      run("ip", "-n", epic[n], "route", "add", "default", "via", "198.19." + (n + 1) + ".254");
      run("ip", "netns", "exec", epic[n], "sysctl", "-qw", "net.ipv4.ip_forward=1");
    }
    run("ip", "-n", client, "route", "add", "default", "via", "198.19.3.254");
    run("ip", "-n", pod, "route", "add", "default", "via", "10.77.0.1");
    run("ip", "-n", internet, "route", "add", "default", "via", "198.19.9.254");
    run("ip", "netns", "exec", client, "sysctl", "-qw", "net.ipv4.ip_forward=1");
    run("ip", "netns", "exec", router, "sysctl", "-qw", "net.ipv4.ip_forward=1");
  }

  String routerBirdConfig() {
    return """
        router id 198.19.0.254;
        protocol device {}
        protocol kernel { ipv4 { import none; export all; }; merge paths on; }
        protocol bgp epic1 { local as 65000; neighbor 198.19.1.1 as 65001; hold time 9; connect retry time 2; ipv4 { import all; export none; }; }
        protocol bgp epic2 { local as 65000; neighbor 198.19.2.1 as 65001; hold time 9; connect retry time 2; ipv4 { import all; export none; }; }
        """;
  }



  static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // cleanup: the test's outcome is decided already
    }
  }
}
