package org.epicgateway.transport.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import io.micrometer.core.instrument.MeterRegistry;
import org.epicgateway.transport.agent.NodeSpec.Instance;
import org.epicgateway.transport.agent.NodeSpec.Role;
import org.epicgateway.transport.agent.NodeSpec.TunnelConfig;
import org.epicgateway.transport.agent.NodeSpec.Uplink;
import org.epicgateway.transport.control.ControlListener;
import org.epicgateway.transport.control.ControlSender;
import org.epicgateway.transport.control.ControlVerifier;
import org.epicgateway.transport.control.MonotonicCounter;
import org.epicgateway.transport.libbpf.BpfObject;
import org.epicgateway.transport.libbpf.Bpffs;
import org.epicgateway.transport.libbpf.TcAttachment;
import org.epicgateway.transport.libbpf.TcAttachment.Direction;
import org.epicgateway.transport.maps.EpicMapSet;
import org.epicgateway.transport.maps.EpicMaps;
import org.epicgateway.transport.maps.EpicMaps.Iface;
import org.epicgateway.transport.maps.EpicMaps.IfaceRole;
import org.epicgateway.transport.maps.EpicMaps.Tunnel;
import org.epicgateway.transport.metrics.AgentMetrics;
import org.epicgateway.transport.netns.NetNs;
import org.epicgateway.transport.reconcile.DesiredState;
import org.epicgateway.transport.reconcile.MapDiff;
import org.epicgateway.transport.reconcile.MapReconciler;

/**
 * The per-node transport agent: loads bpf/'s object with its maps pinned (reusing pins left by an earlier run, so
 * a restart does not cut traffic), reconciles the maps to the node's spec, attaches the programs, and runs the
 * control-packet side of its role (client: send; EPIC: verify and learn remotes).
 */
public final class TransportAgent implements AutoCloseable {
  /** How the agent runs: files, namespace, control interval and port, and where it reports. */
  public record Options(Path objectFile, Path pinDir, NetNs netns, Duration controlInterval, int controlPort,
                        MeterRegistry registry, TransportObserver observer, LongSupplier clockMs) {
    public static Options defaults(Path objectFile, NetNs netns, MeterRegistry registry) {
      return new Options(objectFile, EpicMaps.PIN_ROOT, netns, Duration.ofSeconds(10), EpicMaps.GUE_PORT, registry,
          TransportObserver.NONE, System::currentTimeMillis);
    }

    public Options withPinDir(Path dir) {
      return new Options(objectFile, dir, netns, controlInterval, controlPort, registry, observer, clockMs);
    }

    public Options withControlInterval(Duration d) {
      return new Options(objectFile, pinDir, netns, d, controlPort, registry, observer, clockMs);
    }

    public Options withObserver(TransportObserver o) {
      return new Options(objectFile, pinDir, netns, controlInterval, controlPort, registry, o, clockMs);
    }
  }

  private final Options options;
  private final BpfObject object;
  private final EpicMapSet maps;
  private final MapReconciler reconciler;
  private final AgentMetrics metrics;
  private final ControlVerifier verifier;
  private volatile NodeSpec spec;
  private AutoCloseable control;

  private TransportAgent(Options options, NodeSpec spec) {
    this.options = options;
    this.spec = spec;
    Bpffs.ensureMounted();
    try {
      Files.createDirectories(options.pinDir());
    } catch (IOException e) {
      throw new UncheckedIOException("creating pin directory " + options.pinDir(), e);
    }
    this.object = BpfObject.load(options.objectFile(), options.pinDir(), EpicMaps.ALL_MAPS);
    try {
      this.maps = EpicMapSet.of(object);
    } catch (RuntimeException e) {
      object.close();
      throw e;
    }
    this.reconciler = new MapReconciler(maps);
    this.metrics = new AgentMetrics(options.registry(), maps::tunnelStats, maps::globalStats);
    this.verifier = new ControlVerifier(this::learningKeys, EpicMaps.CTRL_MAX_SKEW_MS);
  }

  /** Starts an agent for {@code spec}: maps reconciled before the programs are attached, then control packets. */
  public static TransportAgent start(Options options, NodeSpec spec) {
    TransportAgent agent = new TransportAgent(options, spec);
    try {
      agent.update(spec);
      agent.attach();
      agent.control = agent.options.netns().call(agent::startControl);
      return agent;
    } catch (RuntimeException e) {
      agent.close();
      throw e;
    }
  }

  /** Reconciles the maps to a new spec (a new snapshot from epic.node-bpf, or an operator's config change). */
  public synchronized MapDiff update(NodeSpec next) {
    DesiredState desired = desiredState(next);
    Set<Integer> removed = new HashSet<>(spec.tunnels().keySet());
    removed.removeAll(next.tunnels().keySet());
    this.spec = next;
    MapDiff diff = reconciler.reconcile(desired);
    removed.forEach(verifier::forget);
    metrics.tunnels(next.tunnels().keySet());
    return diff;
  }

