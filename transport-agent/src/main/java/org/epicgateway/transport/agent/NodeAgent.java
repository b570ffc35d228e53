package org.epicgateway.transport.agent;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.epicgateway.platform.KafkaAccess;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.NodeAdverts;
import org.epicgateway.schemas.avro.NodeBpf;
import org.epicgateway.schemas.avro.NodeKind;
import org.epicgateway.transport.agent.NodeTopicsReader.Update;
import org.epicgateway.transport.bgp.BgpSettings;
import org.epicgateway.transport.bgp.BirdConfig;
import org.epicgateway.transport.bgp.BirdControl;
import org.epicgateway.transport.control.ControlVerifier;
import org.epicgateway.transport.keys.ClusterSecret;
import org.epicgateway.transport.keys.TunnelKeys;
import org.epicgateway.transport.maps.EpicMaps.Tunnel;
import org.epicgateway.transport.metrics.FollowMetrics;
import org.epicgateway.transport.netns.NetNs;
import org.epicgateway.transport.report.AgentCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's agent following its node's records: each epic.node-bpf value becomes the transport agent's spec (tunnel
 * keys derived from the cluster secret), each epic.node-adverts value BIRD's config; what it observes goes back as
 * commands (heartbeats, learned tunnel remotes, failed applies). A record that cannot be applied changes nothing
 * (the previous maps and routes stay) and is reported. Stopping withdraws the node's adverts (the router moves
 * the traffic to the other nodes at once) and leaves the data path's programs and maps in place.
 */
