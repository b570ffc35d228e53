package org.epicgateway.transport.reconcile;

import java.util.Map;
import java.util.Set;
import org.epicgateway.transport.maps.EpicMaps.EndpointKey;
import org.epicgateway.transport.maps.EpicMaps.Iface;
import org.epicgateway.transport.maps.EpicMaps.Tunnel;

/** What the maps hold now (decoded); {@code learned} and {@code statsTunnels} are written by the BPF programs. */
public record MapContents(Map<EndpointKey, Integer> endpoints, Map<Integer, Tunnel> tunnels,
                          Map<Integer, Iface> ifaces, Map<EndpointKey, Integer> learned, Set<Integer> statsTunnels) {
  public static MapContents empty() {
    return new MapContents(Map.of(), Map.of(), Map.of(), Map.of(), Set.of());
  }
}
