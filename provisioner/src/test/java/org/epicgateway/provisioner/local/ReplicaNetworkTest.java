package org.epicgateway.provisioner.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicaNetworkTest {
  @Test
  void aReplicaGetsItsOwnNamespaceLinkedToItsNodeWhichRoutesTheGatewayAddressToIt() {
    ReplicaNetwork n = ReplicaNetwork.of("epic-a", "gateway/acme/default/web", "r0", "203.0.113.9");
    String h = n.hostInterface().substring(3);
    assertThat(n.hostInterface()).matches("epr[0-9a-f]{8}");
    assertThat(n.namespace()).isEqualTo("epic-a-" + h);
    assertThat(n.create()).containsExactly(
        new ReplicaNetwork.Step(List.of("ip", "netns", "add", "epic-a-" + h), null),
        new ReplicaNetwork.Step(List.of("ip", "-4", "-n", "epic-a", "-batch", "-"), """
            link add epr%1$s type veth peer name gw0 netns epic-a-%1$s
            addr add 169.254.1.1/32 dev epr%1$s
            link set epr%1$s up
            """.formatted(h)),
        new ReplicaNetwork.Step(List.of("ip", "-4", "-n", "epic-a-" + h, "-batch", "-"), """
            link set lo up
            link set gw0 up
            addr add 203.0.113.9/32 dev gw0
            route add 169.254.1.1 dev gw0 scope link
            route add default via 169.254.1.1 dev gw0
            """),
        new ReplicaNetwork.Step(List.of("ip", "-4", "-n", "epic-a", "route", "replace", "203.0.113.9/32", "dev", "epr" + h), null),
        new ReplicaNetwork.Step(List.of("ip", "netns", "exec", "epic-a", "sysctl", "-qw", "net.ipv4.ip_forward=1"), null));
    assertThat(n.delete()).containsExactly("ip", "netns", "del", "epic-a-" + h);
    // Another instance, or the same instance of another gateway, gets other names; the same one the same names.
    assertThat(ReplicaNetwork.of("epic-a", "gateway/acme/default/web", "r1", "203.0.113.9").hostInterface()).isNotEqualTo(n.hostInterface());
    assertThat(ReplicaNetwork.of("epic-a", "gateway/acme/default/api", "r0", "203.0.113.9").hostInterface()).isNotEqualTo(n.hostInterface());
    assertThat(ReplicaNetwork.of("epic-a", "gateway/acme/default/web", "r0", "203.0.113.9")).isEqualTo(n);
  }
}
