package org.epicgateway.projections.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.epicgateway.projections.decider.Commands;
import org.epicgateway.projections.decider.Decision;
import org.epicgateway.projections.decider.MapLookup;
import org.epicgateway.projections.view.GatewayViews;
import org.epicgateway.projections.view.MemoryViewStore;
import org.epicgateway.schemas.EventHashes;
import org.epicgateway.schemas.avro.Actor;
import org.epicgateway.schemas.avro.ActorKind;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.Endpoint;
import org.epicgateway.schemas.avro.EndpointConditions;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.NodeHeartbeat;
import org.epicgateway.schemas.avro.NodeKind;
import org.epicgateway.schemas.avro.NodeState;
import org.epicgateway.schemas.avro.PlacementState;
import org.epicgateway.schemas.avro.ReportReplicaPlaced;
import org.epicgateway.schemas.avro.ReportReplicaReady;
import org.epicgateway.schemas.avro.RequireTunnels;

/**
 * One gateway's lifecycle through the real decider: two EPIC nodes, two client nodes, a gateway routed to endpoints
 * on both client nodes, a ready replica on epic-a and a placed one on epic-b, tunnels from both EPIC nodes. Every
 * decided event is kept (for topology tests) and folded into gateway views as the view projection does.
 */
public final class NodeScenario {
  public static final String GATEWAY = "gateway/acme/default/web";
  public static final String PLACEMENT = "placement/acme/default/web";
  static final Actor AGENT = new Actor(ActorKind.AGENT, "agent", null);

  public final Commands c = new Commands("node");
  public final MapLookup decider = new MapLookup();
  final MemoryViewStore views = new MemoryViewStore();
  public final List<EventEnvelope> events = new ArrayList<>();

  public NodeScenario() {
    admin(c.definePool("public", null, "192.0.2.0/24"));
    admin(c.defineTemplate("small", "public"));
    admin(c.createAccount("acme"));
    admin(c.createGateway("acme", "web", "small"));
    admin(c.upsertRoute("acme", "shop", "web"));
    admin(c.upsertSlice("acme", "web-1", "web",
        endpoint("10.1.0.5", "client-1", true), endpoint("10.1.0.6", "client-2", true),
        endpoint("10.1.0.7", "client-2", false), endpoint("fd00::5", "client-1", true)));
    heartbeat("epic-a", NodeKind.EPIC, "172.16.0.1", null);
    heartbeat("epic-b", NodeKind.EPIC, "172.16.0.2", "203.0.113.2");
    heartbeat("client-1", NodeKind.CLIENT, "172.16.1.1", null);
    heartbeat("client-2", NodeKind.CLIENT, "172.16.1.2", null);
    agent(PLACEMENT, new ReportReplicaPlaced(GATEWAY, "r0", "epic-a", "local", "epr-web-r0"));
    agent(PLACEMENT, new ReportReplicaReady(GATEWAY, "r0", "epic-a"));
    agent(PLACEMENT, new ReportReplicaPlaced(GATEWAY, "r1", "epic-b", "local", "epr-web-r1"));
    agent("node/epic-a", new RequireTunnels("epic-a", List.of("client-1", "client-2")));
    agent("node/epic-b", new RequireTunnels("epic-b", List.of("client-1")));
  }

  public static Endpoint endpoint(String address, String node, boolean ready) {
    return Endpoint.newBuilder().setAddresses(List.of(address))
        .setConditions(EndpointConditions.newBuilder().setReady(ready).build()).setNodeName(node).build();
  }

  void heartbeat(String node, NodeKind kind, String address, String publicAddress) {
    agent("node/" + node, new NodeHeartbeat(node, kind, List.of(address), "eth0", publicAddress, null));
  }

  public void admin(CommandEnvelope command) {
    apply(decider.submit(command));
  }

  public void agent(String target, Object payload) {
    CommandEnvelope command = c.envelope(target, null, payload);
    command.setActor(AGENT);
    apply(decider.submit(command));
  }

  private void apply(Decision d) {
    assertThat(d.rejection()).isNull();
    for (EventEnvelope e : d.events()) {
      events.add(e);
      GatewayViews.apply(views, e, EventHashes.hash(e));
    }
  }

  public NodeState node(String name) {
    return (NodeState) decider.states.get("node/" + name).getResource();
  }

  public List<NodeState> nodes() {
    return decider.withPrefix("node/").stream().map(s -> (NodeState) s.getResource()).toList();
  }

  public GatewayView view() {
    return GatewayViews.view(views, GATEWAY).orElse(null);
  }

  /** The gateways with replicas on {@code node}, as the topology's index finds them. */
  public List<Hosted> hosted(String node) {
    PlacementState p = (PlacementState) decider.states.get(PLACEMENT).getResource();
    var mine = p.getReplicas().stream().filter(r -> r.getNode().equals(node)).toList();
    return mine.isEmpty() ? List.of() : List.of(new Hosted(GATEWAY, view(), mine));
  }
}
