package org.epicgateway.provisioner.tunnels;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.epicgateway.schemas.avro.Endpoint;
import org.epicgateway.schemas.avro.EndpointSliceState;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.NodeKind;
import org.epicgateway.schemas.avro.NodeState;
import org.epicgateway.schemas.avro.PlacementState;
import org.epicgateway.schemas.avro.ReplicaState;

/**
 * Which client nodes each EPIC node needs a tunnel to: an EPIC node running a replica of a gateway needs one to
 * every client node hosting an endpoint of the gateway's backends (as its view lists them). Pure. The decider turns
 * the plan into tunnel ids ({@code RequireTunnels}); this is the one place that joins placement with endpoints, so
 * the decider never scans an account's routes and slices.
 */
public final class TunnelPlan {
  private TunnelPlan() {}

  /**
   * @param views      live gateways' views by gateway id
   * @param placements placement states by gateway id
   * @param nodes      every known node; client nodes not known (never sent a heartbeat) or lost are left out,
   *                   so a slice naming an unknown node never blocks the tunnels of the others
   * @return for every known EPIC node (lost or not, so a lost node's tunnels are freed), its client nodes
   */
  public static Map<String, Set<String>> required(Map<String, GatewayView> views,
      Map<String, PlacementState> placements, Collection<NodeState> nodes) {
    Map<String, Set<String>> plan = new TreeMap<>();
    Set<String> clients = new TreeSet<>();
    for (NodeState n : nodes) {
      if (n.getKind() == NodeKind.EPIC) {
        plan.put(n.getNode(), new TreeSet<>());
      } else if (!n.getLost()) {
        clients.add(n.getNode());
      }
    }
    placements.forEach((gatewayId, placement) -> {
      GatewayView view = views.get(gatewayId);
      if (view == null) {
        return;
      }
      Set<String> needed = new TreeSet<>();
      for (EndpointSliceState slice : view.getEndpointSlices()) {
        for (Endpoint e : slice.getEndpoints()) {
          if (e.getNodeName() != null && clients.contains(e.getNodeName())) {
            needed.add(e.getNodeName());
          }
        }
      }
      for (ReplicaState r : placement.getReplicas()) {
        Set<String> epic = plan.get(r.getNode());
        if (epic != null && !nodeLost(nodes, r.getNode())) {
          epic.addAll(needed);
        }
      }
    });
    return plan;
  }

  private static boolean nodeLost(Collection<NodeState> nodes, String name) {
    return nodes.stream().anyMatch(n -> n.getNode().equals(name) && n.getLost());
  }
}
