package org.epicgateway.transport.bgp;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Renders a node's BIRD 2 configuration: pure, from the node's adverts and its BGP settings. Each advert becomes a
 * host route (/32 or /128) in a static protocol of this node's own, and each BGP session exports exactly that
 * protocol's routes (nothing learned is imported or re-exported: the node is a leaf that announces its gateways).
 * BIRD announces a route with no next hop of its own with the session's local address as next hop, so routers
 * send gateway traffic to the node that announced it; several nodes announcing one address give them ECMP.
 */
public final class BirdConfig {
  static final String STATIC4 = "epic_adverts4", STATIC6 = "epic_adverts6";
  private static final Comparator<InetAddress> BY_BYTES = Comparator.comparing(InetAddress::getAddress, java.util.Arrays::compareUnsigned);

  private BirdConfig() {}

  public static String render(String node, BgpSettings bgp, Collection<InetAddress> adverts) {
    List<InetAddress> v4 = adverts.stream().filter(a -> a instanceof Inet4Address).distinct().sorted(BY_BYTES).toList();
    List<InetAddress> v6 = adverts.stream().filter(a -> a instanceof Inet6Address).distinct().sorted(BY_BYTES).toList();
    StringBuilder b = new StringBuilder();
    b.append("# BIRD configuration of EPIC node ").append(node).append(", written by its transport agent: edits are overwritten.\n");
    b.append("router id ").append(bgp.routerId().getHostAddress()).append(";\n\n");
    b.append("protocol device {\n}\n\n");
    staticProtocol(b, STATIC4, "ipv4", "/32", v4);
    staticProtocol(b, STATIC6, "ipv6", "/128", v6);
    int n = 0;
    for (BgpSettings.Peer p : bgp.peers()) {
      b.append("protocol bgp epic_peer").append(++n).append(" {\n");
      b.append("  description \"").append(p.address().getHostAddress()).append("\";\n");
      b.append("  local as ").append(bgp.localAs()).append(";\n");
      b.append("  neighbor ").append(p.address().getHostAddress()).append(" as ").append(p.as()).append(";\n");
      b.append("  hold time ").append(bgp.holdTimeSeconds()).append(";\n");
      b.append("  keepalive time ").append(Math.max(1, bgp.holdTimeSeconds() / 3)).append(";\n");
      // A restarted agent starts a fresh BIRD (BirdProcess): its first connect must not wait BIRD's default 5 s.
      b.append("  connect delay time 1;\n");
      b.append("  connect retry time 2;\n");
      b.append("  error wait time 1, 10;\n");
      b.append("  ").append(p.ipv6() ? "ipv6" : "ipv4").append(" {\n");
      b.append("    import none;\n");
      b.append("    export where proto = \"").append(p.ipv6() ? STATIC6 : STATIC4).append("\";\n");
      b.append("  };\n}\n\n");
    }
    return b.toString();
  }

  private static void staticProtocol(StringBuilder b, String name, String channel, String length, List<InetAddress> routes) {
    b.append("protocol static ").append(name).append(" {\n  ").append(channel).append(";\n");
    for (InetAddress a : routes) b.append("  route ").append(a.getHostAddress()).append(length).append(" blackhole;\n");
    b.append("}\n\n");
  }
}
