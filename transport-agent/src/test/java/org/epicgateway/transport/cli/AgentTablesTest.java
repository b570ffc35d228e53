package org.epicgateway.transport.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.epicgateway.transport.maps.EpicMaps.ipv4;

import java.util.Map;
import org.epicgateway.transport.maps.EpicMaps;
import org.epicgateway.transport.maps.EpicMaps.EndpointKey;
import org.epicgateway.transport.maps.EpicMaps.GlobalStats;
import org.epicgateway.transport.maps.EpicMaps.Iface;
import org.epicgateway.transport.maps.EpicMaps.IfaceRole;
import org.epicgateway.transport.maps.EpicMaps.Tunnel;
import org.epicgateway.transport.maps.EpicMaps.TunnelStats;
import org.junit.jupiter.api.Test;

class AgentTablesTest {
  @Test
  void tunnels() {
    assertThat(AgentTables.tunnels(Map.of(
        42, new Tunnel(ipv4("198.18.0.1"), ipv4("198.18.0.254"), 6080, 40123, 0, EpicMaps.TUN_F_FIXED_SPORT | EpicMaps.TUN_F_LEARNED),
        7, new Tunnel(ipv4("198.18.0.1"), EpicMaps.ANY, 6080, 0, 0, EpicMaps.TUN_F_FIXED_SPORT))))
        .isEqualTo("""
            TUNNEL     OUTER (local -> remote)
            7          198.18.0.1:6080 -> (remote not known) fixed-sport
            42         198.18.0.1:6080 -> 198.18.0.254:40123 fixed-sport learned
            """);
  }

  @Test
  void endpoints() {
    assertThat(AgentTables.endpoints(Map.of(new EndpointKey(3, ipv4("10.77.0.2"), 5001, EndpointKey.TCP), 42),
        Map.of(new EndpointKey(0, ipv4("198.18.0.1"), 40000, EndpointKey.UDP), 42)))
        .isEqualTo("""
            SOURCE     TAG      ENDPOINT               PROTO  TUNNEL
            agent      3        10.77.0.2:5001         tcp    42
            learned    0        198.18.0.1:40000       udp    42
            """);
  }

  @Test
  void interfaces() {
    assertThat(AgentTables.interfaces(Map.of(2, new Iface(IfaceRole.UPLINK_EPIC, 1500, 0), 9, new Iface(IfaceRole.INSTANCE, 0, 5))))
        .isEqualTo("""
            IFINDEX  ROLE           MTU    TAG
            2        uplink_epic    1500   -
            9        instance       -      5
            """);
  }

  @Test
  void counters() {
    assertThat(AgentTables.counters(Map.of(42, new TunnelStats(10, 1000, 20, 2000, 1, 2, 2, 0, 0, 1)),
        new GlobalStats(5, 0, 1, 0, 0)))
        .contains("42                 10         1000         20         2000        1      2      2         0       1")
        .contains("control packets passed up 5");
  }
}
