package org.epicgateway.api.views;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.Endpoint;
import org.epicgateway.schemas.avro.EndpointConditions;
import org.epicgateway.schemas.avro.EndpointSliceState;
import org.epicgateway.schemas.avro.GatewayState;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.NodeKind;
import org.epicgateway.schemas.avro.NodeState;
import org.epicgateway.schemas.avro.PlacementState;
import org.epicgateway.schemas.avro.ReplicaProblem;
import org.epicgateway.schemas.avro.ReplicaState;
import org.epicgateway.schemas.avro.TunnelState;
import org.junit.jupiter.api.Test;

/**
 * Golden in/out of {@link DataPlane#of}: replicas ready, placed and lost with the reason; only the EPIC nodes the
 * gateway's replicas use, only their adverts of its address (given), only their tunnels to the client nodes of its
 * own endpoints; node addresses for an admin only.
 */
class DataPlaneTest {
    private static final String GATEWAY = "gateway/acme/default/web";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static AggregateState state(String id, Object resource) {
        return AggregateState.newBuilder().setAggregateId(id).setAggregateType(id.substring(0, id.indexOf('/')))
            .setVersion(1L).setLastHash(ByteBuffer.allocate(0)).setUpdatedAt(Instant.EPOCH).setDeleted(false)
            .setResource(resource).build();
    }

    private static final Map<String, AggregateState> STATES = Map.of(
        "placement/acme/default/web", state("placement/acme/default/web", new PlacementState(GATEWAY, List.of(
            new ReplicaState("r0", "epic-a", "local", null, true),
            new ReplicaState("r1", "epic-b", "local", null, false)),
            new ReplicaProblem("r2", "epic-c", "no envoy binary on PATH"))),
        "node/epic-a", state("node/epic-a", new NodeState("epic-a", NodeKind.EPIC, List.of("198.18.0.1"), "eth0", null,
            null, false, List.of(new TunnelState(1L, "client-1", "198.51.100.7", 6080),
                new TunnelState(2L, "another-tenants-node", null, null)))),
        "node/epic-b", state("node/epic-b", new NodeState("epic-b", NodeKind.EPIC, List.of("198.18.0.2"), "eth0", null,
            null, true, List.of())),
        "node/client-1", state("node/client-1", new NodeState("client-1", NodeKind.CLIENT, List.of("198.51.100.7"),
            "eth0", null, null, false, List.of())));

    private static final GatewayView VIEW = GatewayView.newBuilder().setGatewayId(GATEWAY).setGatewayVersion(3)
        .setGateway(GatewayState.newBuilder().setAccount("acme").setNamespace("default").setName("web")
            .setTemplate("t").setListeners(List.of()).setAddress("192.0.2.65").build())
        .setEndpointSlices(List.of(EndpointSliceState.newBuilder().setAccount("acme").setNamespace("default")
            .setName("web-1").setServiceName("web").setEndpoints(List.of(
                endpoint("10.1.0.5", "client-1", "198.51.100.7"), endpoint("10.1.0.6", "client-1", null),
                endpoint("10.1.0.9", "client-2", "198.51.100.9"), endpoint("10.1.0.10", null, null))).build()))
        .build();

    private static Endpoint endpoint(String address, String node, String nodeAddress) {
        return Endpoint.newBuilder().setAddresses(List.of(address)).setConditions(new EndpointConditions(true, null, null))
            .setNodeName(node).setNodeAddress(nodeAddress).build();
    }

    private static JsonNode dataPlane(boolean admin) {
        return DataPlane.of(GATEWAY, VIEW, id -> Optional.ofNullable(STATES.get(id)),
            node -> node.equals("epic-a") ? List.of("192.0.2.65/32") : List.of(), admin);
    }

    @Test
    void aTenantSeesItsGatewaysReplicasNodesAdvertsAndTunnelsAndNothingElse() throws Exception {
        // Compared as text: the tunnel id is a long, which a parsed literal would read as an int.
        assertThat(dataPlane(false).toString()).isEqualTo(JSON.readTree("""
            {"gatewayId":"gateway/acme/default/web",
             "replicas":[{"instance":"r0","node":"epic-a","provider":"local","state":"ready"},
                         {"instance":"r1","node":"epic-b","provider":"local","state":"placed"},
                         {"instance":"r2","node":"epic-c","provider":null,"state":"lost","reason":"no envoy binary on PATH"}],
             "clientNodes":[{"node":"client-1","endpoints":["10.1.0.5","10.1.0.6"],"address":"198.51.100.7","known":true,"lost":false},
                            {"node":"client-2","endpoints":["10.1.0.9"],"address":"198.51.100.9","known":false,"lost":false}],
             "epicNodes":[{"node":"epic-a","known":true,"lost":false,"adverts":["192.0.2.65/32"]},
                          {"node":"epic-b","known":true,"lost":true,"adverts":[]},
                          {"node":"epic-c","known":false,"lost":false,"adverts":[]}],
             "tunnels":[{"tunnelId":1,"epicNode":"epic-a","clientNode":"client-1","learned":true}]}""").toString());
    }

    @Test
    void anAdminAlsoSeesTheNodesAddresses() {
        JsonNode admin = dataPlane(true);
        assertThat(admin.at("/epicNodes/0/addresses").toString()).isEqualTo("[\"198.18.0.1\"]");
        assertThat(admin.at("/clientNodes/0/addresses").toString()).isEqualTo("[\"198.51.100.7\"]");
        assertThat(admin.at("/epicNodes/2").has("addresses")).as("a node that never sent a heartbeat").isFalse();
        assertThat(admin.at("/tunnels")).isEqualTo(dataPlane(false).at("/tunnels"));
    }

    @Test
    void withoutPlacementOrViewThereIsNothingToDraw() throws Exception {
        assertThat(DataPlane.of(GATEWAY, null, id -> Optional.empty(), node -> List.of(), false)).isEqualTo(JSON.readTree(
            "{\"gatewayId\":\"gateway/acme/default/web\",\"replicas\":[],\"clientNodes\":[],\"epicNodes\":[],\"tunnels\":[]}"));
    }
}