  /** (Re)attaches the programs to the spec's interfaces; idempotent (one EPIC filter per hook, replaced in place). */
  public void attach() {
    NetNs ns = options.netns();
    int encap = object.programFd(EpicMaps.PROG_ENCAP), decap = object.programFd(EpicMaps.PROG_DECAP);
    for (Uplink u : spec.uplinks()) {
      attachOne(u.name(), () -> {
        int ifindex = ns.ifindex(u.name());
        ns.call(() -> {
          TcAttachment.attach(ifindex, Direction.EGRESS, encap);
          TcAttachment.attach(ifindex, Direction.INGRESS, decap);
          return null;
        });
      });
    }
    for (Instance i : spec.instances()) {
      int tag = object.programFd(EpicMaps.PROG_TAG);
      attachOne(i.name(), () -> {
        int ifindex = ns.ifindex(i.name());
        ns.call(() -> { TcAttachment.attach(ifindex, Direction.INGRESS, tag); return null; });
      });
    }
  }

  /** Removes the EPIC filters from the spec's interfaces (the maps stay pinned). */
  public void detach() {
    detach(spec, options.netns());
  }

  /**
   * Takes a node off the data path: detaches the filters from the spec's interfaces and unpins its maps (the kernel
   * frees them once nothing uses them). For {@code ./epic agent remove}; no agent may be running on the node.
   */
  public static void remove(NodeSpec spec, NetNs ns, Path pinDir) {
    detach(spec, ns);
    try {
      for (String name : EpicMaps.ALL_MAPS) Files.deleteIfExists(pinDir.resolve(name));
      if (Files.isDirectory(pinDir)) {
        try (var left = Files.list(pinDir)) {
          if (left.findAny().isEmpty()) Files.delete(pinDir);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("unpinning maps under " + pinDir, e);
    }
  }

  /**
   * An interface that is gone took its filters with it (a replica's veth goes with its namespace): it is skipped, so
   * the others are still detached and nothing asks the kernel about an interface it no longer has.
   */
  private static void detach(NodeSpec spec, NetNs ns) {
    ns.call(() -> {
      for (Uplink u : spec.uplinks()) {
        ns.existingIfindex(u.name()).ifPresent(ifindex -> {
          TcAttachment.detach(ifindex, Direction.EGRESS);
          TcAttachment.detach(ifindex, Direction.INGRESS);
        });
      }
      for (Instance i : spec.instances()) {
        ns.existingIfindex(i.name()).ifPresent(ifindex -> TcAttachment.detach(ifindex, Direction.INGRESS));
      }
      return null;
    });
  }

  /** The spec the maps were last reconciled to. */
  public NodeSpec spec() {
    return spec;
  }

  public EpicMapSet maps() {
    return maps;
  }

  public AgentMetrics metrics() {
    return metrics;
  }

  private void attachOne(String ifname, Runnable attach) {
    try {
      attach.run();
    } catch (RuntimeException e) {
      options.observer().attachFailed(ifname, e);
      throw e;
    }
  }

  private DesiredState desiredState(NodeSpec s) {
    Map<Integer, Iface> ifaces = new HashMap<>();
    IfaceRole uplinkRole = s.role() == Role.EPIC ? IfaceRole.UPLINK_EPIC : IfaceRole.UPLINK_CLIENT;
    for (Uplink u : s.uplinks()) ifaces.put(options.netns().ifindex(u.name()), new Iface(uplinkRole, u.mtu(), 0));
    for (Instance i : s.instances()) ifaces.put(options.netns().ifindex(i.name()), new Iface(IfaceRole.INSTANCE, 0, i.tag()));
    Map<Integer, org.epicgateway.transport.reconcile.TunnelSpec> tunnels = new HashMap<>();
    s.tunnels().forEach((id, t) -> tunnels.put(id, t.spec()));
    return new DesiredState(s.endpoints(), tunnels, ifaces);
  }

  /** Only tunnels whose remote is learned accept control packets: a fixed remote must never move. */
  private List<byte[]> learningKeys(int tunnelId) {
    TunnelConfig t = spec.tunnels().get(tunnelId);
    return t != null && t.spec().learnsRemote() ? t.keys() : null;
  }

  private AutoCloseable startControl() throws IOException {
    DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
    try {
      channel.bind(new InetSocketAddress(options.controlPort()));
      if (spec.role() == Role.EPIC) {
        return new ControlListener(channel, verifier, options.clockMs(), this::onControl);
      }
      return new ControlSender(channel, new MonotonicCounter(options.clockMs()), this::controlTargets,
          options.controlInterval());
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  private Map<Integer, ControlSender.Target> controlTargets() {
    Map<Integer, ControlSender.Target> targets = new HashMap<>();
    spec.tunnels().forEach((id, t) -> {
      if (!t.spec().learnsRemote()) {
        targets.put(id, new ControlSender.Target(new InetSocketAddress(t.spec().remoteAddr(), t.spec().remotePort()), t.key()));
      }
    });
    return targets;
  }

  private void onControl(ControlVerifier.Result result, InetSocketAddress source) {
    metrics.controlPacket(result.verdict());
    if (!result.accepted() || !(source.getAddress() instanceof Inet4Address addr)) {
      options.observer().controlRejected(result, source);
      return;
    }
    reconciler.learnRemote(result.tunnelId(), addr, source.getPort()).ifPresent(previous -> options.observer()
        .tunnelRemoteLearned(result.tunnelId(), previous, previous.withLearnedRemote(addr, source.getPort())));
  }

  public Tunnel tunnel(int id) {
    return maps.tunnel(id).orElse(null);
  }

  /** Stops control packets and releases the object; attached programs and pinned maps keep the data path up. */
  @Override
  public void close() {
    try {
      if (control != null) control.close();
    } catch (Exception e) {
      throw new IllegalStateException("stopping control packets", e);
    } finally {
      metrics.close();
      maps.close();
      object.close();
    }
  }
}
