package org.epicgateway.provisioner.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.epicgateway.provisioner.provider.ReplicaProvider;
import org.epicgateway.provisioner.provider.ReplicaSpec;
import org.epicgateway.provisioner.provider.ReplicaStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default: each replica is a process in a network namespace of its own ({@link ReplicaNetwork}),
 * linked to its EPIC node's namespace ({@code /run/netns/<prefix><node>}) by a veth pair whose node side is the
 * replica's interface in the node's BPF records (its tag); the node routes the gateway address to it. The process is Envoy when an {@code envoy} binary is on PATH;
 * without one, replicas are reported as unable to run ("no envoy binary on PATH") unless the stand-in was asked for
 * ({@link StandInProxy}, reported under its own name). It never pretends: a replica is READY only after Envoy's
 * admin {@code /ready} answers 200 or the stand-in printed READY, and a process that exits is reported with its exit
 * code. Without root or without the namespace, replicas are reported as not runnable with that reason; nothing
 * throws at the platform. A replica restarts only when its command line changes (address, ports); new upstreams
 * reach Envoy over xDS and the stand-in through its upstreams file, so endpoint changes never take a replica (and
 * its node's advert) down.
 */
public final class LocalProvider implements ReplicaProvider {
  private static final Logger LOG = LoggerFactory.getLogger(LocalProvider.class);
  /**
   * Where {@link StandInProxy} (JDK classes only) was loaded from: the stand-in's whole class path, not this JVM's
   * (which is not the application's under a launcher such as Maven's exec:java).
   */
  private static final String STAND_IN_CLASS_PATH = standInClassPath();

  /**
   * @param namespacePrefix a node's namespace is {@code <prefix><node>}
   * @param standIn         run {@link StandInProxy} when there is no envoy binary
   * @param workDir         bootstraps, admin sockets and replica logs
   */
  public record Settings(String namespacePrefix, boolean standIn, Path workDir) {
    public static Settings fromSystemProperties(Path workDir) {
      return new Settings(System.getProperty("epic.provisioner.netns-prefix", ""),
          Boolean.getBoolean("epic.provisioner.stand-in"), workDir);
    }
  }

  /** @param upstreams what the stand-in's upstreams file holds (last written); unused for Envoy */
  private record Replica(String instance, String node, List<String> command, Process process, Path adminSocket,
                         AtomicBoolean ready, ReplicaNetwork network, AtomicReference<List<String>> upstreams) {}

  /** The first wait before a replica that exited without getting ready is started again; doubled per exit. */
  static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  /** The longest such wait: a replica that never runs is started (and reported placed, then lost) this often. */
  static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

  /**
   * A replica that exited without getting ready: how often in a row, why (reported as long as it waits, so the
   * provisioner sees the same reason and reports nothing new), the command line it ran (a new one starts at once),
   * and when it may start again.
   */
  private record Backoff(int exits, String reason, List<String> command, long notBefore) {}

  private final Settings settings;
  private final Optional<Path> envoy;
  private final Map<String, Map<String, Replica>> running = new HashMap<>();
  /** Replicas waiting before their next start, by gateway and instance. */
  private final Map<String, Map<String, Backoff>> backoffs = new HashMap<>();
  /** A replica printed READY or its process ended since {@link #changed()} was last asked. */
  private final AtomicBoolean changed = new AtomicBoolean();
  /** Replica namespaces made, by gateway and instance: they outlive process restarts, so a replica keeps its tag. */
  private final Map<String, Map<String, ReplicaNetwork>> networks = new HashMap<>();

  public LocalProvider(Settings settings) {
    this(settings, findOnPath("envoy"));
  }

  /** @param envoy the envoy binary to run, or empty for a machine without one */
  public LocalProvider(Settings settings, Optional<Path> envoy) {
    this.settings = settings;
    this.envoy = envoy;
  }

  @Override
  public String name() {
    return envoy.isPresent() || !settings.standIn() ? "local" : "local-stand-in";
  }

  @Override
  public List<ReplicaStatus> apply(ReplicaSpec spec) {
    Map<String, Replica> mine = running.computeIfAbsent(spec.gatewayId(), g -> new HashMap<>());
    // A replica no longer wanted, moved, or whose command changed (address, ports) is stopped; a dead one that is
    // still wanted stays until status() has reported its exit. New upstreams reach a running stand-in by its file.
    mine.entrySet().removeIf(e -> {
      String node = spec.replicas().get(e.getKey());
      boolean keep = e.getValue().node().equals(node)
          && e.getValue().command().equals(command(spec, e.getKey(), node));
      if (!keep) {
        stop(e.getValue());
      }
      return !keep;
    });
    // A namespace whose instance is no longer wanted on its node goes (a new command line keeps it).
    Map<String, ReplicaNetwork> nets = networks.get(spec.gatewayId());
    if (nets != null) {
      nets.entrySet().removeIf(e -> {
        String node = spec.replicas().get(e.getKey());
        boolean keep = node != null && e.getValue().equals(network(spec, e.getKey(), node));
        if (!keep) {
          delete(e.getValue());
        }
        return !keep;
      });
    }
    Map<String, Backoff> waiting = backoffs.computeIfAbsent(spec.gatewayId(), g -> new HashMap<>());
    waiting.keySet().retainAll(spec.replicas().keySet());
    List<ReplicaStatus> statuses = new ArrayList<>();
    new java.util.TreeMap<>(spec.replicas()).forEach((instance, node) -> statuses.add(status(spec, instance, node, mine,
        waiting)));
    return statuses;
  }

  private ReplicaStatus status(ReplicaSpec spec, String instance, String node, Map<String, Replica> mine,
                               Map<String, Backoff> waiting) {
    Replica r = mine.get(instance);
    Backoff backoff = waiting.get(instance);
    if (r == null && backoff != null && backoff.command().equals(command(spec, instance, node))
        && System.nanoTime() < backoff.notBefore()) {
      return ReplicaStatus.failed(instance, node, backoff.reason());
    }
    if (r == null) {
      Optional<String> cannot = cannotRun(node);
      if (cannot.isPresent()) {
        return ReplicaStatus.failed(instance, node, cannot.get());
      }
      try {
        r = start(spec, instance, node);
      } catch (IOException e) {
        return ReplicaStatus.failed(instance, node, "could not start the replica: " + e.getMessage());
      }
      mine.put(instance, r);
    } else if (envoy.isEmpty() && !r.upstreams().get().equals(spec.upstreams())) {
      try {
        writeUpstreams(spec, instance);
        r.upstreams().set(spec.upstreams());
      } catch (IOException e) {
        LOG.warn("replica {} of {}: writing its upstreams (tried again on the next pass): {}", instance,
            spec.gatewayId(), e.toString());
      }
    }
    if (!r.process().isAlive()) {
      mine.remove(instance);
      // Exits in a row of one command line that never got ready count; one that ran starts the count again.
      int exits = backoff == null || r.ready().get() || !backoff.command().equals(r.command()) ? 1
          : backoff.exits() + 1;
      Duration wait = exits > 20 ? MAX_BACKOFF : FIRST_BACKOFF.multipliedBy(1L << (exits - 1));
      wait = wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait;
      String reason = (envoy.isPresent() ? "envoy" : "the stand-in proxy") + " exited with code "
          + r.process().exitValue() + " (log " + log(spec, instance) + ")" + (r.ready().get() ? ""
          : " without getting ready" + (exits == 1 ? "" : ", " + exits + " times in a row")) + "; started again in "
          + wait.toSeconds() + " s";
      waiting.put(instance, new Backoff(exits, reason, r.command(), System.nanoTime() + wait.toNanos()));
      return ReplicaStatus.failed(instance, node, reason);
    }
    boolean ready = envoy.isPresent() ? envoyReady(r.adminSocket()) : r.ready().get();
    if (ready) {
      r.ready().set(true); // Envoy's, for the exit above: it ran
      waiting.remove(instance);
    }
    return new ReplicaStatus(instance, node, ready ? ReplicaStatus.Phase.READY : ReplicaStatus.Phase.PLACED,
        r.network().hostInterface(), null);
  }

  /** Why a replica cannot run on this machine, if it cannot. */
  private Optional<String> cannotRun(String node) {
    if (envoy.isEmpty() && !settings.standIn()) {
      return Optional.of("no envoy binary on PATH: the local provider runs Envoy only"
          + " (set epic.provisioner.stand-in=true for the stand-in TCP proxy)");
    }
    if (findOnPath("ip").isEmpty()) {
      return Optional.of("the ip command (iproute2) is not installed: replicas run in network namespaces");
    }
    Path ns = Path.of("/run/netns", settings.namespacePrefix() + node);
    if (!Files.exists(ns)) {
      return Optional.of("network namespace " + ns.getFileName() + " of node " + node + " does not exist ("
          + ns + "); the local provider runs replicas inside their node's namespace");
    }
    if (!isRoot()) {
      return Optional.of("entering network namespace " + ns.getFileName() + " needs root; this process is not");
    }
    return Optional.empty();
  }

  private Replica start(ReplicaSpec spec, String instance, String node) throws IOException {
    ReplicaNetwork network = network(spec, instance, node);
    if (!Files.exists(Path.of("/run/netns", network.namespace()))) {
      try {
        for (ReplicaNetwork.Step step : network.create()) {
          run(step.command(), step.input());
        }
      } catch (IOException e) {
        delete(network); // nothing half-made stays
        throw e;
      }
    }
    networks.computeIfAbsent(spec.gatewayId(), g -> new HashMap<>()).put(instance, network);
    String ns = network.namespace();
    Path dir = Files.createDirectories(replicaDir(spec, instance));
    Path admin = dir.resolve("admin.sock");
    Files.deleteIfExists(admin);
    if (envoy.isPresent()) {
      EnvoyLaunch launch = EnvoyLaunch.of(envoy.get(), spec, instance, dir);
      Files.writeString(launch.bootstrapFile(), launch.bootstrap());
    } else {
      writeUpstreams(spec, instance);
    }
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    command.addAll(command(spec, instance, node));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    AtomicBoolean ready = new AtomicBoolean(); // set by the output copier's thread
    Path logFile = log(spec, instance);
    Thread.ofVirtual().start(() -> copyOutput(process, logFile, ready, changed));
    LOG.info("started replica {} of {} on node {} (namespace {}, node side {}): {}", instance, spec.gatewayId(), node,
        ns, network.hostInterface(), String.join(" ", command));
    return new Replica(instance, node, command(spec, instance, node), process, admin, ready, network,
        new AtomicReference<>(spec.upstreams()));
  }

  /** Replaced whole (rename), so the stand-in never reads half a list. */
  private void writeUpstreams(ReplicaSpec spec, String instance) throws IOException {
    Path file = upstreamsFile(spec, instance);
    Path temporary = file.resolveSibling(file.getFileName() + ".new");
    Files.writeString(temporary, spec.upstreams().stream().map(u -> u + "\n").collect(Collectors.joining()));
    Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private Path upstreamsFile(ReplicaSpec spec, String instance) {
    return replicaDir(spec, instance).resolve("upstreams");
  }

  /** The replica's own command line (inside the namespace); a change of it restarts the replica. */
  private List<String> command(ReplicaSpec spec, String instance, String node) {
    if (node == null) {
      return List.of();
    }
    if (envoy.isPresent()) {
      return EnvoyLaunch.of(envoy.get(), spec, instance, replicaDir(spec, instance)).command();
    }
    // A JVM that starts fast (it forwards bytes; C2 and a parallel collector only cost start-up CPU): its start is
    // most of a gateway's time from created to announced (bench/lifecycle).
    return List.of(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xshare:auto",
        "-cp", STAND_IN_CLASS_PATH, StandInProxy.class.getName(),
        spec.nodeId(instance), spec.address(),
        String.join(",", spec.ports().stream().map(String::valueOf).toList()),
        upstreamsFile(spec, instance).toAbsolutePath().toString());
  }

  @Override
  public boolean changed() {
    return changed.getAndSet(false);
  }

  private static void copyOutput(Process process, Path logFile, AtomicBoolean ready, AtomicBoolean changed) {
    try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8)); OutputStream log = Files.newOutputStream(logFile)) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("READY ")) {
          ready.set(true);
          changed.set(true);
        }
        log.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        log.flush();
      }
    } catch (IOException e) {
      // the process ended
    }
    changed.set(true); // its output ends with it
  }

  /** Envoy's admin /ready over its Unix socket: 200 once it has its initial configuration. */
  private static boolean envoyReady(Path socket) {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket));
      channel.write(ByteBuffer.wrap("GET /ready HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
      ByteBuffer answer = ByteBuffer.allocate(64);
      channel.read(answer);
      String status = new String(answer.array(), 0, answer.position(), StandardCharsets.US_ASCII);
      return status.startsWith("HTTP/1.1 200") || status.startsWith("HTTP/1.0 200");
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void remove(String gatewayId) {
    backoffs.remove(gatewayId);
    Map<String, Replica> mine = running.remove(gatewayId);
    if (mine != null) {
      mine.values().forEach(LocalProvider::stop);
    }
    Map<String, ReplicaNetwork> nets = networks.remove(gatewayId);
    if (nets != null) {
      nets.values().forEach(LocalProvider::delete);
    }
  }

  @Override
  public void close() {
    List.copyOf(running.keySet()).forEach(this::remove);
    List.copyOf(networks.keySet()).forEach(this::remove);
  }

  private ReplicaNetwork network(ReplicaSpec spec, String instance, String node) {
    return ReplicaNetwork.of(settings.namespacePrefix() + node, spec.gatewayId(), instance, spec.address());
  }

  private static void delete(ReplicaNetwork network) {
    try {
      run(network.delete(), null);
    } catch (IOException e) {
      LOG.warn("removing replica namespace {}: {}", network.namespace(), e.getMessage());
    }
  }

  private static void stop(Replica r) {
    // ip netns exec replaces itself with the replica (exec), so the process handle is the replica itself.
    r.process().descendants().forEach(ProcessHandle::destroy);
    r.process().destroy();
    try {
      if (!r.process().waitFor(5, TimeUnit.SECONDS)) {
        r.process().destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Path log(ReplicaSpec spec, String instance) {
    return replicaDir(spec, instance).resolve("replica.log");
  }

  private Path replicaDir(ReplicaSpec spec, String instance) {
    return settings.workDir().resolve(fileName(spec.gatewayId())).resolve(instance);
  }

  private static String fileName(String gatewayId) {
    return gatewayId.replace('/', '_');
  }

  private static void run(List<String> command, String input) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try (OutputStream in = p.getOutputStream()) {
      if (input != null) {
        in.write(input.getBytes(StandardCharsets.UTF_8));
      }
    }
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (p.waitFor() != 0) {
        throw new IOException(String.join(" ", command) + (input == null ? "" : " <<< '"
            + input.strip().replace("\n", "; ") + "'") + " failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + String.join(" ", command), e);
    }
  }

  static boolean isRoot() {
    try {
      return "0".equals(Files.readAllLines(Path.of("/proc/self/status")).stream()
          .filter(l -> l.startsWith("Uid:")).findFirst().map(l -> l.split("\\s+")[2]).orElse(""));
    } catch (IOException e) {
      return false;
    }
  }

  static Optional<Path> findOnPath(String binary) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    return Stream.of(path.split(":")).filter(d -> !d.isEmpty()).map(d -> Path.of(d, binary))
        .filter(Files::isExecutable).findFirst();
  }

  private static String standInClassPath() {
    try {
      return Path.of(StandInProxy.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException("the stand-in's class path: " + e.getMessage(), e);
    }
  }
}
