package org.epicgateway.transport.cli;

import java.util.Map;
import java.util.TreeMap;
import org.epicgateway.transport.maps.EpicMaps.EndpointKey;
import org.epicgateway.transport.maps.EpicMaps.GlobalStats;
import org.epicgateway.transport.maps.EpicMaps.Iface;
import org.epicgateway.transport.maps.EpicMaps.Tunnel;
import org.epicgateway.transport.maps.EpicMaps.TunnelStats;

/** The text tables of {@code ./epic agent show ...}, from decoded map contents (pure, so they are golden-tested). */
public final class AgentTables {
  private AgentTables() {}

  public static String tunnels(Map<Integer, Tunnel> tunnels) {
    StringBuilder b = new StringBuilder(String.format("%-10s %s%n", "TUNNEL", "OUTER (local -> remote)"));
    new TreeMap<>(tunnels).forEach((id, t) -> b.append(String.format("%-10s %s%n", Integer.toUnsignedString(id), t)));
    return b.toString();
  }

  public static String endpoints(Map<EndpointKey, Integer> configured, Map<EndpointKey, Integer> learned) {
    StringBuilder b = new StringBuilder(String.format("%-10s %-8s %-22s %-6s %s%n", "SOURCE", "TAG", "ENDPOINT", "PROTO", "TUNNEL"));
    row(b, "agent", configured);
    row(b, "learned", learned);
    return b.toString();
  }

  private static void row(StringBuilder b, String source, Map<EndpointKey, Integer> m) {
    new TreeMap<>(m).forEach((k, id) -> b.append(String.format("%-10s %-8s %-22s %-6s %s%n", source,
        Integer.toUnsignedString(k.instanceTag()), k.addr().getHostAddress() + ":" + k.port(),
        k.proto() == EndpointKey.TCP ? "tcp" : k.proto() == EndpointKey.UDP ? "udp" : k.proto() == EndpointKey.ICMP ? "icmp" : Integer.toString(k.proto()),
        Integer.toUnsignedString(id))));
  }

  public static String interfaces(Map<Integer, Iface> ifaces) {
    StringBuilder b = new StringBuilder(String.format("%-8s %-14s %-6s %s%n", "IFINDEX", "ROLE", "MTU", "TAG"));
    new TreeMap<>(ifaces).forEach((idx, i) -> b.append(String.format("%-8d %-14s %-6s %s%n", idx,
        i.role().name().toLowerCase(), i.mtu() == 0 ? "-" : Integer.toString(i.mtu()),
        i.instanceTag() == 0 ? "-" : Integer.toUnsignedString(i.instanceTag()))));
    return b.toString();
  }

  public static String counters(Map<Integer, TunnelStats> stats, GlobalStats global) {
    StringBuilder b = new StringBuilder(String.format("%-10s %10s %12s %10s %12s %8s %6s %6s %9s %7s%n", "TUNNEL",
        "TX_PKTS", "TX_BYTES", "RX_PKTS", "RX_BYTES", "SPOOFED", "MTU", "ICMP", "NO_REMOTE", "ERRORS"));
    new TreeMap<>(stats).forEach((id, s) -> b.append(String.format("%-10s %10d %12d %10d %12d %8d %6d %6d %9d %7d%n",
        Integer.toUnsignedString(id), s.txPackets(), s.txBytes(), s.rxPackets(), s.rxBytes(), s.dropSpoofed(), s.dropMtu(),
        s.icmpFragNeeded(), s.dropNoRemote(), s.txErrors() + s.rxErrors())));
    b.append(String.format("node: control packets passed up %d, unknown tunnel rx %d / tx %d, bad GUE header %d, learn errors %d%n",
        global.rxControl(), global.rxUnknownTunnel(), global.txUnknownTunnel(), global.rxBadHeader(), global.learnErrors()));
    return b.toString();
  }
}
