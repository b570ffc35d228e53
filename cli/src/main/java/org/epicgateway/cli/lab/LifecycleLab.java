package org.epicgateway.cli.lab;

import static org.epicgateway.transport.lab.RootSupport.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.epicgateway.api.ApiConfig;
import org.epicgateway.api.ApiService;
import org.epicgateway.cli.Epic;
import org.epicgateway.cli.up.Up;
import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.platform.KafkaConnection;
import org.epicgateway.platform.PlatformContext;
import org.epicgateway.platform.PlatformService;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.NodeJoined;
import org.epicgateway.schemas.avro.NodeKind;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.reports.ReportSender;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.epicgateway.transport.agent.NodeAgent;
import org.epicgateway.transport.agent.NodeTopicsReader;
import org.epicgateway.transport.agent.TransportAgent;
import org.epicgateway.transport.bgp.BgpSettings;
import org.epicgateway.transport.bgp.BirdConfig;
import org.epicgateway.transport.bgp.BirdControl;
import org.epicgateway.transport.lab.BirdDaemon;
import org.epicgateway.transport.lab.DigestServer;
import org.epicgateway.transport.lab.RootSupport;
import org.epicgateway.transport.lab.RootSupport.Scratch;
import org.epicgateway.transport.maps.EpicMapSet;
import org.epicgateway.transport.maps.EpicMaps;
import org.epicgateway.transport.maps.EpicMaps.EndpointKey;
import org.epicgateway.transport.netns.NetNs;
import org.epicgateway.xds.XdsService;

/**
 * The end-to-end lab of issue 10 (root): the services of {@code epic up} (decider, gateway view, Envoy and node
 * projections, xDS, command API, provisioner with the local provider's stand-in proxy) on a given platform, a node
 * agent per node with real eBPF and a real BIRD, a router BIRD with ECMP, all in network namespaces; started once
 * both EPIC nodes and the client node have joined. One piece for {@code GatewayLifecycleRootTest} and
 * {@code bench/lifecycle} (main code, not a test jar: benches build with tests skipped). Failures are
 * {@link AssertionError}s naming what did not happen.
 *
 * <pre>
 *  internet in* ── ri* router (BIRD AS 65000, merge paths) r1* ── u1* e1-* (EPIC node: agent, BIRD AS 65001, replica)
 *                                                          r2* ── u2* e2-* (EPIC node: agent, BIRD AS 65001, replica)
 *                                                          rc* ── uc* cl-* (client node: agent) ── pc* = pv* pod 10.77.0.2
 * </pre>
 *
 * With {@code agentProcess}, the first EPIC node's agent is a real {@code epic agent run --run-bird} process (BIRD
 * its child, so it can be {@code kill -9}ed; it needs this JVM's class path to be the application's); otherwise
 * both EPIC nodes' agents run in this JVM with a BIRD the lab starts.
 */
public final class LifecycleLab implements AutoCloseable {
  public static final String POD = "10.77.0.2", ADMIN_PASSWORD = "admin-password-1";
  static final ObjectMapper JSON = new ObjectMapper();

  public final String x = RootSupport.uniqueSuffix();
  public final String router = "rt-" + x, internet = "in-" + x, client = "cl-" + x, pod = "pod-" + x;
  public final String[] epic = {"e1-" + x, "e2-" + x};
  /** What happened, in words, for the test's or bench's output. */
  public final List<String> log = new CopyOnWriteArrayList<>();
  public final String admin = basic("admin@system", ADMIN_PASSWORD);

  private final EmbeddedPlatform platform;
  private final Path dir;
  private final boolean agentProcess;
  private final HttpClient http = HttpClient.newHttpClient();
  private final NodeAgent[] agents = new NodeAgent[2];
  private final NodeTopicsReader[] readers = new NodeTopicsReader[2];
  private final TransportAgent.Options[] options = new TransportAgent.Options[2];
  private final BirdControl[] birds = new BirdControl[2];
  private final Path[] pinDirs = new Path[2];
  private final List<PlatformService> started = new ArrayList<>();
  private final Scratch scratch = new Scratch();
  private final Object routeChanged = new Object();
  private volatile long routeChanges, lastRouteChange;
  private Process process;
  private Path object, secret;
  private SchemaRegistryClient registry;
  private ReportSender reports;
  private NetNs inNs;
  private int apiPort;

