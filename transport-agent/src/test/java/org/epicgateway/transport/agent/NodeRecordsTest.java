package org.epicgateway.transport.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.epicgateway.transport.maps.EpicMaps.ipv4;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.epicgateway.schemas.avro.Advert;
import org.epicgateway.schemas.avro.BpfEndpoint;
import org.epicgateway.schemas.avro.BpfInstance;
import org.epicgateway.schemas.avro.BpfTunnel;
import org.epicgateway.schemas.avro.BpfUplink;
import org.epicgateway.schemas.avro.NodeAdverts;
import org.epicgateway.schemas.avro.NodeBpf;
import org.epicgateway.schemas.avro.NodeKind;
import org.epicgateway.transport.agent.NodeSpec.Instance;
import org.epicgateway.transport.agent.NodeSpec.Role;
import org.epicgateway.transport.agent.NodeSpec.Uplink;
import org.epicgateway.transport.bgp.IpLiteral;
import org.epicgateway.transport.keys.ClusterSecret;
import org.epicgateway.transport.keys.TunnelKeys;
import org.epicgateway.transport.keys.TunnelKeys.TunnelIdentity;
import org.epicgateway.transport.maps.EpicMaps.EndpointKey;
import org.epicgateway.transport.reconcile.TunnelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeRecordsTest {
  @TempDir Path dir;

  TunnelKeys keys() throws Exception {
    return new TunnelKeys(ClusterSecret.read(Files.writeString(dir.resolve("secret"), "0123456789abcdef0123456789abcdef\n")));
  }

  /** The node's interfaces: name -> {ifindex, mtu}. */
  static final Map<String, int[]> LINKS = Map.of("eth0", new int[] {2, 9000}, "veth-gw1", new int[] {7, 1500});

  static final NodeRecords.Interfaces IFACES = new NodeRecords.Interfaces() {
    @Override
    public int ifindex(String name) {
      return link(name)[0];
    }

    @Override
    public int mtu(String name) {
      return link(name)[1];
    }

    private int[] link(String name) {
      int[] l = LINKS.get(name);
      if (l == null) throw new IllegalArgumentException("no interface '" + name + "' in netns n1");
      return l;
    }
  };

  static NodeBpf epicNode(List<BpfTunnel> tunnels, List<BpfEndpoint> endpoints) {
    return NodeBpf.newBuilder().setNode("epic-a").setKind(NodeKind.EPIC).setVersion("v1")
        .setUplinks(List.of(new BpfUplink("eth0", 1500)))
        .setInstances(List.of(new BpfInstance("veth-gw1", "gateway/acme/default/web", "r0")))
        .setTunnels(tunnels).setEndpoints(endpoints).setTags(Map.of()).build();
  }

  static BpfTunnel learnedTunnel(long id) {
    return new BpfTunnel(id, "epic-a", "client-1", "198.18.0.1", 6080, null, 0);
  }

  @Test
  void epicNodeRecordBecomesTheSpecWithDerivedKeysAndInstanceTags() throws Exception {
    NodeBpf bpf = epicNode(List.of(learnedTunnel(3)),
        List.of(new BpfEndpoint("veth-gw1", "10.77.0.2", 8080, "TCP", 3L), new BpfEndpoint(null, "10.77.0.3", 53, "udp", 3L)));
    NodeSpec spec = NodeRecords.spec(bpf, keys(), IFACES);
    assertThat(spec.role()).isEqualTo(Role.EPIC);
    assertThat(spec.uplinks()).containsExactly(new Uplink("eth0", 1500));
    assertThat(spec.instances()).containsExactly(new Instance("veth-gw1", 7));
    assertThat(spec.tunnels()).containsOnlyKeys(3);
    assertThat(spec.tunnels().get(3).spec()).isEqualTo(TunnelSpec.learned(ipv4("198.18.0.1"), 6080));
    assertThat(spec.tunnels().get(3).key()).isEqualTo(keys().keys(new TunnelIdentity("epic-a", "client-1", 3)).get(0));
    assertThat(spec.endpoints()).isEqualTo(Map.of(
        new EndpointKey(7, ipv4("10.77.0.2"), 8080, EndpointKey.TCP), 3,
        new EndpointKey(0, ipv4("10.77.0.3"), 53, EndpointKey.UDP), 3));
  }

  @Test
  void clientNodeTunnelsHaveAFixedRemote() throws Exception {
    NodeBpf bpf = NodeBpf.newBuilder().setNode("client-1").setKind(NodeKind.CLIENT).setVersion("v2")
        .setUplinks(List.of(new BpfUplink("eth0", 0))).setInstances(List.of()).setEndpoints(List.of()).setTags(Map.of())
        .setTunnels(List.of(new BpfTunnel(3L, "epic-a", "client-1", "10.1.0.5", 6080, "198.18.0.1", 6080))).build();
    NodeSpec spec = NodeRecords.spec(bpf, keys(), IFACES);
    assertThat(spec.role()).isEqualTo(Role.CLIENT);
    assertThat(spec.uplinks()).as("MTU 0 in the record: the interface's own").containsExactly(new Uplink("eth0", 9000));
    assertThat(spec.tunnels().get(3).spec()).isEqualTo(TunnelSpec.fixed(ipv4("10.1.0.5"), ipv4("198.18.0.1"), 6080));
    // Both ends derive the same key from the same identity.
    assertThat(spec.tunnels().get(3).key()).isEqualTo(keys().keys(new TunnelIdentity("epic-a", "client-1", 3)).get(0));
  }

  @Test
  void errorsNameTheRecordAndField() throws Exception {
    TunnelKeys k = keys();
    assertThatThrownBy(() -> NodeRecords.spec(epicNode(List.of(new BpfTunnel(3L, "epic-a", "client-1", "x", 6080, null, 0)), List.of()), k, IFACES))
        .hasMessage("node-bpf epic-a (version v1) tunnels[id=3].localAddress: not an IPv4 address: 'x'");
    assertThatThrownBy(() -> NodeRecords.spec(epicNode(List.of(new BpfTunnel(3L, "", "client-1", "1.2.3.4", 6080, null, 0)), List.of()), k, IFACES))
        .hasMessage("node-bpf epic-a (version v1) tunnels[id=3].epicNode: missing");
    assertThatThrownBy(() -> NodeRecords.spec(epicNode(List.of(learnedTunnel(3), learnedTunnel(3)), List.of()), k, IFACES))
        .hasMessage("node-bpf epic-a (version v1) tunnels[id=3].tunnelId: given twice");
    assertThatThrownBy(() -> NodeRecords.spec(epicNode(List.of(learnedTunnel(3)), List.of(new BpfEndpoint(null, "10.77.0.2", 80, "TCP", 4L))), k, IFACES))
        .hasMessage("node-bpf epic-a (version v1) endpoints[10.77.0.2:80/TCP].tunnelId: no tunnel 4 on the node");
    assertThatThrownBy(() -> NodeRecords.spec(epicNode(List.of(learnedTunnel(3)), List.of(new BpfEndpoint("veth-x", "10.77.0.2", 80, "TCP", 3L))), k, IFACES))
        .hasMessage("node-bpf epic-a (version v1) endpoints[10.77.0.2:80/TCP].instanceInterface: 'veth-x' is not among the node's instances");
    assertThatThrownBy(() -> NodeRecords.spec(epicNode(List.of(learnedTunnel(3)), List.of(new BpfEndpoint(null, "10.77.0.2", 80, "SCTP", 3L))), k, IFACES))
        .hasMessage("node-bpf epic-a (version v1) endpoints[10.77.0.2:80/SCTP].protocol: 'SCTP' is not TCP or UDP");
    NodeBpf unknownInstance = epicNode(List.of(), List.of());
    unknownInstance.setInstances(List.of(new BpfInstance("veth-gone", "gateway/acme/default/web", "r0")));
    assertThatThrownBy(() -> NodeRecords.spec(unknownInstance, k, IFACES))
        .hasMessage("node-bpf epic-a (version v1) instances[veth-gone]: no interface 'veth-gone' in netns n1");
    NodeBpf unknownUplink = epicNode(List.of(), List.of());
    unknownUplink.setUplinks(List.of(new BpfUplink("eth9", 0)));
    assertThatThrownBy(() -> NodeRecords.spec(unknownUplink, k, IFACES))
        .hasMessage("node-bpf epic-a (version v1) uplinks[eth9]: no interface 'eth9' in netns n1");
  }

  @Test
  void advertsAreHostRoutes() {
    NodeAdverts ok = new NodeAdverts("epic-a", "a1", List.of(new Advert("203.0.113.10/32", "gateway/acme/default/web"),
        new Advert("2001:db8::10/128", "gateway/acme/default/web6")));
    assertThat(NodeRecords.adverts(ok)).containsExactly(IpLiteral.parse("203.0.113.10"), IpLiteral.parse("2001:db8::10"));
    assertThatThrownBy(() -> NodeRecords.adverts(new NodeAdverts("epic-a", "a2", List.of(new Advert("203.0.113.0/24", "g")))))
        .hasMessage("node-adverts epic-a (version a2) adverts[203.0.113.0/24].prefix: a gateway address is announced as /32");
    assertThatThrownBy(() -> NodeRecords.adverts(new NodeAdverts("epic-a", "a3", List.of(new Advert("gw.example/32", "g")))))
        .hasMessage("node-adverts epic-a (version a3) adverts[gw.example/32].prefix: not an IP address: 'gw.example'");
  }
}
