package org.epicgateway.transport.agent;

import java.util.List;
import java.util.Map;
import org.epicgateway.transport.maps.EpicMaps.EndpointKey;
import org.epicgateway.transport.reconcile.TunnelSpec;

/**
 * Everything an agent is told about its node: its role, its interfaces by name, its tunnels with their control
 * packet keys, and the endpoints each tunnel serves.
 */
public record NodeSpec(Role role, List<Uplink> uplinks, List<Instance> instances, Map<Integer, TunnelConfig> tunnels,
                       Map<EndpointKey, Integer> endpoints) {
  public enum Role { EPIC, CLIENT }

  /** An uplink carries GUE: encap on egress, decap on ingress; {@code mtu} is the uplink's MTU (0 = no check). */
  public record Uplink(String name, int mtu) {}

  /** An Envoy instance's host-side interface, whose packets get {@code tag} as skb mark (EPIC nodes). */
  public record Instance(String name, int tag) {}

  public record TunnelConfig(TunnelSpec spec, byte[] key) {
    public TunnelConfig {
      if (key == null || key.length < 16) throw new IllegalArgumentException("a tunnel key needs at least 16 bytes");
      key = key.clone();
    }
  }

  public NodeSpec {
    if (role == null) throw new IllegalArgumentException("node role missing");
    if (uplinks.isEmpty()) throw new IllegalArgumentException("a node needs at least one uplink");
    if (role == Role.CLIENT && !instances.isEmpty()) throw new IllegalArgumentException("instances exist only on EPIC nodes");
    uplinks = List.copyOf(uplinks);
    instances = List.copyOf(instances);
    tunnels = Map.copyOf(tunnels);
    endpoints = Map.copyOf(endpoints);
  }
}
