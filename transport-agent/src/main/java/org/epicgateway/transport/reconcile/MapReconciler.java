package org.epicgateway.transport.reconcile;

import java.net.Inet4Address;
import java.util.Optional;
import org.epicgateway.transport.maps.EpicMapSet;
import org.epicgateway.transport.maps.EpicMaps.Tunnel;

/**
 * Applies {@link MapDiff}s to the live maps and records learned remotes; both under one lock so a reconcile never
 * writes back a tunnel value read before a control packet moved it. Write order avoids transient drops: tunnels
 * and interfaces first, then endpoints that point at them; deletions in the reverse order.
 */
public final class MapReconciler {
  private final EpicMapSet maps;

  public MapReconciler(EpicMapSet maps) {
    this.maps = maps;
  }

  /** Brings the maps to {@code desired}; returns what it changed (empty when they already matched). */
  public synchronized MapDiff reconcile(DesiredState desired) {
    MapDiff diff = MapDiff.between(desired, current());
    diff.tunnels().puts().forEach(maps::putTunnel);
    diff.ifaces().puts().forEach(maps::putIface);
    diff.endpoints().puts().forEach(maps::putEndpoint);
    diff.endpoints().deletes().forEach(maps::deleteEndpoint);
    diff.learnedDeletes().forEach(maps::deleteLearned);
    diff.ifaces().deletes().forEach(maps::deleteIface);
    diff.tunnels().deletes().forEach(maps::deleteTunnel);
    diff.statsDeletes().forEach(maps::deleteTunnelStats);
    return diff;
  }

  /**
   * Points tunnel {@code id} at a remote learned from a verified control packet. Returns the previous value when
   * the remote changed, empty when it was already there or the tunnel is not (or no longer) in the map.
   */
  public synchronized Optional<Tunnel> learnRemote(int id, Inet4Address addr, int port) {
    Optional<Tunnel> current = maps.tunnel(id);
    if (current.isEmpty()) return Optional.empty();
    Tunnel learned = current.get().withLearnedRemote(addr, port);
    if (learned.equals(current.get())) return Optional.empty();
    maps.putTunnel(id, learned);
    return current;
  }

  public synchronized MapContents current() {
    return new MapContents(maps.endpoints(), maps.tunnels(), maps.ifaces(), maps.learned(),
        new java.util.HashSet<>(maps.statsTunnels()));
  }
}
