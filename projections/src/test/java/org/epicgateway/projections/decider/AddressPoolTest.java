package org.epicgateway.projections.decider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AddressPoolTest {

  @Test
  void ipv4CidrsSkipNetworkAndBroadcast() {
    AddressPool pool = AddressPool.parse(List.of("192.0.2.0/30"));
    assertThat(pool.firstFree(Set.of())).contains("192.0.2.1");
    assertThat(pool.firstFree(Set.of("192.0.2.1"))).contains("192.0.2.2");
    assertThat(pool.firstFree(Set.of("192.0.2.1", "192.0.2.2"))).isEmpty();
  }

  @Test
  void slash31AndSlash32AreFullyUsable() {
    assertThat(AddressPool.parse(List.of("192.0.2.4/31")).firstFree(Set.of("192.0.2.4"))).contains("192.0.2.5");
    assertThat(AddressPool.parse(List.of("192.0.2.9/32")).firstFree(Set.of())).contains("192.0.2.9");
  }

  @Test
  void rangesAreInclusiveAndTakenInSpecOrder() {
    AddressPool pool = AddressPool.parse(List.of("198.51.100.250-198.51.100.251", "192.0.2.0/29"));
    assertThat(pool.firstFree(Set.of())).contains("198.51.100.250");
    assertThat(pool.firstFree(Set.of("198.51.100.250", "198.51.100.251"))).contains("192.0.2.1");
  }

  @Test
  void ipv6CidrsKeepEveryAddressAndUseCanonicalText() {
    AddressPool pool = AddressPool.parse(List.of("2001:DB8::/127"));
    assertThat(pool.firstFree(Set.of())).contains("2001:db8::");
    assertThat(pool.firstFree(Set.of("2001:db8::"))).contains("2001:db8::1");
    assertThat(pool.firstFree(Set.of("2001:db8::", "2001:db8::1"))).isEmpty();
  }

  @Test
  void aHugeIpv6PoolCostsOnlyItsAllocations() {
    AddressPool pool = AddressPool.parse(List.of("2001:db8::/64"));
    assertThat(pool.firstFree(Set.of("2001:db8::", "2001:db8::1", "2001:db8::2"))).contains("2001:db8::3");
  }

  @Test
  void ipv4RangesAcrossOctetsCarry() {
    assertThat(AddressPool.parse(List.of("10.0.0.255-10.0.1.1")).firstFree(Set.of("10.0.0.255")))
        .contains("10.0.1.0");
  }

  @Test
  void familiesAreTracked() {
    assertThat(AddressPool.parse(List.of("192.0.2.0/24", "198.51.100.1-198.51.100.9")).allIpv4()).isTrue();
    assertThat(AddressPool.parse(List.of("192.0.2.0/24", "2001:db8::/64")).allIpv4()).isFalse();
  }

  @Test
  void badRangesAreNamed() {
    assertThatThrownBy(() -> AddressPool.parse(List.of("192.0.2.0/24", "2001:db8::1/64")))
        .hasMessage("range '2001:db8::1/64': host bits are set (not a network address)");
    assertThatThrownBy(() -> AddressPool.parse(List.of("192.0.2.0/x")))
        .hasMessage("range '192.0.2.0/x': prefix length is not a number");
    assertThatThrownBy(() -> AddressPool.parse(List.of("2001:db8::/129")))
        .hasMessage("range '2001:db8::/129': prefix length must be 0..128");
    assertThatThrownBy(() -> AddressPool.parse(List.of("192.0.2.1")))
        .hasMessage("range '192.0.2.1': expected a CIDR (a/n) or a range (a-b)");
    assertThatThrownBy(() -> AddressPool.parse(List.of("fe80::1%eth0-fe80::2")))
        .hasMessage("range 'fe80::1%eth0-fe80::2': 'fe80::1%eth0' is not an IPv4 or IPv6 address");
    assertThatThrownBy(() -> AddressPool.parse(List.of("host.example-192.0.2.1")))
        .hasMessageContaining("is not an IPv4 or IPv6 address");
  }
}
