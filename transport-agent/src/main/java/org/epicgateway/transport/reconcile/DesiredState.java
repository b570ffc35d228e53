package org.epicgateway.transport.reconcile;

import java.util.Map;
import java.util.TreeMap;
import org.epicgateway.transport.maps.EpicMaps.EndpointKey;
import org.epicgateway.transport.maps.EpicMaps.Iface;
import org.epicgateway.transport.maps.EpicMaps.IfaceRole;

/** The map contents a node should have: endpoints → tunnel ids, tunnels, interface roles by ifindex. */
public record DesiredState(Map<EndpointKey, Integer> endpoints, Map<Integer, TunnelSpec> tunnels,
                           Map<Integer, Iface> ifaces) {
  /** Validates the whole state up front, so a bad state is rejected before any map is written. */
  public DesiredState {
    endpoints = Map.copyOf(new TreeMap<>(endpoints));
    tunnels = Map.copyOf(tunnels);
    ifaces = Map.copyOf(ifaces);
    for (var t : tunnels.keySet()) {
      if (t == 0) throw new IllegalArgumentException("tunnel id 0 is reserved (means no tunnel)");
    }
    for (var e : endpoints.entrySet()) {
      if (!tunnels.containsKey(e.getValue())) {
        throw new IllegalArgumentException("endpoint " + e.getKey() + " points at tunnel "
            + Integer.toUnsignedString(e.getValue()) + ", which is not in the desired tunnels");
      }
    }
    for (var i : ifaces.entrySet()) {
      if (i.getKey() <= 0) throw new IllegalArgumentException("interface index must be positive: " + i.getKey());
      if (i.getValue().role() == IfaceRole.INSTANCE && i.getValue().instanceTag() == 0) {
        throw new IllegalArgumentException("instance interface " + i.getKey() + " needs a non-zero instance tag");
      }
      if (i.getValue().mtu() != 0 && i.getValue().mtu() < 576) {
        throw new IllegalArgumentException("interface " + i.getKey() + " MTU " + i.getValue().mtu() + " is below 576");
      }
    }
  }

  public static DesiredState empty() {
    return new DesiredState(Map.of(), Map.of(), Map.of());
  }
}
