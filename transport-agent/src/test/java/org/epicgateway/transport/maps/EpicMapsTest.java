package org.epicgateway.transport.maps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.epicgateway.transport.maps.EpicMaps.ipv4;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import org.epicgateway.transport.maps.EpicMaps.EndpointKey;
import org.epicgateway.transport.maps.EpicMaps.Iface;
import org.epicgateway.transport.maps.EpicMaps.IfaceRole;
import org.epicgateway.transport.maps.EpicMaps.Tunnel;
import org.epicgateway.transport.maps.EpicMaps.TunnelStats;
import org.junit.jupiter.api.Test;

/** Golden bytes for the layouts in bpf/include/epic_maps.h (addresses/ports network order, the rest little-endian). */
class EpicMapsTest {
  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  @Test
  void endpointKey() {
    EndpointKey k = new EndpointKey(5, ipv4("10.1.2.3"), 6080, EndpointKey.TCP);
    assertThat(hex(k.encode())).isEqualTo("05000000" + "0a010203" + "17c0" + "06" + "00");
    assertThat(EndpointKey.decode(k.encode())).isEqualTo(k);
  }

  @Test
  void tunnel() {
    Tunnel t = new Tunnel(ipv4("192.0.2.1"), ipv4("198.51.100.7"), 6080, 40000, 3, EpicMaps.TUN_F_FIXED_SPORT);
    assertThat(hex(t.encode())).isEqualTo("c0000201" + "c6336407" + "17c0" + "9c40" + "03000000" + "01000000" + "00000000");
    assertThat(Tunnel.decode(t.encode())).isEqualTo(t);
    assertThat(t.remoteKnown()).isTrue();
    assertThat(new Tunnel(ipv4("192.0.2.1"), EpicMaps.ANY, 6080, 0, 0, 0).remoteKnown()).isFalse();
  }

  @Test
  void iface() {
    Iface i = new Iface(IfaceRole.INSTANCE, 1500, 9);
    assertThat(hex(i.encode())).isEqualTo("03000000" + "dc050000" + "09000000" + "00000000");
    assertThat(Iface.decode(i.encode())).isEqualTo(i);
  }

  @Test
  void tunnelIdIsHostOrder() {
    assertThat(hex(EpicMaps.encodeU32(0x01020304))).isEqualTo("04030201");
  }

  @Test
  void perCpuStatsAreSummed() {
    ByteBuffer b = ByteBuffer.allocate(2 * 80).order(ByteOrder.LITTLE_ENDIAN);
    for (int cpu = 0; cpu < 2; cpu++) for (int f = 0; f < 10; f++) b.putLong((f + 1) * (cpu + 1L));
    TunnelStats s = TunnelStats.sumPerCpu(b.array());
    assertThat(s.txPackets()).isEqualTo(3);
    assertThat(s.rxErrors()).isEqualTo(30);
  }

  @Test
  void ipv4TextIsLiteralOnly() {
    assertThat(ipv4("0.0.0.0")).isEqualTo(EpicMaps.ANY);
    assertThatThrownBy(() -> ipv4("localhost")).hasMessageContaining("not an IPv4 address: 'localhost'");
    assertThatThrownBy(() -> ipv4("10.0.0.256")).hasMessageContaining("10.0.0.256");
  }
}
