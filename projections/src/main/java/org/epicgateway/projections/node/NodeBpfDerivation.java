package org.epicgateway.projections.node;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.epicgateway.schemas.avro.BpfEndpoint;
import org.epicgateway.schemas.avro.BpfInstance;
import org.epicgateway.schemas.avro.BpfTunnel;
import org.epicgateway.schemas.avro.BpfUplink;
import org.epicgateway.schemas.avro.Endpoint;
import org.epicgateway.schemas.avro.EndpointPort;
import org.epicgateway.schemas.avro.EndpointSliceState;
import org.epicgateway.schemas.avro.NodeBpf;
import org.epicgateway.schemas.avro.NodeKind;
import org.epicgateway.schemas.avro.NodeState;
import org.epicgateway.schemas.avro.ReplicaState;
import org.epicgateway.schemas.avro.TunnelState;

/**
 * {@code bpfMaps = derive(node, tunnels, endpoints)}: what one node's BPF maps must hold, as epic.node-bpf carries it.
 * Pure; the output is sorted everywhere so equal inputs give byte-identical records (and the same version).
 * <ul>
 *   <li>EPIC node: its uplink; one instance per replica it runs (by the replica's host-side interface); its tunnels,
 *   whose remote is learned from verified control packets (the client may sit behind a NAT); and for each replica,
 *   each ready IPv4 endpoint of the gateway's backends on a client node it has a tunnel to, per slice port.</li>
 *   <li>Client node: its uplink and one tunnel per EPIC node that allocated one toward it, to that node's public
 *   (else first) address on the GUE port. Its endpoints are learned by decap, so none are listed.</li>
 * </ul>
 * No tunnel key is ever part of it: agents derive keys from the cluster secret and the tunnel's identity.
 */
public final class NodeBpfDerivation {
  public static final int GUE_PORT = 6080;

  private NodeBpfDerivation() {}

  /**
   * @param node   the node's folded state; a lost node derives to null (a tombstone: the node is off the data path)
   * @param nodes  every known node (the peers' addresses and tunnels)
   * @param hosted the gateways with replicas on this node (ignored for client nodes)
   */
  public static NodeBpf derive(NodeState node, Collection<NodeState> nodes, List<Hosted> hosted) {
    if (node.getLost()) {
      return null;
    }
    NodeBpf bpf = node.getKind() == NodeKind.EPIC ? epic(node, hosted) : client(node, nodes);
    bpf.setVersion(ContentVersion.of(bpf));
    return bpf;
  }

  private static NodeBpf epic(NodeState node, List<Hosted> hosted) {
    String local = node.getAddresses().get(0);
    Map<String, Long> tunnelByClient = new TreeMap<>();
    List<BpfTunnel> tunnels = new ArrayList<>();
    for (TunnelState t : node.getTunnels()) {
      tunnelByClient.put(t.getClientNode(), t.getTunnelId());
      tunnels.add(new BpfTunnel(t.getTunnelId(), node.getNode(), t.getClientNode(), local, GUE_PORT, null, 0));
    }
    List<BpfInstance> instances = new ArrayList<>();
    List<BpfEndpoint> endpoints = new ArrayList<>();
    for (Hosted h : hosted) {
      for (ReplicaState r : h.replicas()) {
        if (r.getInterfaceName() != null) {
          instances.add(new BpfInstance(r.getInterfaceName(), h.gatewayId(), r.getInstance()));
        }
        if (h.view() == null) {
          continue;
        }
        for (EndpointSliceState slice : h.view().getEndpointSlices()) {
          for (Endpoint e : slice.getEndpoints()) {
            Long tunnel = e.getNodeName() == null ? null : tunnelByClient.get(e.getNodeName());
            if (tunnel == null || Boolean.FALSE.equals(e.getConditions().getReady())) {
              continue;
            }
            for (String address : e.getAddresses()) {
              if (address.contains(":")) {
                continue; // inner traffic through the tunnel is IPv4
              }
              for (EndpointPort port : slice.getPorts()) {
                endpoints.add(new BpfEndpoint(r.getInterfaceName(), address, port.getPort(),
                    port.getProtocol().name(), tunnel));
              }
            }
          }
        }
      }
    }
    instances.sort(Comparator.comparing(BpfInstance::getInterfaceName).thenComparing(BpfInstance::getGatewayId)
        .thenComparing(BpfInstance::getInstance));
    return new NodeBpf(node.getNode(), node.getKind(), "", uplinks(node), instances.stream().distinct().toList(),
        tunnels, sortedEndpoints(endpoints), Map.of("kind", "epic"));
  }

  private static NodeBpf client(NodeState node, Collection<NodeState> nodes) {
    String local = node.getAddresses().get(0);
    List<BpfTunnel> tunnels = new ArrayList<>();
    for (NodeState epic : nodes) {
      if (epic.getKind() != NodeKind.EPIC) {
        continue;
      }
      String remote = epic.getPublicAddress() != null ? epic.getPublicAddress() : epic.getAddresses().get(0);
      for (TunnelState t : epic.getTunnels()) {
        if (t.getClientNode().equals(node.getNode())) {
          tunnels.add(new BpfTunnel(t.getTunnelId(), epic.getNode(), node.getNode(), local, GUE_PORT, remote,
              GUE_PORT));
        }
      }
    }
    tunnels.sort(Comparator.comparingLong(BpfTunnel::getTunnelId));
    return new NodeBpf(node.getNode(), node.getKind(), "", uplinks(node), List.of(), tunnels, List.of(),
        Map.of("kind", "client"));
  }

  private static List<BpfUplink> uplinks(NodeState node) {
    return List.of(new BpfUplink(node.getUplinkInterface(), 0));
  }

  /** Sorted and without duplicates (two slices may list one endpoint). */
  private static List<BpfEndpoint> sortedEndpoints(List<BpfEndpoint> endpoints) {
    Comparator<BpfEndpoint> order = Comparator
        .comparing((BpfEndpoint e) -> e.getInstanceInterface() == null ? "" : e.getInstanceInterface())
        .thenComparing(BpfEndpoint::getAddress).thenComparingInt(BpfEndpoint::getPort)
        .thenComparing(BpfEndpoint::getProtocol).thenComparingLong(BpfEndpoint::getTunnelId);
    return endpoints.stream().distinct().sorted(order).toList();
  }
}
