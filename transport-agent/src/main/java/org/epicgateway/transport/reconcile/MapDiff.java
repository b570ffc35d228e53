package org.epicgateway.transport.reconcile;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.epicgateway.transport.maps.EpicMaps.EndpointKey;
import org.epicgateway.transport.maps.EpicMaps.Iface;
import org.epicgateway.transport.maps.EpicMaps.Tunnel;

/**
 * The writes that bring the maps to a desired state. Ownership (epic_maps.h): the agent owns epic_endpoints,
 * epic_tunnels and epic_ifaces, so every key there that is not desired is deleted, whoever wrote it: the agent is
 * their only writer by contract, and after a restart it cannot know which keys its previous run wrote, so keeping
 * unknown keys would keep a removed tunnel or endpoint alive. The one thing the agent keeps in its own maps is a
 * tunnel's learned remote (from verified control packets). The BPF-owned maps (epic_learned, epic_tun_stats) are
 * left alone except for entries of tunnels that no longer exist, which would otherwise attach a recycled tunnel
 * id to old flows and old counters.
 */
public record MapDiff(Changes<EndpointKey, Integer> endpoints, Changes<Integer, Tunnel> tunnels,
                      Changes<Integer, Iface> ifaces, Set<EndpointKey> learnedDeletes, Set<Integer> statsDeletes) {

  public static MapDiff between(DesiredState desired, MapContents current) {
    Map<Integer, Tunnel> tunnels = new HashMap<>();
    desired.tunnels().forEach((id, spec) -> tunnels.put(id, spec.toMapValue(current.tunnels().get(id))));
    Set<EndpointKey> learnedDeletes = current.learned().entrySet().stream()
        .filter(e -> !desired.tunnels().containsKey(e.getValue())).map(Map.Entry::getKey).collect(Collectors.toSet());
    Set<Integer> statsDeletes = new HashSet<>(current.statsTunnels());
    statsDeletes.removeAll(desired.tunnels().keySet());
    return new MapDiff(Changes.between(desired.endpoints(), current.endpoints()),
        Changes.between(tunnels, current.tunnels()), Changes.between(desired.ifaces(), current.ifaces()),
        learnedDeletes, statsDeletes);
  }

  public boolean isEmpty() {
    return endpoints.isEmpty() && tunnels.isEmpty() && ifaces.isEmpty() && learnedDeletes.isEmpty() && statsDeletes.isEmpty();
  }

  @Override
  public String toString() {
    return "endpoints +" + endpoints.puts().size() + " -" + endpoints.deletes().size() + ", tunnels +" + tunnels.puts().size()
        + " -" + tunnels.deletes().size() + ", ifaces +" + ifaces.puts().size() + " -" + ifaces.deletes().size()
        + ", learned -" + learnedDeletes.size() + ", stats -" + statsDeletes.size();
  }
}