  private LifecycleLab(EmbeddedPlatform platform, Path dir, boolean agentProcess) {
    this.platform = platform;
    this.dir = dir;
    this.agentProcess = agentProcess;
  }

  /** Builds the lab under {@code dir}; returns once every node has joined. Cleans up after itself when it fails. */
  public static LifecycleLab start(EmbeddedPlatform platform, Path dir, boolean agentProcess) throws Exception {
    LifecycleLab lab = new LifecycleLab(platform, dir, agentProcess);
    try {
      lab.build();
      return lab;
    } catch (Exception | Error e) {
      lab.close();
      throw e;
    }
  }

  private void build() throws Exception {
    RootSupport.requireRootAndTools("ip", "bird", "birdc", "make", "clang");
    object = RootSupport.bpfObject();
    registry = new SchemaRegistryClient(platform.schemaRegistryUrl());
    secret = Files.writeString(dir.resolve("cluster-secret"), "lifecycle-" + x + "-0123456789abcdef0123456789abcdef\n");
    // The local provider runs each replica (the stand-in proxy) in a namespace of its own behind its EPIC node's
    // namespace (named like the node).
    System.setProperty("epic.provisioner.stand-in", "true");
    System.setProperty("epic.provisioner.netns-prefix", "");
    scratch.onClose(() -> {
      System.clearProperty("epic.provisioner.stand-in");
      System.clearProperty("epic.provisioner.netns-prefix");
    });
    reports = new ReportSender(kafka(), registry);
    scratch.onClose(reports::close);
    topology();
    watchRouterRoutes();
    BirdDaemon routerBird = BirdDaemon.start(router, dir, "router", routerBirdConfig());
    scratch.onClose(routerBird::close);
    NetNs[] epicNs = {NetNs.named(epic[0]), NetNs.named(epic[1])};
    NetNs clientNs = NetNs.named(client), podNs = NetNs.named(pod);
    inNs = NetNs.named(internet);
    scratch.onClose(() -> List.of(epicNs[0], epicNs[1], clientNs, podNs, inNs).forEach(NetNs::close));
    ServerSocketChannel podServer = podNs.call(() -> ServerSocketChannel.open().bind(new InetSocketAddress(POD, 8080)));
    scratch.onClose(() -> closeQuietly(podServer));
    DigestServer.start(podServer, "pod " + POD);

    // The platform's services, as `epic up` wires them.
    PlatformContext context = new PlatformContext(platform.bootstrapServers(), platform.schemaRegistryUrl(),
        Files.createDirectories(dir.resolve("data")), platform.meters());
    ApiConfig api = new ApiConfig("127.0.0.1", 0, "system", "admin", ADMIN_PASSWORD, 4, Duration.ofSeconds(60),
        Duration.ofHours(1), 100_000);
    List<PlatformService> services = Up.services(api, new XdsService(new XdsService.Settings("127.0.0.1", 0,
        Optional.empty(), 10, 1000)));
    scratch.onClose(() -> started.reversed().forEach(LifecycleLab::closeQuietly));
    for (PlatformService service : services) {
      service.start(context);
      started.add(service);
    }
    apiPort = services.stream().filter(ApiService.class::isInstance).map(ApiService.class::cast).findFirst()
        .orElseThrow().port();

    // A node agent per node: heartbeats make the nodes known; the EPIC nodes announce through their BIRD.
    for (int n = 0; n < 2; n++) {
      pinDirs[n] = scratch.pinDir("epic-lc-node-" + x + "-" + n);
      if (n == 1 || !agentProcess) {
        BirdDaemon bird = BirdDaemon.start(epic[n], dir, "node-bird" + (n + 1), BirdConfig.render(epic[n], bgp(n), List.of()));
        scratch.onClose(bird::close);
        birds[n] = new BirdControl(BirdControl.DEFAULT_BIRDC, bird.socket(), dir.resolve("node-bird" + (n + 1) + ".conf"));
        options[n] = TransportAgent.Options.defaults(object, epicNs[n], new SimpleMeterRegistry())
            .withPinDir(pinDirs[n]).withControlInterval(Duration.ofSeconds(1));
      }
      startEpicAgent(n);
      int node = n;
      scratch.onClose(() -> stopEpicAgent(node, true));
    }
    TransportAgent.Options clientOptions = TransportAgent.Options.defaults(object, clientNs, new SimpleMeterRegistry())
        .withPinDir(scratch.pinDir("epic-lc-" + x + "-c")).withControlInterval(Duration.ofSeconds(1));
    NodeAgent clientAgent = new NodeAgent(settings(client, NodeKind.CLIENT, "uc" + x, null, null), clientOptions,
        reports::send, Clock.systemUTC());
    NodeTopicsReader clientReader = new NodeTopicsReader(kafka(), registry, client, clientAgent);
    clientReader.start();
    scratch.onClose(() -> {
      closeQuietly(clientReader);
      TransportAgent t = clientAgent.transport();
      clientAgent.close();
      if (t != null) t.detach();
    });
    // Every node has joined (an agent process's JVM takes seconds to start).
    eventsOf(List.of(epic[0], epic[1], client), 90_000,
        es -> es.stream().filter(NodeJoined.class::isInstance).count() >= 3);
  }

