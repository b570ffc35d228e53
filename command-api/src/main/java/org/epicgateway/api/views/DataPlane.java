package org.epicgateway.api.views;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.epicgateway.schemas.AggregateId;
import org.epicgateway.schemas.AggregateIds;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.Endpoint;
import org.epicgateway.schemas.avro.EndpointSliceState;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.NodeState;
import org.epicgateway.schemas.avro.PlacementState;
import org.epicgateway.schemas.avro.ReplicaProblem;
import org.epicgateway.schemas.avro.ReplicaState;
import org.epicgateway.schemas.avro.TunnelState;

/**
 * {@code dataPlane = of(gateway)}: where one gateway runs and how traffic reaches its endpoints, as the projections of
 * the lifecycle work hold it: the replicas of {@code placement/<gateway>} (ready, placed, or lost with the reason),
 * the EPIC nodes they run on with the BGP adverts of this gateway's address, the tunnels from those nodes to the
 * client nodes hosting the gateway's endpoints, and those client nodes with the endpoints each carries. Pure.
 *
 * <p>Confined to the gateway: only the EPIC nodes its replicas use, only their adverts of its address, only their
 * tunnels to the client nodes of its own endpoints. Node addresses are the platform's, so only an admin gets them;
 * a tenant sees a client node's address only as its own EndpointSlices gave it.
 */
public final class DataPlane {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private DataPlane() {
    }

    /**
     * @param view the gateway's view (its endpoint slices), or null when not derived
     * @param states aggregate state by id (the decider's store now, or the log folded to an instant)
     * @param advertsOf the prefixes of this gateway a node announces
     * @param admin whether node addresses may be shown
     */
    public static ObjectNode of(String gatewayId, GatewayView view, Function<String, Optional<AggregateState>> states,
                                Function<String, List<String>> advertsOf, boolean admin) {
        ObjectNode out = JSON.objectNode().put("gatewayId", gatewayId);
        AggregateId id = AggregateIds.parse(gatewayId);
        Optional<PlacementState> placement = states.apply(AggregateIds.placement(id.account(), id.namespace(), id.name()))
            .filter(s -> !s.getDeleted()).map(s -> (PlacementState) s.getResource());
        ArrayNode replicas = out.putArray("replicas");
        TreeSet<String> epicNodes = new TreeSet<>();
        ReplicaProblem problem = placement.map(PlacementState::getProblem).orElse(null);
        boolean problemListed = false;
        for (ReplicaState r : placement.map(PlacementState::getReplicas).orElse(List.of())) {
            ObjectNode o = replicas.addObject().put("instance", r.getInstance()).put("node", r.getNode())
                .put("provider", r.getProvider()).put("state", r.getReady() ? "ready" : "placed");
            if (problem != null && problem.getInstance().equals(r.getInstance()) && !r.getReady()) {
                o.put("state", "lost").put("reason", problem.getReason());
                problemListed = true;
            }
            epicNodes.add(r.getNode());
        }
        if (problem != null && !problemListed && placement.get().getReplicas().stream()
            .noneMatch(r -> r.getInstance().equals(problem.getInstance()))) {
            replicas.addObject().put("instance", problem.getInstance()).put("node", problem.getNode())
                .putNull("provider").put("state", "lost").put("reason", problem.getReason());
            epicNodes.add(problem.getNode());
        }

        // The client nodes of the gateway's endpoints, with the endpoints each hosts and the address the slice gave.
        Map<String, ObjectNode> clients = new TreeMap<>();
        for (EndpointSliceState slice : view == null ? List.<EndpointSliceState>of() : view.getEndpointSlices()) {
            for (Endpoint e : slice.getEndpoints()) {
                if (e.getNodeName() == null) {
                    continue;
                }
                ObjectNode c = clients.computeIfAbsent(e.getNodeName(), n -> {
                    ObjectNode node = JSON.objectNode().put("node", n);
                    node.putArray("endpoints");
                    return node;
                });
                if (e.getNodeAddress() != null && !c.has("address")) {
                    c.put("address", e.getNodeAddress());
                }
                e.getAddresses().forEach(((ArrayNode) c.get("endpoints"))::add);
            }
        }
        ArrayNode clientNodes = out.putArray("clientNodes");
        clients.forEach((name, c) -> {
            Optional<NodeState> known = node(states, name);
            c.put("known", known.isPresent()).put("lost", known.map(NodeState::getLost).orElse(false));
            if (admin) {
                known.ifPresent(n -> addresses(c, n));
            }
            clientNodes.add(c);
        });

        ArrayNode nodes = out.putArray("epicNodes");
        ArrayNode tunnels = out.putArray("tunnels");
        for (String name : epicNodes) {
            Optional<NodeState> known = node(states, name);
            ObjectNode n = nodes.addObject().put("node", name).put("known", known.isPresent())
                .put("lost", known.map(NodeState::getLost).orElse(false));
            ArrayNode adverts = n.putArray("adverts");
            advertsOf.apply(name).forEach(adverts::add);
            if (admin) {
                known.ifPresent(s -> addresses(n, s));
            }
            for (TunnelState t : known.map(NodeState::getTunnels).orElse(List.of())) {
                if (clients.containsKey(t.getClientNode())) {
                    tunnels.addObject().put("tunnelId", t.getTunnelId()).put("epicNode", name)
                        .put("clientNode", t.getClientNode()).put("learned", t.getLearnedRemoteAddress() != null);
                }
            }
        }
        return out;
    }

    private static Optional<NodeState> node(Function<String, Optional<AggregateState>> states, String name) {
        try {
            return states.apply(AggregateIds.node(name)).filter(s -> !s.getDeleted())
                .map(s -> (NodeState) s.getResource());
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // a node name no heartbeat could have used
        }
    }

    private static void addresses(ObjectNode into, NodeState node) {
        ArrayNode a = into.putArray("addresses");
        node.getAddresses().forEach(a::add);
        if (node.getPublicAddress() != null) {
            into.put("publicAddress", node.getPublicAddress());
        }
    }
}
