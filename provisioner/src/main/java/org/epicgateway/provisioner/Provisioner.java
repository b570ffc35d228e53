package org.epicgateway.provisioner;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.epicgateway.provisioner.liveness.Liveness;
import org.epicgateway.provisioner.placement.Placement;
import org.epicgateway.provisioner.provider.ReplicaProvider;
import org.epicgateway.provisioner.provider.ReplicaSpec;
import org.epicgateway.provisioner.provider.ReplicaStatus;
import org.epicgateway.provisioner.reports.Reports;
import org.epicgateway.provisioner.tunnels.TunnelPlan;
import org.epicgateway.schemas.AggregateId;
import org.epicgateway.schemas.AggregateIds;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.Listener;
import org.epicgateway.schemas.avro.MarkNodeLost;
import org.epicgateway.schemas.avro.NodeKind;
import org.epicgateway.schemas.avro.NodeState;
import org.epicgateway.schemas.avro.PlacementState;
import org.epicgateway.schemas.avro.ReplicaProblem;
import org.epicgateway.schemas.avro.ReplicaState;
import org.epicgateway.schemas.avro.ReportReplicaLost;
import org.epicgateway.schemas.avro.ReportReplicaPlaced;
import org.epicgateway.schemas.avro.ReportReplicaReady;
import org.epicgateway.schemas.avro.RequireTunnels;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provisioner's reconcile loop without Kafka: it is fed gateway views, node and placement events and the
 * heartbeats it sees, and each {@link #reconcile} makes the provider run what placement wants and reports what
 * happened as commands. It decides nothing the decider owns: placements, losses and tunnel needs go to the decider
 * as reports, and the next reconcile starts from the state the decider folded; a report the state has not caught up
 * with after {@link #RESEND_AFTER} (lost on the way, or refused) is made again under the same command id, which the
 * decider decides once. Single-threaded (the service's loop).
 */
public final class Provisioner {
  private static final Logger LOG = LoggerFactory.getLogger(Provisioner.class);

  /** @param nodeTimeout silence after which a node is reported lost */
  public record Settings(Duration nodeTimeout, String xdsHost, int xdsPort) {}

  private static final int MAX_REMEMBERED = 100_000;
  static final Duration RESEND_AFTER = Duration.ofSeconds(10);

  private final Settings settings;
  private final ReplicaProvider provider;
  private final Consumer<CommandEnvelope> commands;
  private final Instant started;
  private final Map<String, GatewayView> views = new TreeMap<>();
  private final Map<String, AggregateState> states = new TreeMap<>();
  private final Map<String, Liveness.Seen> heartbeats = new HashMap<>();
  /** Facts reported (command ids are hashes of them) and when: not repeated before {@link #RESEND_AFTER}. */
  private final Map<String, Instant> reported = new HashMap<>();
  private final Set<String> running = new TreeSet<>();
  /**
   * {@code gateway|instance} -> the failure being recorded for a replica that cannot run: its node, its reason and
   * the placement's version when this run first saw it, which the report's command ids carry, so the resends of one
   * failure are the same commands (decided once) and a new failure (after the replica ran, or another reason) new ones.
   */
  private final Map<String, Failure> failures = new HashMap<>();

  private record Failure(String node, String reason, long since) {}
  private volatile String known = "nothing reconciled yet";

  public Provisioner(Settings settings, ReplicaProvider provider, Consumer<CommandEnvelope> commands,
      Instant started) {
    this.settings = settings;
    this.provider = provider;
    this.commands = commands;
    this.started = started;
  }

  public void view(String gatewayId, GatewayView view) {
    if (view == null) {
      views.remove(gatewayId);
    } else {
      views.put(gatewayId, view);
    }
  }

  /** A node or placement aggregate's folded state as the decider's events made it (null: none any more). */
  public void state(String aggregateId, AggregateState state) {
    if (state == null) {
      states.remove(aggregateId);
    } else {
      states.put(aggregateId, state);
    }
  }

  /** What the provisioner knows of nodes and placements, for its health: "2 nodes (1 lost), 1 placements". */
  public String known() {
    return known;
  }

  public void heartbeat(String node, Instant at, String commandId) {
    heartbeats.put(node, new Liveness.Seen(at, commandId));
  }

  public void reconcile(Instant now) {
    List<NodeState> nodes = nodes();
    known = nodes.size() + " nodes (" + nodes.stream().filter(NodeState::getLost).count() + " lost), "
        + placements().size() + " placements";
    watchLiveness(nodes, now);
    Set<String> liveEpic = new TreeSet<>();
    nodes.stream().filter(n -> n.getKind() == NodeKind.EPIC && !n.getLost()).forEach(n -> liveEpic.add(n.getNode()));
    Map<String, Integer> load = new HashMap<>();
    placements().values().forEach(p -> p.getReplicas().forEach(r -> load.merge(r.getNode(), 1, Integer::sum)));
    Set<String> gateways = new TreeSet<>(views.keySet());
    gateways.addAll(placements().keySet());
    gateways.addAll(running);
    for (String gatewayId : gateways) {
      try {
        provision(gatewayId, liveEpic, load, now);
      } catch (RuntimeException e) {
        // One gateway's provider failure must not stop the others (tenants never slow each other).
        LOG.error("provisioning {} failed: {}", gatewayId, e.toString());
      }
    }
    planTunnels(nodes, now);
  }

  private void watchLiveness(List<NodeState> nodes, Instant now) {
    for (NodeState n : nodes) {
      if (n.getLost()) {
        continue;
      }
      Liveness.Seen last = heartbeats.get(n.getNode());
      Liveness.silentBeyond(last, started, now, settings.nodeTimeout()).ifPresent(silent -> report(
          AggregateIds.node(n.getNode()), Liveness.lossFact(n.getNode(), last, started),
          new MarkNodeLost(n.getNode(), last == null ? null : last.at(), silent.toMillis()), now));
    }
  }

  private void provision(String gatewayId, Set<String> liveEpic, Map<String, Integer> load, Instant now) {
    GatewayView view = views.get(gatewayId);
    String placementId = placementId(gatewayId);
    AggregateState placementState = states.get(placementId);
    long version = placementState == null ? 0 : placementState.getVersion();
    Map<String, ReplicaState> placed = new TreeMap<>();
    ReplicaProblem problem = null;
    if (placementState != null) {
      ((PlacementState) placementState.getResource()).getReplicas().forEach(r -> placed.put(r.getInstance(), r));
      problem = ((PlacementState) placementState.getResource()).getProblem();
    }
    boolean wanted = view != null && view.getTemplate() != null && view.getGateway().getAddress() != null;
    if (!wanted) {
      if (running.remove(gatewayId)) {
        provider.remove(gatewayId);
      }
      failures.keySet().removeIf(k -> k.startsWith(gatewayId + "|"));
      placed.values().forEach(r -> lost(gatewayId, r, version, "the gateway is deleted", now));
      return;
    }
    Map<String, String> current = new TreeMap<>();
    placed.values().forEach(r -> current.put(r.getInstance(), r.getNode()));
    int wantedCount = view.getTemplate().getReplicas();
    Map<String, String> assignments = provider.schedulesItself() ? Map.of()
        : Placement.place(wantedCount, liveEpic, current, load);
    if (!provider.schedulesItself()) {
      for (ReplicaState r : placed.values()) {
        if (!r.getNode().equals(assignments.get(r.getInstance()))) {
          lost(gatewayId, r, version, !liveEpic.contains(r.getNode()) ? "node " + r.getNode() + " is lost"
              : assignments.containsValue(r.getNode()) ? "another replica of the gateway runs on node "
                  + r.getNode() + " (one per node)" : "no longer wanted on node " + r.getNode(), now);
        }
      }
      if (assignments.size() < wantedCount && due("short|" + gatewayId + "|" + liveEpic.size(), now)) {
        LOG.warn("{} wants {} replicas, {} placed: {} live EPIC nodes, one replica of a gateway per node; the "
            + "rest are placed as nodes join", gatewayId, wantedCount, assignments.size(), liveEpic.size());
      }
    }
    ReplicaSpec spec = new ReplicaSpec(gatewayId, wantedCount, assignments, view.getGateway().getAddress(),
        view.getGateway().getListeners().stream().map(Listener::getPort).distinct().sorted().toList(),
        view.getTemplate().getPool(), upstreams(view), settings.xdsHost(), settings.xdsPort());
    running.add(gatewayId);
    Set<String> observed = new HashSet<>();
    for (ReplicaStatus s : provider.apply(spec)) {
      observed.add(s.instance());
      ReplicaState known = placed.get(s.instance());
      boolean placedThere = known != null && known.getNode().equals(s.node());
      String replica = gatewayId + "|" + s.instance();
      if (s.phase() != ReplicaStatus.Phase.FAILED) {
        failures.remove(replica);
      }
      if (s.phase() == ReplicaStatus.Phase.FAILED) {
        LOG.warn("replica {} of {} on {} cannot run: {}", s.instance(), gatewayId, s.node(), s.reason());
        // Recorded once as placed-then-lost with the reason, then retried silently until something changes. Once:
        // the placement's problem says it already (which survives a restart), or the report is resent under the
        // same ids, which the decider decides once. Ids of the current version instead (those report's own events
        // move it) made each resend a new pair of events, every 10 s.
        Failure failure = failures.compute(replica, (k, f) -> f != null && f.node().equals(s.node())
            && f.reason().equals(s.reason()) ? f : new Failure(s.node(), s.reason(), version));
        boolean recorded = problem != null && problem.getInstance().equals(s.instance())
            && problem.getNode().equals(s.node()) && problem.getReason().equals(s.reason());
        if (!placedThere && !recorded) {
          String fact = gatewayId + "|" + s.instance() + "|" + s.node() + "|" + failure.since();
          report(placementId, "placed|" + fact,
              new ReportReplicaPlaced(gatewayId, s.instance(), s.node(), provider.name(), s.interfaceName()), now);
          report(placementId, "lost|" + fact + "|" + s.reason(),
              new ReportReplicaLost(gatewayId, s.instance(), s.node(), s.reason()), now);
        } else if (placedThere) {
          lost(gatewayId, known, version, s.reason(), now);
        }
        continue;
      }
      if (!placedThere || !Objects.equals(known.getInterfaceName(), s.interfaceName())) {
        report(placementId, "placed|" + gatewayId + "|" + s.instance() + "|" + s.node() + "|" + version,
            new ReportReplicaPlaced(gatewayId, s.instance(), s.node(), provider.name(), s.interfaceName()), now);
      }
      if (s.phase() == ReplicaStatus.Phase.READY && !(placedThere && known.getReady())) {
        report(placementId, "ready|" + gatewayId + "|" + s.instance() + "|" + s.node() + "|" + version,
            new ReportReplicaReady(gatewayId, s.instance(), s.node()), now);
      } else if (s.phase() == ReplicaStatus.Phase.PLACED && placedThere && known.getReady()) {
        // Its node withdraws the address; it is placed again (not ready) on the next round.
        lost(gatewayId, known, version, "stopped being ready", now);
      }
    }
    for (ReplicaState r : placed.values()) {
      if (!observed.contains(r.getInstance())) {
        lost(gatewayId, r, version, "the replica is gone (" + provider.name() + ")", now);
      }
    }
  }

  /** Ready IPv4 endpoints of the gateway's backends as address:port, for a stand-in that forwards TCP. */
  private static List<String> upstreams(GatewayView view) {
    Set<String> result = new TreeSet<>();
    for (var slice : view.getEndpointSlices()) {
      for (var e : slice.getEndpoints()) {
        if (Boolean.FALSE.equals(e.getConditions().getReady())) {
          continue;
        }
        for (String address : e.getAddresses()) {
          slice.getPorts().forEach(p -> result.add(address + ":" + p.getPort()));
        }
      }
    }
    return List.copyOf(result);
  }

  private void lost(String gatewayId, ReplicaState r, long version, String reason, Instant now) {
    report(placementId(gatewayId), "lost|" + gatewayId + "|" + r.getInstance() + "|" + r.getNode() + "|" + version,
        new ReportReplicaLost(gatewayId, r.getInstance(), r.getNode(), reason), now);
  }

  private void planTunnels(List<NodeState> nodes, Instant now) {
    Map<String, PlacementState> placements = placements();
    Map<String, GatewayView> live = new TreeMap<>(views);
    TunnelPlan.required(live, placements, nodes).forEach((epicNode, clients) -> {
      AggregateState state = states.get(AggregateIds.node(epicNode));
      Set<String> now0 = new TreeSet<>();
      ((NodeState) state.getResource()).getTunnels().forEach(t -> now0.add(t.getClientNode()));
      if (!now0.equals(clients)) {
        report(AggregateIds.node(epicNode), "tunnels|" + epicNode + "|" + state.getVersion() + "|" + clients,
            new RequireTunnels(epicNode, List.copyOf(clients)), now);
      }
    });
  }

  private void report(String target, String fact, Object payload, Instant now) {
    if (due(fact, now)) {
      commands.accept(Reports.command(target, fact, payload, now));
    }
  }

  private boolean due(String fact, Instant now) {
    if (reported.size() > MAX_REMEMBERED) {
      reported.clear(); // a fact reported again is decided once more by its id: harmless, and memory stays bounded
    }
    Instant last = reported.get(fact);
    if (last != null && now.isBefore(last.plus(RESEND_AFTER))) {
      return false;
    }
    reported.put(fact, now);
    return true;
  }

  private List<NodeState> nodes() {
    return states.entrySet().stream().filter(e -> e.getKey().startsWith("node/"))
        .map(e -> (NodeState) e.getValue().getResource()).toList();
  }

  private Map<String, PlacementState> placements() {
    Map<String, PlacementState> result = new TreeMap<>();
    states.forEach((id, s) -> {
      if (s.getResource() instanceof PlacementState p) {
        result.put(p.getGatewayId(), p);
      }
    });
    return result;
  }

  private static String placementId(String gatewayId) {
    AggregateId g = AggregateIds.parse(gatewayId);
    return AggregateIds.placement(g.account(), g.namespace(), g.name());
  }
}
