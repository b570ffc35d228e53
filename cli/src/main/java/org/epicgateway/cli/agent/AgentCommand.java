package org.epicgateway.cli.agent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.epicgateway.transport.agent.NodeConfig;
import org.epicgateway.transport.agent.NodeSpec;
import org.epicgateway.transport.agent.TransportAgent;
import org.epicgateway.transport.cli.AgentTables;
import org.epicgateway.transport.maps.EpicMapSet;
import org.epicgateway.transport.maps.EpicMaps;
import org.epicgateway.transport.netns.NetNs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

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
      description = "Load and attach the GUE programs, reconcile the maps to the node config and run control packets "
          + "until stopped. Stopping leaves the programs attached and the maps pinned: traffic keeps flowing.")
  static final class Run implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "node config JSON (role, uplinks, tunnels, endpoints)")
    Path config;

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
      NodeSpec spec;
      NetNs ns;
      TransportAgent agent;
      try {
        spec = NodeConfig.read(config);
        Path obj = object != null ? object : Path.of(System.getProperty("epic.home", ".")).resolve(EpicMaps.OBJECT_FILE);
        ns = netns == null ? NetNs.current() : NetNs.named(netns);
        TransportAgent.Options options = TransportAgent.Options.defaults(obj, ns, new SimpleMeterRegistry())
            .withPinDir(pinDir).withControlInterval(Duration.ofSeconds(controlIntervalSeconds));
        agent = TransportAgent.start(options, spec);
      } catch (RuntimeException e) {
        System.err.println("epic agent run: " + e.getMessage());
        return 1;
      }
      System.out.println("transport agent running (" + spec.role() + ", " + spec.tunnels().size() + " tunnels, "
          + spec.endpoints().size() + " endpoints, maps under " + pinDir + "); Ctrl-C stops it");
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        agent.close();
        ns.close();
        stopped.countDown();
      }, "epic-agent-stop"));
      stopped.await();
      return 0;
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
