package org.epicgateway.cli.up;

import static org.assertj.core.api.Assertions.assertThat;
import static org.epicgateway.transport.RootSupport.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.epicgateway.api.ApiConfig;
import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.platform.KafkaConnection;
import org.epicgateway.platform.PlatformContext;
import org.epicgateway.platform.PlatformService;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.NodeJoined;
import org.epicgateway.schemas.avro.NodeKind;
import org.epicgateway.schemas.avro.TunnelRemoteLearned;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.reports.ReportSender;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.epicgateway.transport.BirdDaemon;
import org.epicgateway.transport.DigestServer;
import org.epicgateway.transport.RootSupport;
import org.epicgateway.transport.RootSupport.Scratch;
import org.epicgateway.transport.agent.NodeAgent;
import org.epicgateway.transport.agent.NodeTopicsReader;
import org.epicgateway.transport.agent.TransportAgent;
import org.epicgateway.transport.bgp.BgpSettings;
import org.epicgateway.transport.bgp.BirdConfig;
import org.epicgateway.transport.bgp.BirdControl;
import org.epicgateway.transport.maps.EpicMapSet;
import org.epicgateway.transport.maps.EpicMaps;
import org.epicgateway.transport.maps.EpicMaps.EndpointKey;
import org.epicgateway.transport.netns.NetNs;
import org.epicgateway.xds.XdsService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 end to end (root): the services of {@code epic up} (decider, gateway view, Envoy and node projections,
 * xDS, command API, provisioner with the local provider's stand-in proxy) on the real broker, a node agent per node
 * with real eBPF and a real BIRD, a router BIRD with ECMP, all in network namespaces. From REST commands alone a
 * connection from the "internet" to the gateway address reaches the workload pod through the GUE tunnel and back.
 * The first EPIC node's agent is a real {@code epic agent run --run-bird} process (BIRD its child), so the test can
 * {@code kill -9} it; the others run in this JVM.
 *
 * <pre>
 *  internet in* ── ri* router (BIRD AS 65000, merge paths) r1* ── u1* e1-* (EPIC node: agent, BIRD AS 65001, replica)
 *                                                          r2* ── u2* e2-* (EPIC node: agent, BIRD AS 65001, replica)
 *                                                          rc* ── uc* cl-* (client node: agent) ── pc* = pv* pod 10.77.0.2:8080
 * </pre>
 */
class GatewayLifecycleRootTest {
  static final String POD = "10.77.0.2", ADMIN_PASSWORD = "admin-password-1";
  static final ObjectMapper JSON = new ObjectMapper();

  final String x = RootSupport.uniqueSuffix();
  final String router = "rt-" + x, internet = "in-" + x, client = "cl-" + x, pod = "pod-" + x;
  final String[] epic = {"e1-" + x, "e2-" + x};
  final List<String> log = new CopyOnWriteArrayList<>();
  final HttpClient http = HttpClient.newHttpClient();
  final NodeAgent[] agents = new NodeAgent[2];
  final Path[] pinDirs = new Path[2];
  Process agentProcess;
  Path object;
  final NodeTopicsReader[] readers = new NodeTopicsReader[2];
  final TransportAgent.Options[] options = new TransportAgent.Options[2];
  final BirdControl[] birds = new BirdControl[2];

  @TempDir Path dir;

  EmbeddedPlatform platform;
  SchemaRegistryClient registry;
  ReportSender reports;
  Path secret;
  int apiPort;

  @Test
  void restCommandsAloneBringInternetTrafficToThePodThroughEitherEpicNode() throws Exception {
    RootSupport.requireRootAndTools("ip", "bird", "birdc", "make", "clang");
    object = RootSupport.bpfObject();
    platform = EmbeddedPlatform.sharedForTests();
    registry = new SchemaRegistryClient(platform.schemaRegistryUrl());
    secret = Files.writeString(dir.resolve("cluster-secret"), "lifecycle-" + x + "-0123456789abcdef0123456789abcdef\n");
    // The local provider runs each replica (the stand-in proxy) in a namespace of its own behind its EPIC node's
    // namespace (named like the node).
    System.setProperty("epic.provisioner.stand-in", "true");
    System.setProperty("epic.provisioner.netns-prefix", "");
    List<PlatformService> started = new ArrayList<>();
    try (Scratch s = new Scratch(); ReportSender producer = new ReportSender(kafka(), registry)) {
      reports = producer;
      topology(s);
      BirdDaemon routerBird = BirdDaemon.start(router, dir, "router", routerBirdConfig());
      s.onClose(routerBird::close);
      NetNs[] epicNs = {NetNs.named(epic[0]), NetNs.named(epic[1])};
      NetNs clientNs = NetNs.named(client), podNs = NetNs.named(pod), inNs = NetNs.named(internet);
      s.onClose(() -> List.of(epicNs[0], epicNs[1], clientNs, podNs, inNs).forEach(NetNs::close));
      ServerSocketChannel podServer = podNs.call(() -> ServerSocketChannel.open().bind(new InetSocketAddress(POD, 8080)));
      s.onClose(() -> closeQuietly(podServer));
      DigestServer.start(podServer, "pod " + POD);

      // The platform's services, as `epic up` wires them.
      PlatformContext context = new PlatformContext(platform.bootstrapServers(), platform.schemaRegistryUrl(),
          Files.createDirectories(dir.resolve("data")), platform.meters());
      ApiConfig api = new ApiConfig("127.0.0.1", 0, "system", "admin", ADMIN_PASSWORD, 4, Duration.ofSeconds(60), Duration.ofHours(1), 100_000);
      List<PlatformService> services = Up.services(api, new XdsService(new XdsService.Settings("127.0.0.1", 0, Optional.empty(), 10, 1000)));
      for (PlatformService service : services) {
        service.start(context);
        started.add(service);
      }
      apiPort = ((org.epicgateway.api.ApiService) services.stream().filter(org.epicgateway.api.ApiService.class::isInstance)
          .findFirst().orElseThrow()).port();

      // A node agent per node: heartbeats make the nodes known; the EPIC nodes announce through their BIRD. The
      // first EPIC node's agent is a process running its own BIRD; the second's BIRD is started by the test.
      for (int n = 0; n < 2; n++) {
        pinDirs[n] = s.pinDir("epic-lc-node-" + x + "-" + n);
        if (n == 1) {
          BirdDaemon bird = BirdDaemon.start(epic[n], dir, "node-bird2", BirdConfig.render(epic[n], bgp(n), List.of()));
          s.onClose(bird::close);
          birds[n] = new BirdControl(BirdControl.DEFAULT_BIRDC, bird.socket(), dir.resolve("node-bird2.conf"));
          options[n] = TransportAgent.Options.defaults(object, epicNs[n], new SimpleMeterRegistry())
              .withPinDir(pinDirs[n]).withControlInterval(Duration.ofSeconds(1));
        }
        startEpicAgent(n);
        int node = n;
        s.onClose(() -> stopEpicAgent(node, true));
      }
      TransportAgent.Options clientOptions = TransportAgent.Options.defaults(object, clientNs, new SimpleMeterRegistry())
          .withPinDir(s.pinDir("epic-lc-" + x + "-c")).withControlInterval(Duration.ofSeconds(1));
      NodeAgent clientAgent = new NodeAgent(settings(client, NodeKind.CLIENT, "uc" + x, null, null), clientOptions, reports::send, Clock.systemUTC());
      NodeTopicsReader clientReader = new NodeTopicsReader(kafka(), registry, client, clientAgent);
      clientReader.start();
      s.onClose(() -> {
        closeQuietly(clientReader);
        TransportAgent t = clientAgent.transport();
        clientAgent.close();
        if (t != null) t.detach();
      });

      // Both EPIC nodes have joined (the agent process's JVM takes seconds to start), so the time to the router
      // below is the gateway's own (a node joining later would get its replica then: ProvisionerServiceTest).
      eventsOf(List.of(epic[0], epic[1]), 90_000, es -> es.stream().filter(NodeJoined.class::isInstance).count() >= 2);

      // REST: pool, template with two replicas, account, gateway, route, EndpointSlice on the client node.
      String admin = basic("admin@system", ADMIN_PASSWORD);
      String acme = "acme-" + x, base = "/api/v1/accounts/" + acme;
      expect(201, post("/api/v1/pools", "{\"pool\":\"pool-" + x + "\",\"ranges\":[\"203.0.113.8/29\"]}", admin));
      expect(201, post("/api/v1/templates", "{\"template\":\"tmpl-" + x + "\",\"pool\":\"pool-" + x
          + "\",\"replicas\":2,\"shareable\":false,\"envoyBaseConfig\":\"{}\"}", admin));
      expect(201, post("/api/v1/accounts", "{\"account\":\"" + acme + "\"}", admin));
      long gatewayCreated = System.nanoTime();
      JsonNode gw = expect(201, post(base + "/gateways", "{\"name\":\"web\",\"template\":\"tmpl-" + x
          + "\",\"listeners\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"HTTP\"}]}", admin));
      String address = expect(200, get(base + "/gateways/web", admin)).at("/spec/address").asText();
      log.add("gateway created (REST 201): " + gw.path("commandId").asText() + ", address " + address);
      expect(201, post(base + "/httproutes", """
          {"name":"web","parentRefs":[{"name":"web"}],"rules":[{"backendRefs":[{"name":"web","port":8080}]}]}""", admin));
      expect(201, post(base + "/endpointslices", slice(List.of(8080)), admin));

      // Placement, tunnels and adverts: the router learns the gateway address with both EPIC nodes as next hops.
      RootSupport.waitFor("router has " + address + " via both EPIC nodes", 120_000,
          () -> routerRoute(address).contains("198.19.1.1") && routerRoute(address).contains("198.19.2.1"));
      long learnedMs = (System.nanoTime() - gatewayCreated) / 1_000_000;
      log.add("router learned " + address + " " + learnedMs + " ms after the gateway's REST 201: " + routerRoute(address).replace('\n', ' '));
      assertThat(routerRoute(address)).contains("nexthop via 198.19.1.1").contains("nexthop via 198.19.2.1");
      assertThat(run("ip", "-n", router, "route", "show")).doesNotContain("10.77.");
      // Each node routes the gateway address to its replica's own namespace (the node holds no such address).
      for (String node : epic) {
        assertThat(run("ip", "-n", node, "addr", "show")).doesNotContain(address + "/");
        assertThat(run("ip", "-n", node, "route", "show", address + "/32")).contains("dev epr");
        assertThat(replicaNamespaces(node)).isNotEmpty();
      }
      log.add("replicas in their own namespaces: " + replicaNamespaces(epic[0]) + " " + replicaNamespaces(epic[1])
          + "; " + epic[0] + " routes " + run("ip", "-n", epic[0], "route", "show", address + "/32").strip());

      // The internet namespace reaches the pod through a replica and the GUE tunnel, and the answer comes back.
      RootSupport.waitFor("a connection through the gateway reaches the pod", 60_000, () -> reaches(inNs, address, 4096) != null);
      String via = reaches(inNs, address, 256 * 1024);
      assertThat(via).isNotNull();
      log.add("256 KiB internet -> " + address + ":80 -> stand-in replica on " + via + " -> GUE -> pod " + POD + ":8080, digest back");

      // What the agents reported became events of the decider: the nodes joined, each EPIC node learned the client.
      List<Object> nodeEvents = eventsOf(List.of(epic[0], epic[1], client), 30_000, es -> es.stream()
          .filter(TunnelRemoteLearned.class::isInstance).count() >= 2 && es.stream().filter(NodeJoined.class::isInstance).count() >= 3);
      assertThat(nodeEvents).filteredOn(TunnelRemoteLearned.class::isInstance).extracting(e -> ((TunnelRemoteLearned) e).getEpicNode()
          + " " + ((TunnelRemoteLearned) e).getRemoteAddress() + ":" + ((TunnelRemoteLearned) e).getRemotePort())
          .containsExactlyInAnyOrder(epic[0] + " 198.19.3.1:6080", epic[1] + " 198.19.3.1:6080");
      log.add("epic.events: NodeJoined x" + nodeEvents.stream().filter(NodeJoined.class::isInstance).count()
          + ", TunnelRemoteLearned " + nodeEvents.stream().filter(TunnelRemoteLearned.class::isInstance).toList());

      // kill -9 the first EPIC node's agent process: BIRD dies with it (parent-death signal), its BGP session
      // closes, the router withdraws that next hop within 3 s and traffic goes through the other node meanwhile.
      long killAt = System.nanoTime();
      long birdPid = agentProcess.descendants().filter(p -> p.info().command().orElse("").endsWith("/bird")).findFirst()
          .orElseThrow(() -> new AssertionError("no bird child of the agent process")).pid();
      run("kill", "-9", Long.toString(agentProcess.pid()));
      RootSupport.waitFor("router withdrew " + epic[0] + " after its agent was killed", 3_000, () -> !routerRoute(address).contains("198.19.1.1"));
      log.add("agent process of " + epic[0] + " killed (kill -9 " + agentProcess.pid() + "): next hop withdrawn after "
          + (System.nanoTime() - killAt) / 1_000_000 + " ms; its BIRD (pid " + birdPid + ") running: " + running(birdPid));
      assertThat(running(birdPid)).as("BIRD died with its agent").isFalse();
      assertThat(routerRoute(address)).contains("via 198.19.2.1");
      assertThat(reaches(inNs, address, 64 * 1024)).isEqualTo(epic[1]);
      log.add("meanwhile 64 KiB internet -> " + address + ":80 -> " + epic[1] + " -> GUE -> pod, digest back");
      // Restarted: the 5 s bound counts from the agent running (its start line), the JVM's start is logged apart.
      long respawnAt = System.nanoTime(), runningAt = restartEpicAgent(0);
      RootSupport.waitFor("restarted agent process reconverged", 5_000, () -> routerRoute(address).contains("198.19.1.1")
          && routerRoute(address).contains("198.19.2.1") && hasPort(0, 8080));
      log.add("agent process of " + epic[0] + " restarted: running after " + (runningAt - respawnAt) / 1_000_000
          + " ms (JVM start), both next hops and its maps back " + (System.nanoTime() - runningAt) / 1_000_000 + " ms after that");

      // Stop the agent of the node the connection went through: its next hop goes within 3 s, traffic uses the other.
      int stopped = via.equals(epic[0]) ? 0 : 1, other = 1 - stopped;
      String stoppedHop = "198.19." + (stopped + 1) + ".1", otherHop = "198.19." + (other + 1) + ".1";
      long stopAt = System.nanoTime();
      stopEpicAgent(stopped, false);
      RootSupport.waitFor("router withdrew " + epic[stopped], 3_000, () -> !routerRoute(address).contains(stoppedHop));
      log.add("agent of " + epic[stopped] + " stopped: next hop withdrawn after " + (System.nanoTime() - stopAt) / 1_000_000 + " ms");
      assertThat(routerRoute(address)).contains("via " + otherHop);
      assertThat(reaches(inNs, address, 64 * 1024)).isEqualTo(epic[other]);
      log.add("meanwhile 64 KiB internet -> " + address + ":80 -> " + epic[other] + " -> GUE -> pod, digest back");

      // Restart it: adverts and maps reconverge within 5 s.
      long restartAt = restartEpicAgent(stopped);
      RootSupport.waitFor("restarted agent reconverged", 5_000, () -> routerRoute(address).contains(stoppedHop)
          && routerRoute(address).contains(otherHop) && hasPort(stopped, 8080));
      log.add("agent of " + epic[stopped] + " restarted: both next hops and its maps back after " + (System.nanoTime() - restartAt) / 1_000_000 + " ms");

      // Stop the replica (the stand-in process the provider started) on the other node: its advert goes, the router
      // withdraws that next hop within 3 s, traffic goes through the restarted agent's node; the provider restarts it.
      String replica = standInPid(epic[other], "gateway/" + acme + "/default/web~");
      long replicaStopAt = System.nanoTime();
      run("kill", replica);
      RootSupport.waitFor("router withdrew " + epic[other] + " after its replica stopped", 3_000, () -> !routerRoute(address).contains(otherHop));
      log.add("replica on " + epic[other] + " stopped (kill " + replica + "): next hop withdrawn after " + (System.nanoTime() - replicaStopAt) / 1_000_000 + " ms");
      assertThat(reaches(inNs, address, 64 * 1024)).isEqualTo(epic[stopped]);
      RootSupport.waitFor("the replica is back and announced", 90_000, () -> routerRoute(address).contains(otherHop) && routerRoute(address).contains(stoppedHop));
      log.add("replica on " + epic[other] + " restarted by the provider: both next hops after " + (System.nanoTime() - replicaStopAt) / 1_000_000 + " ms");

      // An EndpointSlice change reaches the EPIC nodes' BPF maps (last: the stand-in replicas restart on new upstreams).
      long sliceChanged = System.nanoTime();
      expect(200, put(base + "/endpointslices/web-1", slice(List.of(8080, 8081)), admin));
      RootSupport.waitFor("port 8081 in both EPIC nodes' endpoint maps", 60_000, () -> hasPort(0, 8081) && hasPort(1, 8081));
      log.add("EndpointSlice change (REST 200) -> endpoint in both nodes' BPF maps: " + (System.nanoTime() - sliceChanged) / 1_000_000 + " ms");

    } finally {
      log.forEach(l -> System.out.println("GatewayLifecycleRootTest: " + l));
      for (PlatformService service : started.reversed()) closeQuietly(service);
      System.clearProperty("epic.provisioner.stand-in");
      System.clearProperty("epic.provisioner.netns-prefix");
    }
  }

  // ---- agents

  void startEpicAgent(int n) {
    if (n == 0) {
      startAgentProcess();
      return;
    }
    agents[n] = new NodeAgent(settings(epic[n], NodeKind.EPIC, "u" + (n + 1) + x, bgp(n), birds[n]), options[n], reports::send, Clock.systemUTC());
    readers[n] = new NodeTopicsReader(kafka(), registry, epic[n], agents[n]);
    readers[n].start();
  }

  /** Starts node n's agent; returns when it runs (for the process: once it said so; its JVM's start is not timed). */
  long restartEpicAgent(int n) throws InterruptedException {
    long starts = agentStarts();
    startEpicAgent(n);
    if (n == 0) RootSupport.waitFor("restarted agent process running", 60_000, () -> agentStarts() > starts);
    return System.nanoTime();
  }

  /** How many times the agent process said it runs ("... Ctrl-C stops it") in its log. */
  long agentStarts() {
    try {
      Path out = dir.resolve("node-agent1.log");
      return Files.exists(out) ? Files.readString(out).lines().filter(l -> l.endsWith("Ctrl-C stops it")).count() : 0;
    } catch (java.io.IOException e) {
      throw new AssertionError("reading the agent's log: " + e.getMessage(), e);
    }
  }

  /** Whether a process runs: a killed child whose parent died too may stay a zombie until init reaps it. */
  static boolean running(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** {@code epic agent run --node e1-* --run-bird ...} in a JVM of its own, as an operator runs it. */
  void startAgentProcess() {
    String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // The same JVM options as ./epic's launcher: the Avro classes EPIC decodes are trusted by package.
    List<String> cmd = List.of(java, "--enable-native-access=ALL-UNNAMED",
        "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=" + System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES"), "-cp", System.getProperty("java.class.path"),
        org.epicgateway.cli.Epic.class.getName(), "agent", "run", "--node", epic[0], "--kind", "EPIC", "--uplink", "u1" + x,
        "--bootstrap", platform.bootstrapServers(), "--schema-registry", platform.schemaRegistryUrl(),
        "--cluster-secret", secret.toString(), "--heartbeat-interval", "1", "--control-interval", "1",
        "--run-bird", "--bird-socket", dir.resolve("node-bird1.ctl").toString(), "--bird-config", dir.resolve("node-bird1.conf").toString(),
        "--bgp-as", "65001", "--router-id", "198.19.1.1", "--bgp-peer", "198.19.1.254/65000", "--bgp-hold-time", "9",
        "--metrics", "off", "--object", object.toString(), "--pin-dir", pinDirs[0].toString(), "--netns", epic[0]);
    try {
      agentProcess = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("node-agent1.log").toFile())).start();
    } catch (java.io.IOException e) {
      throw new AssertionError("starting " + cmd + ": " + e.getMessage(), e);
    }
  }

  void stopEpicAgent(int n, boolean detach) {
    if (n == 0) {
      if (agentProcess == null) return;
      agentProcess.destroy(); // SIGTERM: the agent withdraws, then ends its BIRD
      try {
        if (!agentProcess.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) agentProcess.destroyForcibly().waitFor();
        if (detach) log.add("agent process log: " + Files.readString(dir.resolve("node-agent1.log")).lines()
            .filter(l -> l.contains("ERROR") || l.contains("BIRD") || l.contains("agent of node")).toList());
      } catch (Exception e) {
        throw new AssertionError("stopping the agent process: " + e.getMessage(), e);
      }
      agentProcess = null;
      return;
    }
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
    return new BgpSettings(EpicMaps.ipv4("198.19." + (n + 1) + ".1"), 65001,
        List.of(BgpSettings.Peer.parse("198.19." + (n + 1) + ".254/65000")), 9);
  }

  java.util.Map<String, Object> kafka() {
    return KafkaConnection.plaintext(platform.bootstrapServers()).client(NodeAgent.KAFKA_SERVICE);
  }

  /** Whether node n's pinned endpoint map has the pod's port: what the agent, in this JVM or not, wrote. */
  boolean hasPort(int n, int port) {
    return pinned(n, m -> m.endpoints().keySet().stream()
        .anyMatch(k -> k.addr().equals(EpicMaps.ipv4(POD)) && k.port() == port && k.proto() == EndpointKey.TCP), false);
  }

  <T> T pinned(int n, java.util.function.Function<EpicMapSet, T> read, T none) {
    if (!Files.exists(pinDirs[n].resolve(EpicMaps.ENDPOINTS))) return none;
    try (EpicMapSet maps = EpicMapSet.pinned(pinDirs[n])) {
      return read.apply(maps);
    }
  }

  /** The payloads of epic.events on node/<node> for the given nodes, read until {@code enough} holds. */
  List<Object> eventsOf(List<String> nodes, long ms, java.util.function.Predicate<List<Object>> enough) {
    List<Object> found = new ArrayList<>();
    try (KafkaConsumer<String, EventEnvelope> c = new KafkaConsumer<>(KafkaConnection.with(kafka(), java.util.Map.of(
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)),
        new StringDeserializer(), new AvroDeserializer<>(EventEnvelope.class, registry))) {
      List<TopicPartition> parts = c.partitionsFor(Topics.EVENTS).stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      long deadline = System.currentTimeMillis() + ms;
      while (System.currentTimeMillis() < deadline && !enough.test(found)) {
        for (ConsumerRecord<String, EventEnvelope> r : c.poll(Duration.ofMillis(200))) {
          if (nodes.stream().anyMatch(n -> ("node/" + n).equals(r.key()))) found.add(r.value().getPayload());
        }
      }
    }
    assertThat(enough.test(found)).as("events of %s within %d ms: %s", nodes, ms, found).isTrue();
    return found;
  }

  /**
   * The stand-in replica of {@code nodeIdPrefix}'s gateway ({@code <gatewayId>~}) behind the node: each replica runs
   * in a namespace of its own ({@code <node>-<hash>}); the provisioner places every gateway of the shared test
   * platform, so other test classes' gateways may have replicas there too.
   */
  static String standInPid(String netns, String nodeIdPrefix) throws Exception {
    for (String pid : replicaNamespaces(netns).stream().flatMap(ns -> run("ip", "netns", "pids", ns).lines()).toList()) {
      Path cmdline = Path.of("/proc", pid, "cmdline");
      if (!pid.isBlank() && Files.exists(cmdline)) {
        String args = Files.readString(cmdline);
        if (args.contains("StandInProxy") && args.contains(nodeIdPrefix)) return pid;
      }
    }
    throw new AssertionError("no stand-in proxy of " + nodeIdPrefix + " in namespace " + netns);
  }

  /** The local provider's replica namespaces behind a node's: {@code <node>-<hash>}. */
  static List<String> replicaNamespaces(String node) {
    return run("ip", "netns", "list").lines().map(l -> l.split(" ")[0]).filter(n -> n.startsWith(node + "-")).toList();
  }

  // ---- traffic

  /** Sends {@code size} bytes to the gateway; the EPIC node whose tunnel carried them, or null when it did not work. */
  String reaches(NetNs inNs, String address, int size) {
    long[] before = {tunnelTx(0), tunnelTx(1)};
    byte[] payload = new byte[size];
    new Random(size).nextBytes(payload);
    try (SocketChannel c = inNs.call(SocketChannel::open)) {
      c.socket().connect(new InetSocketAddress(address, 80), 5_000);
      c.socket().setSoTimeout(20_000);
      ByteBuffer out = ByteBuffer.wrap(payload);
      while (out.hasRemaining()) c.write(out);
      c.shutdownOutput();
      String answer = new String(c.socket().getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!answer.equals(DigestServer.answer("pod " + POD, payload))) {
        log.add("through " + address + ": answer '" + answer.strip() + "'");
        return null;
      }
    } catch (Exception e) {
      log.add("through " + address + ": " + e);
      return null;
    }
    long[] after = {tunnelTx(0), tunnelTx(1)};
    return after[0] > before[0] ? epic[0] : after[1] > before[1] ? epic[1] : null;
  }

  long tunnelTx(int n) {
    return pinned(n, m -> m.tunnelStats().values().stream().mapToLong(EpicMaps.TunnelStats::txPackets).sum(), 0L);
  }

  String routerRoute(String address) {
    return run("ip", "-n", router, "route", "show", address + "/32");
  }

  // ---- REST

  String slice(List<Integer> ports) {
    StringBuilder p = new StringBuilder();
    for (int port : ports) p.append(p.isEmpty() ? "" : ",").append("{\"name\":\"p").append(port).append("\",\"port\":").append(port).append(",\"protocol\":\"TCP\"}");
    return "{\"name\":\"web-1\",\"serviceName\":\"web\",\"ports\":[" + p + "],\"endpoints\":[{\"addresses\":[\"" + POD
        + "\"],\"conditions\":{\"ready\":true},\"nodeName\":\"" + client + "\"}]}";
  }

  HttpResponse<String> post(String path, String body, String auth) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body)), auth);
  }

  HttpResponse<String> put(String path, String body, String auth) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).PUT(HttpRequest.BodyPublishers.ofString(body)), auth);
  }

  HttpResponse<String> get(String path, String auth) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).GET(), auth);
  }

  HttpResponse<String> send(HttpRequest.Builder b, String auth) throws Exception {
    return http.send(b.header("Authorization", auth).header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + apiPort + path);
  }

  static JsonNode expect(int status, HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.request().method() + " " + r.uri() + ": " + r.body()).isEqualTo(status);
    return r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
  }

  static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  // ---- topology

  void topology(Scratch s) {
    for (String ns : List.of(router, internet, client, pod, epic[0], epic[1])) s.netns(ns);
    RootSupport.link(router, "r1" + x, "198.19.1.254/24", epic[0], "u1" + x, "198.19.1.1/24");
    RootSupport.link(router, "r2" + x, "198.19.2.254/24", epic[1], "u2" + x, "198.19.2.1/24");
    RootSupport.link(router, "rc" + x, "198.19.3.254/24", client, "uc" + x, "198.19.3.1/24");
    RootSupport.link(router, "ri" + x, "198.19.9.254/24", internet, "ii" + x, "198.19.9.1/24");
    RootSupport.link(client, "pc" + x, "10.77.0.1/30", pod, "pv" + x, POD + "/30");
    for (int n = 0; n < 2; n++) run("ip", "-n", epic[n], "route", "add", "default", "via", "198.19." + (n + 1) + ".254");
    run("ip", "-n", client, "route", "add", "default", "via", "198.19.3.254");
    run("ip", "-n", pod, "route", "add", "default", "via", "10.77.0.1");
    run("ip", "-n", internet, "route", "add", "default", "via", "198.19.9.254");
    run("ip", "netns", "exec", client, "sysctl", "-qw", "net.ipv4.ip_forward=1");
    run("ip", "netns", "exec", router, "sysctl", "-qw", "net.ipv4.ip_forward=1");
  }

  /** error wait time 1, 2: a node whose BIRD was killed is let back in at once (BIRD's default waits 60 s or more). */
  static String routerBirdConfig() {
    return """
        router id 198.19.0.254;
        protocol device {}
        protocol kernel { ipv4 { import none; export all; }; merge paths on; }
        protocol bgp epic1 { local as 65000; neighbor 198.19.1.1 as 65001; hold time 9; connect retry time 2; error wait time 1, 2; ipv4 { import all; export none; }; }
        protocol bgp epic2 { local as 65000; neighbor 198.19.2.1 as 65001; hold time 9; connect retry time 2; error wait time 1, 2; ipv4 { import all; export none; }; }
        """;
  }

  static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // cleanup: the outcome is decided already
    }
  }
}
