package org.epicgateway.cli.agent;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.epicgateway.platform.KafkaConnection;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.NodeKind;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.reports.ReportSender;
import org.epicgateway.transport.agent.NodeAgent;
import org.epicgateway.transport.agent.NodeConfig;
import org.epicgateway.transport.agent.NodeSpec;
import org.epicgateway.transport.agent.NodeTopicsReader;
import org.epicgateway.transport.agent.TransportAgent;
import org.epicgateway.transport.bgp.BgpSettings;
import org.epicgateway.transport.bgp.BirdConfig;
import org.epicgateway.transport.bgp.BirdControl;
import org.epicgateway.transport.bgp.BirdProcess;
import org.epicgateway.transport.cli.AgentTables;
import org.epicgateway.transport.maps.EpicMapSet;
import org.epicgateway.transport.maps.EpicMaps;
import org.epicgateway.transport.metrics.MetricsServer;
import org.epicgateway.transport.netns.NetNs;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ./epic agent ...}: run the transport agent on this node, or show what its pinned maps hold. */
@Command(name = "agent", mixinStandardHelpOptions = true,
    description = "The per-node GUE transport agent (eBPF maps, tc programs, control packets).",
    subcommands = {AgentCommand.Show.class, AgentCommand.Run.class, AgentCommand.Remove.class})
public final class AgentCommand {

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Print the node's pinned BPF maps: tunnels, endpoints, interfaces or counters.")
  static final class Show implements Callable<Integer> {
    enum What { tunnels, endpoints, interfaces, counters }

    @Parameters(index = "0", description = "one of: ${COMPLETION-CANDIDATES}")
    What what;

    @Option(names = "--pin-dir", description = "where the agent pinned its maps (default: ${DEFAULT-VALUE})")
    Path pinDir = EpicMaps.PIN_ROOT;

    @Override
    public Integer call() {
      try (EpicMapSet maps = EpicMapSet.pinned(pinDir)) {
        print(maps);
        return 0;
      } catch (RuntimeException e) {
        System.err.println("epic agent show: " + e.getMessage());
        return 1;
      }
    }

    private void print(EpicMapSet maps) {
      System.out.print(switch (what) {
        case tunnels -> AgentTables.tunnels(maps.tunnels());
        case endpoints -> AgentTables.endpoints(maps.endpoints(), maps.learned());
        case interfaces -> AgentTables.interfaces(maps.ifaces());
        case counters -> AgentTables.counters(maps.tunnelStats(), maps.globalStats());
      });
    }
  }

  @Command(name = "run", mixinStandardHelpOptions = true,
      description = "Load and attach the GUE programs and keep the node's BPF maps (and BIRD, with --bird-socket) as "
          + "its records on epic.node-bpf and epic.node-adverts say (--node), or as a node config file says (--config), "
          + "until stopped. Stopping withdraws the node's BGP adverts and leaves the programs attached and the maps "
          + "pinned: traffic already flowing keeps flowing.")
  static final class Run implements Callable<Integer> {
    @Spec CommandSpec spec;
    /** The node's topics reader when following a node (not with --config). */
    private NodeTopicsReader reader;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
      @Option(names = "--node", description = "follow this node's key on epic.node-bpf and epic.node-adverts")
      String node;

      @Option(names = "--config", description = "node config JSON (role, uplinks, tunnels, endpoints), for tests")
      Path config;
    }

