package org.epicgateway.provisioner.tunnels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.epicgateway.schemas.avro.Endpoint;
import org.epicgateway.schemas.avro.EndpointConditions;
import org.epicgateway.schemas.avro.EndpointSliceState;
import org.epicgateway.schemas.avro.GatewayState;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.NodeKind;
import org.epicgateway.schemas.avro.NodeState;
import org.epicgateway.schemas.avro.PlacementState;
import org.epicgateway.schemas.avro.ReplicaState;
import org.junit.jupiter.api.Test;

/** In/out of the tunnel plan: placement joined with the endpoints of each gateway's view. */
class TunnelPlanTest {
  private static NodeState node(String name, NodeKind kind, boolean lost) {
    return new NodeState(name, kind, List.of("10.0.0.1"), "eth0", null, null, lost, List.of());
  }

  private static GatewayView view(String id, String... clientNodes) {
    List<Endpoint> endpoints = java.util.Arrays.stream(clientNodes).map(n -> Endpoint.newBuilder()
        .setAddresses(List.of("10.1.0.1")).setConditions(new EndpointConditions(true, null, null)).setNodeName(n)
        .build()).toList();
    return GatewayView.newBuilder().setGatewayId(id).setGatewayVersion(1)
        .setGateway(GatewayState.newBuilder().setAccount("acme").setNamespace("default").setName("web")
            .setTemplate("t").setListeners(List.of()).build())
        .setEndpointSlices(List.of(EndpointSliceState.newBuilder().setAccount("acme").setNamespace("default")
            .setName("s").setServiceName("web").setEndpoints(endpoints).build()))
        .build();
  }

  private static PlacementState placement(String id, String... nodes) {
    return new PlacementState(id, java.util.Arrays.stream(nodes)
        .map(n -> new ReplicaState("r-" + n, n, "local", null, true)).toList(), null);
  }

  @Test
  void eachEpicNodeNeedsTheClientNodesOfTheGatewaysItRuns() {
    List<NodeState> nodes = List.of(node("epic-a", NodeKind.EPIC, false), node("epic-b", NodeKind.EPIC, false),
        node("epic-c", NodeKind.EPIC, true), node("client-1", NodeKind.CLIENT, false),
        node("client-2", NodeKind.CLIENT, false), node("client-gone", NodeKind.CLIENT, true));
    Map<String, GatewayView> views = Map.of(
        "g1", view("g1", "client-1", "client-gone", "never-seen"),
        "g2", view("g2", "client-2"));
    Map<String, PlacementState> placements = Map.of(
        "g1", placement("g1", "epic-a", "epic-c"),
        "g2", placement("g2", "epic-a", "epic-b"),
        "g3", placement("g3", "epic-b"));
    assertThat(TunnelPlan.required(views, placements, nodes)).isEqualTo(Map.of(
        "epic-a", Set.of("client-1", "client-2"),
        "epic-b", Set.of("client-2"),
        "epic-c", Set.of()));
  }
}