public final class NodeAgent implements NodeTopicsReader.Listener, TransportObserver, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);
  /** The agent's Kafka principal is {@code service.transport-agent.*} in the client settings (docs/security.md). */
  public static final String KAFKA_SERVICE = "transport-agent";
  /** What an agent does on Kafka: reads its node's records, writes its reports. */
  public static final KafkaAccess KAFKA_ACCESS = KafkaAccess.reads(Topics.NODE_BPF, Topics.NODE_ADVERTS)
      .plus(KafkaAccess.writes(Topics.COMMANDS));

  /** Who the node is and how it speaks BGP ({@code bgp}/{@code bird} null: no BGP, as on client nodes). */
  public record Settings(String node, NodeKind kind, String uplink, String publicAddress, Path clusterSecret,
                         Duration heartbeatInterval, Duration secretCheckInterval, BgpSettings bgp, BirdControl bird) {
    public Settings {
      if (node == null || node.isEmpty() || node.contains("/")) throw new IllegalArgumentException("node: a DNS name without '/' is required");
      if ((bgp == null) != (bird == null)) throw new IllegalArgumentException("BGP needs both its settings and a BIRD control socket");
    }
  }

  private final Settings settings;
  private final TransportAgent.Options options;
  private final Consumer<CommandEnvelope> reports;
  private final Clock clock;
  private final FollowMetrics metrics;
  private final String bootId;
  private final AtomicLong beats = new AtomicLong();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "epic-node-agent");
    t.setDaemon(true);
    return t;
  });
  private ClusterSecret secret;
  private TunnelKeys keys;
  private TransportAgent agent;
  private NodeBpf lastBpf;
  private List<InetAddress> lastAdverts = List.of();

  /**
   * Reads the cluster secret (a missing or bad file fails here, naming it) and starts heartbeats and secret checks.
   * {@code options.observer()} is replaced by this agent, which reports what the data path observes.
   */
  public NodeAgent(Settings settings, TransportAgent.Options options, Consumer<CommandEnvelope> reports, Clock clock) {
    this.settings = settings;
    this.options = options.withObserver(this);
    this.reports = reports;
    this.clock = clock;
    this.metrics = new FollowMetrics(options.registry());
    this.secret = ClusterSecret.read(settings.clusterSecret());
    this.keys = new TunnelKeys(secret);
    this.bootId = clock.millis() + "-" + UUID.randomUUID();
    timer.scheduleWithFixedDelay(this::heartbeat, 0, settings.heartbeatInterval().toMillis(), TimeUnit.MILLISECONDS);
    timer.scheduleWithFixedDelay(this::checkSecret, settings.secretCheckInterval().toMillis(),
        settings.secretCheckInterval().toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void nodeBpf(Update<NodeBpf> update) {
    NodeBpf bpf = update.value();
    String version = bpf == null ? null : bpf.getVersion();
    try {
      if (bpf == null) {
        // The node is lost or gone: keep the programs on the uplinks but carry nothing more.
        if (agent != null) agent.update(new NodeSpec(agent.spec().role(), agent.spec().uplinks(), List.of(), java.util.Map.of(), java.util.Map.of()));
      } else {
        apply(bpf);
      }
      lastBpf = bpf;
      metrics.reconciled(update.writtenAtMs(), clock.millis());
    } catch (RuntimeException e) {
      failed("bpf", version, e);
    }
  }

  private void apply(NodeBpf bpf) {
    if (!bpf.getNode().equals(settings.node())) {
      throw new IllegalArgumentException("node-bpf record of node '" + bpf.getNode() + "' under key '" + settings.node() + "'");
    }
    NetNs ns = options.netns();
    NodeSpec spec = NodeRecords.spec(bpf, keys, new NodeRecords.Interfaces() {
      @Override
      public int ifindex(String name) {
        return ns.ifindex(name);
      }

      @Override
      public int mtu(String name) {
        return ns.mtu(name);
      }
    });
    if (agent == null) {
      agent = TransportAgent.start(options, spec);
      return;
    }
    boolean interfacesChanged = !spec.uplinks().equals(agent.spec().uplinks()) || !spec.instances().equals(agent.spec().instances());
    agent.update(spec);
    if (interfacesChanged) agent.attach();
  }

  @Override
  public synchronized void nodeAdverts(Update<NodeAdverts> update) {
    NodeAdverts value = update.value();
    String version = value == null ? null : value.getVersion();
    try {
      List<InetAddress> adverts = value == null ? List.of() : NodeRecords.adverts(value);
      announce(adverts);
      lastAdverts = adverts;
      metrics.reconciled(update.writtenAtMs(), clock.millis());
    } catch (RuntimeException e) {
      failed("bgp", version, e);
    }
  }

  private void announce(List<InetAddress> adverts) {
    if (settings.bird() == null) {
      if (!adverts.isEmpty()) throw new IllegalStateException("the node has adverts but the agent runs without BGP (--bird-socket)");
      return;
    }
    settings.bird().apply(BirdConfig.render(settings.node(), settings.bgp(), adverts));
  }

  @Override
  public synchronized void undecodable(String what, long offset, RuntimeException error) {
    failed(what, null, new IllegalArgumentException("record at offset " + offset + " does not decode: " + error.getMessage(), error));
  }

  private void failed(String what, String version, RuntimeException e) {
    LOG.error("node {}: applying {} (version {}) failed, the previous state stays: {}", settings.node(), what, version, e.getMessage());
    metrics.applyFailed(what);
    reports.accept(AgentCommands.applyFailed(settings.node(), what, version, String.valueOf(e.getMessage()), clock.instant()));
  }

  /** Re-reads the secret file; a changed file re-derives every tunnel's keys and re-applies the node's record. */
  synchronized void checkSecret() {
    try {
      ClusterSecret next = ClusterSecret.read(settings.clusterSecret());
      if (next.sameSecrets(secret)) return;
      secret = next;
      keys = new TunnelKeys(next);
      LOG.info("node {}: cluster secret {} changed ({} secret(s)); tunnel keys re-derived", settings.node(), next.file(), next.count());
      if (lastBpf != null) apply(lastBpf);
    } catch (RuntimeException e) {
      // Keep the keys in use: a secret file being rewritten must not take every tunnel down.
      failed("bpf", lastBpf == null ? null : lastBpf.getVersion(), e);
    }
  }

  private void heartbeat() {
    try {
      List<String> addresses = options.netns().call(() -> {
        NetworkInterface nic = NetworkInterface.getByName(settings.uplink());
        if (nic == null) throw new IllegalStateException("no interface '" + settings.uplink() + "'");
        List<String> v4 = new ArrayList<>();
        nic.getInterfaceAddresses().forEach(a -> {
          if (a.getAddress() instanceof Inet4Address addr) v4.add(addr.getHostAddress());
        });
        return v4;
      });
      reports.accept(AgentCommands.heartbeat(settings.node(), settings.kind(), addresses, settings.uplink(),
          settings.publicAddress(), bootId, beats.getAndIncrement(), clock.instant()));
    } catch (RuntimeException e) {
      LOG.warn("node {}: heartbeat not sent: {}", settings.node(), e.getMessage());
    }
  }

  @Override
  public void tunnelRemoteLearned(int tunnelId, Tunnel previous, Tunnel current) {
    reports.accept(AgentCommands.tunnelRemoteLearned(settings.node(), Integer.toUnsignedLong(tunnelId),
        current.remoteAddr().getHostAddress(), current.remotePort(), clock.instant()));
  }

  @Override
  public void controlRejected(ControlVerifier.Result result, InetSocketAddress source) {
    LOG.debug("node {}: control packet from {} rejected: {}", settings.node(), source, result.verdict());
  }

  /** The data path, once the node's first record is applied (null before). */
  public synchronized TransportAgent transport() {
    return agent;
  }

  public synchronized List<InetAddress> adverts() {
    return lastAdverts;
  }

  /** Stops heartbeats, withdraws the node's adverts, releases the data path (programs and maps stay). */
  @Override
  public synchronized void close() {
    timer.shutdownNow();
    try {
      if (settings.bird() != null && !lastAdverts.isEmpty()) announce(List.of());
    } catch (RuntimeException e) {
      LOG.error("node {}: withdrawing adverts on stop failed: {}", settings.node(), e.getMessage());
    } finally {
      if (agent != null) agent.close();
    }
  }
}