  // ---- agents

  public void startEpicAgent(int n) {
    if (n == 0 && agentProcess) {
      startAgentProcess();
      return;
    }
    agents[n] = new NodeAgent(settings(epic[n], NodeKind.EPIC, "u" + (n + 1) + x, bgp(n), birds[n]), options[n],
        reports::send, Clock.systemUTC());
    readers[n] = new NodeTopicsReader(kafka(), registry, epic[n], agents[n]);
    readers[n].start();
  }

  /** Starts node n's agent; returns when it runs (for the process: once it said so; its JVM's start is not timed). */
  public long restartEpicAgent(int n) throws InterruptedException {
    long starts = agentStarts();
    startEpicAgent(n);
    if (n == 0 && agentProcess) {
      RootSupport.waitFor("restarted agent process running", 60_000, () -> agentStarts() > starts);
    }
    return System.nanoTime();
  }

  /** The first EPIC node's agent process (with {@code agentProcess}). */
  public Process agentProcess() {
    return process;
  }

  /** How many times the agent process said it runs ("... Ctrl-C stops it") in its log. */
  private long agentStarts() {
    try {
      Path out = dir.resolve("node-agent1.log");
      return Files.exists(out) ? Files.readString(out).lines().filter(l -> l.endsWith("Ctrl-C stops it")).count() : 0;
    } catch (IOException e) {
      throw new AssertionError("reading the agent's log: " + e.getMessage(), e);
    }
  }