    @Option(names = "--bootstrap", description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE})")
    String bootstrap = "127.0.0.1:9092";

    @Option(names = "--kafka-config", paramLabel = "FILE",
        description = "Kafka client settings (security.protocol, ssl.*, sasl.*; service.transport-agent.* for the agent's own principal)")
    Path kafkaConfig;

    @Option(names = "--schema-registry", description = "Confluent-compatible schema registry URL (default: ${DEFAULT-VALUE})")
    String schemaRegistry = "http://127.0.0.1:8081/apis/ccompat/v7";

    @Option(names = "--kind", description = "EPIC or CLIENT (with --node; default: ${DEFAULT-VALUE})")
    NodeKind kind = NodeKind.EPIC;

    @Option(names = "--uplink", description = "the interface carrying GUE, reported in heartbeats (with --node)")
    String uplink;

    @Option(names = "--public-address", description = "the IPv4 address peers reach this node at, when NAT or an underlay changes it")
    String publicAddress;

    @Option(names = "--cluster-secret", description = "file of the cluster secret(s) tunnel keys derive from (with --node)")
    Path clusterSecret;

    @Option(names = "--heartbeat-interval", description = "seconds between heartbeats (default: ${DEFAULT-VALUE})")
    int heartbeatSeconds = 3;

    @Option(names = "--bird-socket", description = "BIRD 2's control socket: announce the node's adverts over BGP")
    Path birdSocket;

    @Option(names = "--bird-config", description = "the config file BIRD was started with; the agent owns it (default: ${DEFAULT-VALUE})")
    Path birdConfig = Path.of("/etc/bird/bird.conf");

    @Option(names = "--run-bird", description = "start BIRD (--bird) as the agent's child with --bird-config and --bird-socket "
        + "(in --netns): it dies with the agent, so a crashed agent's node stops announcing at once")
    boolean runBird;

    @Option(names = "--bird", description = "the bird binary, with --run-bird (default: ${DEFAULT-VALUE})")
    Path birdBinary = BirdProcess.DEFAULT_BIRD;

    @Option(names = "--birdc", description = "the birdc binary (default: ${DEFAULT-VALUE})")
    Path birdc = BirdControl.DEFAULT_BIRDC;

    @Option(names = "--bgp-as", description = "this node's AS number")
    Long bgpAs;

    @Option(names = "--bgp-peer", description = "a BGP peer as ADDRESS/AS (repeatable)")
    List<String> bgpPeers = new ArrayList<>();

    @Option(names = "--router-id", description = "BGP router id (an IPv4 address of the node)")
    String routerId;

    @Option(names = "--bgp-hold-time", description = "BGP hold time in seconds (default: ${DEFAULT-VALUE})")
    int holdTime = 9;

    @Option(names = "--metrics", description = "serve Prometheus /metrics on HOST:PORT, 'off' for none (default: ${DEFAULT-VALUE})")
    String metrics = "0.0.0.0:9475";

    @Option(names = "--object", description = "BPF object (default: <epic home>/" + EpicMaps.OBJECT_FILE + ")")
    Path object;

    @Option(names = "--pin-dir", description = "bpffs directory for the maps (default: ${DEFAULT-VALUE})")
    Path pinDir = EpicMaps.PIN_ROOT;

    @Option(names = "--netns", description = "run in this named network namespace (/run/netns/NAME)")
    String netns;

    @Option(names = "--control-interval", description = "seconds between control packets per tunnel (default: ${DEFAULT-VALUE})")
    int controlIntervalSeconds = 10;

    @Override
    public Integer call() throws InterruptedException {
      List<AutoCloseable> running = new ArrayList<>();
      try {
        NetNs ns = netns == null ? NetNs.current() : NetNs.named(netns);
        running.add(ns);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        if (!"off".equals(metrics)) running.add(new MetricsServer(hostPort("--metrics", metrics), registry));
        Path obj = object != null ? object : Path.of(System.getProperty("epic.home", ".")).resolve(EpicMaps.OBJECT_FILE);
        TransportAgent.Options options = TransportAgent.Options.defaults(obj, ns, registry)
            .withPinDir(pinDir).withControlInterval(Duration.ofSeconds(controlIntervalSeconds));
        String started = source.config != null ? runFromConfig(options, running) : follow(options, running);
        spec.commandLine().getOut().println(started + "; Ctrl-C stops it");
        spec.commandLine().getOut().flush();
      } catch (RuntimeException e) {
        spec.commandLine().getErr().println("epic agent run: " + e.getMessage());
        closeAll(running);
        return 1;
      }
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        closeAll(running);
        stopped.countDown();
      }, "epic-agent-stop"));
      // A reader that died (its error is logged) would leave the maps and adverts stale while heartbeats go on: the
      // agent stops instead (adverts withdrawn, heartbeats end) and exits non-zero for its supervisor to restart it.
      while (!stopped.await(1, TimeUnit.SECONDS)) {
        if (reader != null && !reader.reading()) {
          spec.commandLine().getErr().println("epic agent run: reading " + Topics.NODE_BPF + " and "
              + Topics.NODE_ADVERTS + " stopped (see the log); stopping the agent");
          closeAll(running);
          return 1;
        }
      }
      return 0;
    }

    private String runFromConfig(TransportAgent.Options options, List<AutoCloseable> running) {
      NodeSpec spec = NodeConfig.read(source.config);
      running.add(TransportAgent.start(options, spec));
      return "transport agent running (" + spec.role() + ", " + spec.tunnels().size() + " tunnels, "
          + spec.endpoints().size() + " endpoints, maps under " + pinDir + ")";
    }

    private String follow(TransportAgent.Options options, List<AutoCloseable> running) {
      if (clusterSecret == null) throw new IllegalArgumentException("--cluster-secret FILE is required with --node");
      if (uplink == null) throw new IllegalArgumentException("--uplink IFACE is required with --node");
      BgpSettings bgp = null;
      BirdControl bird = null;
      if (birdSocket != null) {
        if (bgpAs == null || bgpPeers.isEmpty() || routerId == null) {
          throw new IllegalArgumentException("--bird-socket needs --bgp-as, --router-id and at least one --bgp-peer");
        }
        bgp = new BgpSettings(EpicMaps.ipv4(routerId), bgpAs, bgpPeers.stream().map(BgpSettings.Peer::parse).toList(), holdTime);
        bird = new BirdControl(birdc, birdSocket, birdConfig);
        if (runBird) {
          // Added before the agent: closed after it, so a normal stop withdraws first and then ends BIRD.
          running.add(BirdProcess.start(birdBinary, netns, birdConfig, birdSocket, BirdConfig.render(source.node, bgp, List.of()),
              Duration.ofSeconds(10)));
        }
      } else if (runBird) {
        throw new IllegalArgumentException("--run-bird needs --bird-socket (and --bird-config) to say where BIRD lives");
      }
      SchemaRegistryClient registry = new SchemaRegistryClient(schemaRegistry);
      Map<String, Object> kafka = (kafkaConfig == null ? KafkaConnection.plaintext(bootstrap)
          : KafkaConnection.load(bootstrap, kafkaConfig)).client(NodeAgent.KAFKA_SERVICE);
      ReportSender reports = new ReportSender(kafka, registry);
      running.add(reports);
      NodeAgent agent = new NodeAgent(new NodeAgent.Settings(source.node, kind, uplink, publicAddress, clusterSecret,
          Duration.ofSeconds(heartbeatSeconds), Duration.ofSeconds(2), bgp, bird), options, reports::send, Clock.systemUTC());
      running.add(agent);
      reader = new NodeTopicsReader(kafka, registry, source.node, agent);
      running.add(reader); // closed first (closeAll goes backwards), so no record arrives at a closing agent
      reader.start();
      return "agent of node " + source.node + " (" + kind + ") following " + Topics.NODE_BPF + " and " + Topics.NODE_ADVERTS
          + " on " + bootstrap + (bird == null ? ", no BGP" : ", BGP through " + birdSocket + (runBird ? " (BIRD runs as its child)" : ""));
    }

    private static InetSocketAddress hostPort(String option, String text) {
      int colon = text.lastIndexOf(':');
      try {
        return new InetSocketAddress(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(option + ": '" + text + "' is not HOST:PORT");
      }
    }

    /** Closes in reverse order of start, once (the shutdown hook comes after an agent that stopped itself). */
    private static void closeAll(List<AutoCloseable> running) {
      synchronized (running) {
        for (AutoCloseable c : running.reversed()) {
          try {
            c.close();
          } catch (Exception e) {
            System.err.println("epic agent run: stopping " + c.getClass().getSimpleName() + ": " + e.getMessage());
          }
        }
        running.clear();
      }
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true,
      description = "Take the node off the GUE data path: detach the programs from the config's interfaces and unpin "
          + "the maps. Stop `agent run` first.")
  static final class Remove implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "the node config the agent ran with")
    Path config;

    @Option(names = "--pin-dir", description = "bpffs directory of the maps (default: ${DEFAULT-VALUE})")
    Path pinDir = EpicMaps.PIN_ROOT;

    @Option(names = "--netns", description = "the named network namespace the agent ran in")
    String netns;

    @Override
    public Integer call() {
      try (NetNs ns = netns == null ? NetNs.current() : NetNs.named(netns)) {
        TransportAgent.remove(NodeConfig.read(config), ns, pinDir);
        System.out.println("programs detached and maps unpinned under " + pinDir);
        return 0;
      } catch (RuntimeException e) {
        System.err.println("epic agent remove: " + e.getMessage());
        return 1;
      }
    }
  }
}
