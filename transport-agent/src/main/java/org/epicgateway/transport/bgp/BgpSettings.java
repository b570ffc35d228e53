package org.epicgateway.transport.bgp;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How a node speaks BGP: its router id and AS, and the peers (upstream routers) it announces its adverts to. Given
 * by the operator on the agent's command line; the adverts themselves come from epic.node-adverts.
 */
public record BgpSettings(Inet4Address routerId, long localAs, List<Peer> peers, int holdTimeSeconds) {
  /** One BGP neighbour: IPv4 peers get the node's IPv4 adverts, IPv6 peers its IPv6 adverts. */
  public record Peer(InetAddress address, long as) {
    public Peer {
      if (address == null) throw new IllegalArgumentException("peer address: missing");
      checkAs("peer " + address.getHostAddress() + " as", as);
    }

    /** Parses {@code ADDRESS/AS} (for example {@code 198.18.0.254/65000} or {@code 2001:db8::1/65000}). */
    public static Peer parse(String text) {
      int slash = text.lastIndexOf('/');
      if (slash <= 0) throw new IllegalArgumentException("BGP peer '" + text + "': expected ADDRESS/AS");
      InetAddress address;
      try {
        address = IpLiteral.parse(text.substring(0, slash));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("BGP peer '" + text + "': '" + text.substring(0, slash) + "' is not an IP address");
      }
      try {
        return new Peer(address, Long.parseLong(text.substring(slash + 1)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("BGP peer '" + text + "': AS '" + text.substring(slash + 1) + "' is not a number");
      }
    }

    boolean ipv6() {
      return address instanceof Inet6Address;
    }
  }

  public BgpSettings {
    if (routerId == null) throw new IllegalArgumentException("BGP router id: missing");
    checkAs("local as", localAs);
    if (peers == null || peers.isEmpty()) throw new IllegalArgumentException("BGP peers: at least one is needed");
    Set<InetAddress> seen = new HashSet<>();
    for (Peer p : peers) {
      if (!seen.add(p.address())) throw new IllegalArgumentException("BGP peer " + p.address().getHostAddress() + " given twice");
    }
    // BIRD accepts 0 (no keepalives) or 3..65535; 0 would keep a dead node's routes forever.
    if (holdTimeSeconds < 3 || holdTimeSeconds > 65535) throw new IllegalArgumentException("BGP hold time: must be 3..65535 s, was " + holdTimeSeconds);
    peers = List.copyOf(peers);
  }

  private static void checkAs(String field, long as) {
    if (as < 1 || as > 0xffffffffL) throw new IllegalArgumentException(field + ": must be 1..4294967295, was " + as);
  }
}
