package org.epicgateway.projections.node;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.epicgateway.schemas.avro.Advert;
import org.epicgateway.schemas.avro.GatewayState;
import org.epicgateway.schemas.avro.NodeAdverts;
import org.epicgateway.schemas.avro.NodeState;
import org.epicgateway.schemas.avro.ReplicaState;

/**
 * {@code adverts = derive(placement)}: the gateway addresses a node announces over BGP, as epic.node-adverts carries
 * them. A node announces a gateway's address (and its IPv4 alt address) as a host route while at least one replica
 * of the gateway on it is ready, so upstream routers spread traffic over exactly the nodes that serve it (ECMP). A
 * lost node, a lost or not yet ready replica, or a deleted gateway withdraws the route. Pure and sorted.
 */
public final class NodeAdvertsDerivation {
  private NodeAdvertsDerivation() {}

  public static NodeAdverts derive(NodeState node, List<Hosted> hosted) {
    List<Advert> adverts = new ArrayList<>();
    if (!node.getLost()) {
      for (Hosted h : hosted) {
        if (h.view() == null || h.replicas().stream().noneMatch(ReplicaState::getReady)) {
          continue;
        }
        GatewayState gateway = h.view().getGateway();
        for (String address : new String[] {gateway.getAddress(), gateway.getAltAddress()}) {
          if (address != null) {
            adverts.add(new Advert(address + (address.contains(":") ? "/128" : "/32"), h.gatewayId()));
          }
        }
      }
    }
    adverts.sort(Comparator.comparing(Advert::getPrefix).thenComparing(Advert::getGatewayId));
    NodeAdverts result = new NodeAdverts(node.getNode(), "", adverts.stream().distinct().toList());
    result.setVersion(ContentVersion.of(result));
    return result;
  }
}
