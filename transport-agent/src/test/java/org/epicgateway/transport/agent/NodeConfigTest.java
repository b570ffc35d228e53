package org.epicgateway.transport.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.epicgateway.transport.maps.EpicMaps.ipv4;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.epicgateway.transport.agent.NodeConfig.EndpointEntry;
import org.epicgateway.transport.agent.NodeConfig.TunnelEntry;
import org.epicgateway.transport.maps.EpicMaps.EndpointKey;
import org.epicgateway.transport.reconcile.TunnelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigTest {
  static final String KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

  @Test
  void readsAnEpicNodeFromJson(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("node.json");
    Files.writeString(f, """
        {"role": "epic", "uplinks": [{"name": "eth0", "mtu": 1500}], "instances": [{"name": "veth1", "tag": 7}],
         "tunnels": [{"id": 42, "local": "198.18.0.1", "keyHex": "%s"}],
         "endpoints": [{"tag": 7, "address": "10.77.0.2", "port": 5001, "protocol": "tcp", "tunnel": 42}]}
        """.formatted(KEY));
    NodeSpec spec = NodeConfig.read(f);
    assertThat(spec.role()).isEqualTo(NodeSpec.Role.EPIC);
    assertThat(spec.tunnels().get(42).spec()).isEqualTo(TunnelSpec.learned(ipv4("198.18.0.1"), 6080));
    assertThat(spec.endpoints()).containsEntry(new EndpointKey(7, ipv4("10.77.0.2"), 5001, EndpointKey.TCP), 42);
    assertThat(spec.instances()).containsExactly(new NodeSpec.Instance("veth1", 7));
  }

  @Test
  void clientTunnelsNeedAFixedRemote() {
    NodeSpec spec = new NodeConfig("CLIENT", List.of(new NodeSpec.Uplink("eth0", 1500)), null,
        List.of(new TunnelEntry(42, "10.77.1.2", null, "198.18.0.1:6080", KEY)), null).toSpec();
    assertThat(spec.tunnels().get(42).spec()).isEqualTo(TunnelSpec.fixed(ipv4("10.77.1.2"), ipv4("198.18.0.1"), 6080));
    assertThatThrownBy(() -> new NodeConfig("CLIENT", List.of(new NodeSpec.Uplink("eth0", 1500)), null,
        List.of(new TunnelEntry(42, "10.77.1.2", null, null, KEY)), null).toSpec())
        .hasMessage("tunnels[id=42].remote: 'address:port' required on client nodes");
  }

  @Test
  void errorsNameTheField(@TempDir Path dir) throws Exception {
    var uplinks = List.of(new NodeSpec.Uplink("eth0", 1500));
    assertThatThrownBy(() -> new NodeConfig("router", uplinks, null, null, null).toSpec())
        .hasMessage("role: 'router' is not EPIC or CLIENT");
    assertThatThrownBy(() -> new NodeConfig("EPIC", uplinks, null, List.of(new TunnelEntry(1, "1.2.3.4", null, null, "zz")), null).toSpec())
        .hasMessage("tunnels[id=1].keyHex: not hexadecimal");
    assertThatThrownBy(() -> new NodeConfig("EPIC", uplinks, null, List.of(new TunnelEntry(1, "host", null, null, KEY)), null).toSpec())
        .hasMessage("tunnels[id=1].local: not an IPv4 address: 'host'");
    assertThatThrownBy(() -> new NodeConfig("EPIC", uplinks, null, List.of(new TunnelEntry(1, "1.2.3.4", null, null, KEY)),
        List.of(new EndpointEntry(null, "10.0.0.1", 80, "sctp", 1))).toSpec())
        .hasMessage("endpoints[10.0.0.1:80].protocol: 'sctp' is not tcp, udp or icmp");
    assertThatThrownBy(() -> new NodeConfig("EPIC", uplinks, null, List.of(new TunnelEntry(1, "1.2.3.4", null, null, KEY)),
        List.of(new EndpointEntry(null, "10.0.0.1", 80, "tcp", 2))).toSpec())
        .hasMessage("endpoints[10.0.0.1:80].tunnel: no tunnel 2");
    Path f = dir.resolve("bad.json");
    Files.writeString(f, "{\"role\": \"EPIC\", \"uplink\": []}");
    assertThatThrownBy(() -> NodeConfig.read(f)).hasMessageContaining("cannot read node config " + f).hasMessageContaining("uplink");
  }
}