  /** {@code epic agent run --node e1-* --run-bird ...} in a JVM of its own, as an operator runs it. */
  private void startAgentProcess() {
    String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // The same JVM options as ./epic's launcher: the Avro classes EPIC decodes are trusted by package.
    List<String> cmd = List.of(java, "--enable-native-access=ALL-UNNAMED",
        "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=" + System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES"),
        "-cp", System.getProperty("java.class.path"),
        Epic.class.getName(), "agent", "run", "--node", epic[0], "--kind", "EPIC", "--uplink", "u1" + x,
        "--bootstrap", platform.bootstrapServers(), "--schema-registry", platform.schemaRegistryUrl(),
        "--cluster-secret", secret.toString(), "--heartbeat-interval", "1", "--control-interval", "1",
        "--run-bird", "--bird-socket", dir.resolve("node-bird1.ctl").toString(), "--bird-config", dir.resolve("node-bird1.conf").toString(),
        "--bgp-as", "65001", "--router-id", "198.19.1.1", "--bgp-peer", "198.19.1.254/65000", "--bgp-hold-time", "9",
        "--metrics", "off", "--object", object.toString(), "--pin-dir", pinDirs[0].toString(), "--netns", epic[0]);
    try {
      process = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("node-agent1.log").toFile())).start();
    } catch (IOException e) {
      throw new AssertionError("starting " + cmd + ": " + e.getMessage(), e);
    }
  }

  /** Stops node n's agent (SIGTERM for the process: it withdraws, then ends its BIRD); detached: maps too. */
  public void stopEpicAgent(int n, boolean detach) {
    if (n == 0 && agentProcess) {
      if (process == null) return;
      process.destroy();
      try {
        if (!process.waitFor(15, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        if (detach) log.add("agent process log: " + Files.readString(dir.resolve("node-agent1.log")).lines()
            .filter(l -> l.contains("ERROR") || l.contains("BIRD") || l.contains("agent of node")).toList());
      } catch (Exception e) {
        throw new AssertionError("stopping the agent process: " + e.getMessage(), e);
      }
      process = null;
      return;
    }
    if (agents[n] == null) return;
    closeQuietly(readers[n]);
    TransportAgent t = agents[n].transport();
    agents[n].close();
    agents[n] = null;
    if (detach && t != null) t.detach();
  }

  private NodeAgent.Settings settings(String node, NodeKind kind, String uplink, BgpSettings bgp, BirdControl bird) {
    return new NodeAgent.Settings(node, kind, uplink, null, secret, Duration.ofSeconds(1), Duration.ofSeconds(1), bgp, bird);
  }

  private BgpSettings bgp(int n) {
    return new BgpSettings(EpicMaps.ipv4(hop(n)), 65001, List.of(BgpSettings.Peer.parse("198.19." + (n + 1) + ".254/65000")), 9);
  }

  /** EPIC node n's uplink address: its next hop at the router. */
  public static String hop(int n) {
    return "198.19." + (n + 1) + ".1";
  }

  private Map<String, Object> kafka() {
    return KafkaConnection.plaintext(platform.bootstrapServers()).client(NodeAgent.KAFKA_SERVICE);
  }

  // ---- what the nodes and the router hold

  /** Whether EPIC node n's pinned endpoint map has the pod's port: what its agent, in this JVM or not, wrote. */
  public boolean hasPort(int n, int port) {
    return pinned(n, m -> m.endpoints().keySet().stream()
        .anyMatch(k -> k.addr().equals(EpicMaps.ipv4(POD)) && k.port() == port && k.proto() == EndpointKey.TCP), false);
  }

  private <T> T pinned(int n, Function<EpicMapSet, T> read, T none) {
    if (!Files.exists(pinDirs[n].resolve(EpicMaps.ENDPOINTS))) return none;
    try (EpicMapSet maps = EpicMapSet.pinned(pinDirs[n])) {
      return read.apply(maps);
    }
  }

  public String routerRoute(String address) {
    return run("ip", "-n", router, "route", "show", address + "/32");
  }

  /**
   * Waits until the router's kernel route to {@code address} satisfies {@code route}; returns the
   * {@link System#nanoTime()} at which the lab read the router's last route change by then (an {@code ip monitor
   * route} watch: no polling interval in the figure, only the monitor's own delay).
   */
  public long awaitRouter(String what, String address, Predicate<String> route, long ms) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    while (true) {
      long seen = routeChanges;
      if (route.test(routerRoute(address))) {
        // The monitor's line for the change just seen may still be on its way (a process and a pipe behind the
        // kernel): wait for it rather than take the change before it; none within 500 ms: it was there already.
        synchronized (routeChanged) {
          long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
          while (routeChanges == seen && System.nanoTime() < until) {
            routeChanged.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime())));
          }
        }
        return lastRouteChange;
      }
      synchronized (routeChanged) {
        if (routeChanges == seen) routeChanged.wait(200); // a missed notification costs one fallback poll
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + ms + " ms waiting for: " + what + " (router has '"
            + routerRoute(address).strip() + "')");
      }
    }
  }

  private void watchRouterRoutes() throws IOException {
    Process monitor = new ProcessBuilder("ip", "-n", router, "monitor", "route").redirectErrorStream(true).start();
    scratch.onClose(monitor::destroy);
    Thread.ofPlatform().daemon().name("router-route-monitor").start(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(monitor.getInputStream(), StandardCharsets.UTF_8))) {
        while (in.readLine() != null) {
          synchronized (routeChanged) {
            lastRouteChange = System.nanoTime();
            routeChanges++;
            routeChanged.notifyAll();
          }
        }
      } catch (IOException e) {
        // the monitor ended with the lab
      }
    });
  }

  /** Polls EPIC node n's endpoint map every 2 ms until it has the pod's {@code port}; returns when it did. */
  public long awaitPort(int n, int port, long ms) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    while (!hasPort(n, port)) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + ms + " ms waiting for port " + port + " in " + epic[n] + "'s endpoint map");
      Thread.sleep(2);
    }
    return System.nanoTime();
  }

  /** The payloads of epic.events on node/<node> for the given nodes, read until {@code enough} holds. */
  public List<Object> eventsOf(List<String> nodes, long ms, Predicate<List<Object>> enough) {
    List<Object> found = new ArrayList<>();
    try (KafkaConsumer<String, EventEnvelope> c = new KafkaConsumer<>(KafkaConnection.with(kafka(), Map.of(
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
    if (!enough.test(found)) throw new AssertionError("events of " + nodes + " within " + ms + " ms: " + found);
    return found;
  }

  /**
   * The stand-in replica of {@code nodeIdPrefix}'s gateway ({@code <gatewayId>~}) behind the node: each replica runs
   * in a namespace of its own ({@code <node>-<hash>}); the provisioner places every gateway of the platform, so
   * other gateways may have replicas there too.
   */
  public static String standInPid(String netns, String nodeIdPrefix) throws IOException {
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
  public static List<String> replicaNamespaces(String node) {
    return run("ip", "netns", "list").lines().map(l -> l.split(" ")[0]).filter(n -> n.startsWith(node + "-")).toList();
  }

  /** Whether a process runs: a killed child whose parent died too may stay a zombie until init reaps it. */
  public static boolean running(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (IOException e) {
      return false;
    }
  }

  // ---- traffic

  /** Sends {@code size} bytes to the gateway from the internet; the EPIC node whose tunnel carried them, or null. */
  public String reaches(String address, int size) {
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

  private long tunnelTx(int n) {
    return pinned(n, m -> m.tunnelStats().values().stream().mapToLong(EpicMaps.TunnelStats::txPackets).sum(), 0L);
  }

  // ---- REST

  /** An EndpointSlice of {@code service} with the pod on the client node, on the given ports. */
  public String slice(String name, String service, List<Integer> ports) {
    StringBuilder p = new StringBuilder();
    for (int port : ports) p.append(p.isEmpty() ? "" : ",").append("{\"name\":\"p").append(port).append("\",\"port\":").append(port).append(",\"protocol\":\"TCP\"}");
    return "{\"name\":\"" + name + "\",\"serviceName\":\"" + service + "\",\"ports\":[" + p + "],\"endpoints\":[{\"addresses\":[\"" + POD
        + "\"],\"conditions\":{\"ready\":true},\"nodeName\":\"" + client + "\"}]}";
  }

  public HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  public HttpResponse<String> put(String path, String body) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(uri(path)).PUT(HttpRequest.BodyPublishers.ofString(body)));
  }

  public HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  public HttpResponse<String> delete(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(uri(path)).DELETE());
  }

  private HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
    return http.send(b.header("Authorization", admin).header("Content-Type", "application/json").build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + apiPort + path);
  }

  /** The answer's JSON when its status is {@code status}; else an error naming the request and the answer. */
  public static JsonNode expect(int status, HttpResponse<String> r) throws IOException {
    if (r.statusCode() != status) {
      throw new AssertionError(r.request().method() + " " + r.uri() + ": expected " + status + ", got " + r.statusCode() + ": " + r.body());
    }
    return r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
  }

  static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  // ---- topology

  private void topology() {
    for (String ns : List.of(router, internet, client, pod, epic[0], epic[1])) scratch.netns(ns);
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

  /** Stops the services, the agents, the daemons, and removes the namespaces and pins, in reverse order. */
  @Override
  public void close() {
    scratch.close();
  }

  static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // cleanup: the outcome is decided already
    }
  }
}
