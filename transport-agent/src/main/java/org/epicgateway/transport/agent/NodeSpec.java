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

  /**
   * A tunnel and its control-packet keys: the first signs what this node sends, every one verifies what it
   * receives (more than one while the cluster secret rotates).
   */
  public record TunnelConfig(TunnelSpec spec, List<byte[]> keys) {
    public TunnelConfig {
      if (keys == null || keys.isEmpty()) throw new IllegalArgumentException("a tunnel needs a key");
      for (byte[] k : keys) if (k == null || k.length < 16) throw new IllegalArgumentException("a tunnel key needs at least 16 bytes");
      keys = keys.stream().map(byte[]::clone).toList();
    }

    public TunnelConfig(TunnelSpec spec, byte[] key) {
      this(spec, List.of(key));
    }

    /** The signing key. */
    public byte[] key() {
      return keys.get(0).clone();
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
