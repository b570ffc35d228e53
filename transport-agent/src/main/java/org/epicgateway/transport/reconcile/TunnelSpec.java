package org.epicgateway.transport.reconcile;

import java.net.Inet4Address;
import org.epicgateway.transport.maps.EpicMaps;
import org.epicgateway.transport.maps.EpicMaps.Tunnel;

/**
 * What the agent is told about one tunnel. {@code remoteAddr == null} means the remote is learned from verified
 * control packets (EPIC side: the client's NAT address); otherwise it is fixed (client side: the EPIC node:6080).
 * {@code fixedSourcePort} pins the outer UDP source to {@code localPort} (EPIC side, so replies pass the client's NAT).
 */
public record TunnelSpec(Inet4Address localAddr, int localPort, Inet4Address remoteAddr, int remotePort,
                         int deliverIfindex, boolean fixedSourcePort) {
  public TunnelSpec {
    if (localAddr == null || localAddr.equals(EpicMaps.ANY)) throw new IllegalArgumentException("tunnel needs a local address");
    checkPort("local", localPort);
    checkPort("remote", remotePort);
    if (fixedSourcePort && localPort == 0) throw new IllegalArgumentException("fixed source port needs a local port");
    if (remoteAddr != null && (remoteAddr.equals(EpicMaps.ANY) || remotePort == 0)) {
      throw new IllegalArgumentException("a fixed remote needs an address and a port (use null to learn it)");
    }
  }

  public static TunnelSpec learned(Inet4Address localAddr, int localPort) {
    return new TunnelSpec(localAddr, localPort, null, 0, 0, true);
  }

  public static TunnelSpec fixed(Inet4Address localAddr, Inet4Address remoteAddr, int remotePort) {
    return new TunnelSpec(localAddr, 0, remoteAddr, remotePort, 0, false);
  }

  public boolean learnsRemote() {
    return remoteAddr == null;
  }

  /** The map value: a learned remote already in the map (flag LEARNED) is kept, anything else comes from the spec. */
  Tunnel toMapValue(Tunnel current) {
    int flags = fixedSourcePort ? EpicMaps.TUN_F_FIXED_SPORT : 0;
    Tunnel base = new Tunnel(localAddr, learnsRemote() ? EpicMaps.ANY : remoteAddr, fixedSourcePort ? localPort : 0,
        learnsRemote() ? 0 : remotePort, deliverIfindex, flags);
    if (learnsRemote() && current != null && (current.flags() & EpicMaps.TUN_F_LEARNED) != 0) {
      return base.withLearnedRemote(current.remoteAddr(), current.remotePort());
    }
    return base;
  }

  private static void checkPort(String which, int port) {
    if (port < 0 || port > 0xffff) throw new IllegalArgumentException(which + " port out of range: " + port);
  }
}
