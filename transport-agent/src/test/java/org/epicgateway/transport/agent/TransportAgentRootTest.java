package org.epicgateway.transport.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.epicgateway.transport.lab.RootSupport.run;
import static org.epicgateway.transport.maps.EpicMaps.ipv4;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.epicgateway.transport.lab.RootSupport;
import org.epicgateway.transport.lab.RootSupport.Scratch;
import org.epicgateway.transport.agent.NodeSpec.Instance;
import org.epicgateway.transport.agent.NodeSpec.Role;
import org.epicgateway.transport.agent.NodeSpec.TunnelConfig;
import org.epicgateway.transport.agent.NodeSpec.Uplink;
import org.epicgateway.transport.libbpf.TcAttachment;
import org.epicgateway.transport.libbpf.TcAttachment.Direction;
import org.epicgateway.transport.maps.EpicMaps;
import org.epicgateway.transport.maps.EpicMaps.EndpointKey;
import org.epicgateway.transport.maps.EpicMaps.Iface;
import org.epicgateway.transport.maps.EpicMaps.IfaceRole;
import org.epicgateway.transport.netns.NetNs;
import org.epicgateway.transport.reconcile.TunnelSpec;
import org.junit.jupiter.api.Test;

/** The agent's lifecycle on one EPIC node namespace (root): attach incl. instance tagging, restart, update, detach. */
class TransportAgentRootTest {
  static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();
  static final EndpointKey POD = new EndpointKey(9, ipv4("10.77.0.2"), 8080, EndpointKey.TCP);

  @Test
  void attachesRestartsUpdatesAndDetaches() throws Exception {
    RootSupport.requireRootAndTools("ip", "tc", "make", "clang");
    Path object = RootSupport.bpfObject();
    String x = RootSupport.uniqueSuffix();
    String up = "up" + x, inst = "in" + x;
    try (Scratch s = new Scratch()) {
      String ns = s.netns("epicagent-" + x);
      run("ip", "-n", ns, "link", "add", up, "type", "veth", "peer", "name", "upp" + x);
      run("ip", "-n", ns, "link", "add", inst, "type", "veth", "peer", "name", "inp" + x);
      run("ip", "-n", ns, "addr", "add", "198.18.0.1/24", "dev", up);
      Path pins = s.pinDir("epic-test-" + x);
      NetNs netns = NetNs.named(ns);
      s.onClose(netns::close);
      NodeSpec spec = new NodeSpec(Role.EPIC, List.of(new Uplink(up, 1500)), List.of(new Instance(inst, 9)),
          Map.of(1, new TunnelConfig(TunnelSpec.learned(ipv4("198.18.0.1"), 6080), KEY)), Map.of(POD, 1));
      var options = TransportAgent.Options.defaults(object, netns, new SimpleMeterRegistry()).withPinDir(pins);
      int upIdx = netns.ifindex(up), instIdx = netns.ifindex(inst);

      try (TransportAgent agent = TransportAgent.start(options, spec)) {
        assertThat(agent.maps().ifaces()).isEqualTo(Map.of(upIdx, new Iface(IfaceRole.UPLINK_EPIC, 1500, 0),
            instIdx, new Iface(IfaceRole.INSTANCE, 0, 9)));
        assertThat(agent.maps().endpoints()).isEqualTo(Map.of(POD, 1));
        assertThat(progId(netns, upIdx, Direction.EGRESS)).isNotZero();
        assertThat(progId(netns, upIdx, Direction.INGRESS)).isNotZero();
        assertThat(progId(netns, instIdx, Direction.INGRESS)).isNotZero();
      }
      // Restart: one filter per hook still, maps as they were.
      try (TransportAgent agent = TransportAgent.start(options, spec)) {
        assertThat(filters(ns, up, "egress")).isEqualTo(1);
        assertThat(filters(ns, up, "ingress")).isEqualTo(1);
        assertThat(filters(ns, inst, "ingress")).isEqualTo(1);
        assertThat(agent.maps().endpoints()).isEqualTo(Map.of(POD, 1));

        // A bad spec is rejected before anything is written.
        NodeSpec bad = new NodeSpec(Role.EPIC, spec.uplinks(), spec.instances(), Map.of(), Map.of(POD, 1));
        assertThatThrownBy(() -> agent.update(bad)).hasMessageContaining("points at tunnel 1, which is not in the desired tunnels");
        assertThat(agent.maps().tunnels()).containsOnlyKeys(1);
        assertThat(agent.maps().endpoints()).isEqualTo(Map.of(POD, 1));

        // Removing the tunnel and its endpoint.
        NodeSpec empty = new NodeSpec(Role.EPIC, spec.uplinks(), spec.instances(), Map.of(), Map.of());
        var diff = agent.update(empty);
        assertThat(diff.tunnels().deletes()).containsExactly(1);
        assertThat(diff.endpoints().deletes()).containsExactly(POD);
        assertThat(agent.maps().tunnels()).isEmpty();
        assertThat(agent.maps().endpoints()).isEmpty();

        agent.detach();
        assertThat(progId(netns, upIdx, Direction.EGRESS)).isZero();
        assertThat(progId(netns, upIdx, Direction.INGRESS)).isZero();
        assertThat(progId(netns, instIdx, Direction.INGRESS)).isZero();
      }
      // Removing the node: filters gone (attach again first to see it) and no pins left.
      TransportAgent.start(options, spec).close();
      assertThat(progId(netns, upIdx, Direction.EGRESS)).isNotZero();
      TransportAgent.remove(spec, netns, pins);
      assertThat(progId(netns, upIdx, Direction.EGRESS)).isZero();
      assertThat(progId(netns, instIdx, Direction.INGRESS)).isZero();
      assertThat(pins).doesNotExist();
      // An instance interface already gone (its replica's namespace deleted) is skipped: the uplink is still
      // detached and the pins removed (before, the missing interface failed the whole removal, pins left behind).
      TransportAgent.start(options, spec).close();
      run("ip", "-n", ns, "link", "del", inst);
      TransportAgent.remove(spec, netns, pins);
      assertThat(progId(netns, upIdx, Direction.EGRESS)).isZero();
      assertThat(progId(netns, upIdx, Direction.INGRESS)).isZero();
      assertThat(pins).doesNotExist();
      assertThatThrownBy(() -> TransportAgent.start(options, new NodeSpec(Role.EPIC, List.of(new Uplink("nosuch" + x, 1500)),
          List.of(), Map.of(), Map.of()))).hasMessageContaining("no interface 'nosuch" + x + "' in netns " + ns);
    }
  }

  static int progId(NetNs ns, int ifindex, Direction dir) {
    return ns.call(() -> TcAttachment.attachedProgramId(ifindex, dir));
  }

  static long filters(String ns, String dev, String dir) {
    return Arrays.stream(run("tc", "-n", ns, "filter", "show", "dev", dev, dir).split("\n"))
        .filter(l -> l.contains("direct-action")).count();
  }
}
