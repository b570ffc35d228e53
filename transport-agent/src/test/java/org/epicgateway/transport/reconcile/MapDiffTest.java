package org.epicgateway.transport.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.epicgateway.transport.maps.EpicMaps.ipv4;

import java.util.Map;
import java.util.Set;
import org.epicgateway.transport.maps.EpicMaps;
import org.epicgateway.transport.maps.EpicMaps.EndpointKey;
import org.epicgateway.transport.maps.EpicMaps.Iface;
import org.epicgateway.transport.maps.EpicMaps.IfaceRole;
import org.epicgateway.transport.maps.EpicMaps.Tunnel;
import org.junit.jupiter.api.Test;

class MapDiffTest {
  static final EndpointKey POD_A = new EndpointKey(0, ipv4("10.77.0.2"), 8080, EndpointKey.TCP);
  static final EndpointKey POD_B = new EndpointKey(0, ipv4("10.77.0.3"), 8080, EndpointKey.TCP);
  static final TunnelSpec EPIC_SIDE = TunnelSpec.learned(ipv4("198.18.0.1"), 6080);
  static final TunnelSpec CLIENT_SIDE = TunnelSpec.fixed(ipv4("10.77.1.2"), ipv4("198.18.0.1"), 6080);
  static final Tunnel EPIC_UNLEARNED = new Tunnel(ipv4("198.18.0.1"), EpicMaps.ANY, 6080, 0, 0, EpicMaps.TUN_F_FIXED_SPORT);
  static final Iface UPLINK = new Iface(IfaceRole.UPLINK_EPIC, 1500, 0);

  static MapContents current(Map<EndpointKey, Integer> endpoints, Map<Integer, Tunnel> tunnels, Map<Integer, Iface> ifaces) {
    return new MapContents(endpoints, tunnels, ifaces, Map.of(), Set.of());
  }

  @Test
  void emptyMapsGetEverythingAdded() {
    DesiredState d = new DesiredState(Map.of(POD_A, 1), Map.of(1, EPIC_SIDE), Map.of(4, UPLINK));
    MapDiff diff = MapDiff.between(d, MapContents.empty());
    assertThat(diff.endpoints().puts()).isEqualTo(Map.of(POD_A, 1));
    assertThat(diff.tunnels().puts()).isEqualTo(Map.of(1, EPIC_UNLEARNED));
    assertThat(diff.ifaces().puts()).isEqualTo(Map.of(4, UPLINK));
    assertThat(diff.endpoints().deletes()).isEmpty();
  }

  @Test
  void matchingMapsGiveAnEmptyDiff() {
    DesiredState d = new DesiredState(Map.of(POD_A, 1), Map.of(1, EPIC_SIDE), Map.of(4, UPLINK));
    MapDiff diff = MapDiff.between(d, current(Map.of(POD_A, 1), Map.of(1, EPIC_UNLEARNED), Map.of(4, UPLINK)));
    assertThat(diff.isEmpty()).isTrue();
  }

  @Test
  void changedValuesArePutAndUndesiredKeysDeletedWhoeverWroteThem() {
    DesiredState d = new DesiredState(Map.of(POD_A, 2), Map.of(2, EPIC_SIDE), Map.of(4, UPLINK));
    MapDiff diff = MapDiff.between(d, current(Map.of(POD_A, 1, POD_B, 1), Map.of(1, EPIC_UNLEARNED),
        Map.of(4, new Iface(IfaceRole.UPLINK_EPIC, 9000, 0), 7, UPLINK)));
    assertThat(diff.endpoints().puts()).isEqualTo(Map.of(POD_A, 2));
    assertThat(diff.endpoints().deletes()).containsExactly(POD_B);
    assertThat(diff.tunnels().puts()).containsOnlyKeys(2);
    assertThat(diff.tunnels().deletes()).containsExactly(1);
    assertThat(diff.ifaces().puts()).isEqualTo(Map.of(4, UPLINK));
    assertThat(diff.ifaces().deletes()).containsExactly(7);
  }

  @Test
  void aLearnedRemoteSurvivesReconcile() {
    Tunnel learned = EPIC_UNLEARNED.withLearnedRemote(ipv4("198.18.0.254"), 40123);
    DesiredState d = new DesiredState(Map.of(POD_A, 1), Map.of(1, EPIC_SIDE), Map.of());
    MapDiff diff = MapDiff.between(d, current(Map.of(POD_A, 1), Map.of(1, learned), Map.of()));
    assertThat(diff.isEmpty()).isTrue();
  }

  @Test
  void aLearnedRemoteIsKeptWhenOtherTunnelFieldsChange() {
    Tunnel learned = EPIC_UNLEARNED.withLearnedRemote(ipv4("198.18.0.254"), 40123);
    TunnelSpec moved = TunnelSpec.learned(ipv4("198.18.0.9"), 6080);
    MapDiff diff = MapDiff.between(new DesiredState(Map.of(), Map.of(1, moved), Map.of()),
        current(Map.of(), Map.of(1, learned), Map.of()));
    assertThat(diff.tunnels().puts().get(1)).isEqualTo(new Tunnel(ipv4("198.18.0.9"), ipv4("198.18.0.254"), 6080,
        40123, 0, EpicMaps.TUN_F_FIXED_SPORT | EpicMaps.TUN_F_LEARNED));
  }

  @Test
  void aRemoteThatWasNotLearnedIsOverwrittenBySpec() {
    Tunnel handWritten = new Tunnel(ipv4("198.18.0.1"), ipv4("203.0.113.5"), 6080, 6080, 0, EpicMaps.TUN_F_FIXED_SPORT);
    MapDiff diff = MapDiff.between(new DesiredState(Map.of(), Map.of(1, EPIC_SIDE), Map.of()),
        current(Map.of(), Map.of(1, handWritten), Map.of()));
    assertThat(diff.tunnels().puts()).isEqualTo(Map.of(1, EPIC_UNLEARNED));
  }

  @Test
  void fixedRemoteClientTunnel() {
    MapDiff diff = MapDiff.between(new DesiredState(Map.of(), Map.of(9, CLIENT_SIDE), Map.of()), MapContents.empty());
    assertThat(diff.tunnels().puts()).isEqualTo(Map.of(9, new Tunnel(ipv4("10.77.1.2"), ipv4("198.18.0.1"), 0, 6080, 0, 0)));
  }

  @Test
  void bpfOwnedEntriesAreDeletedOnlyForTunnelsThatAreGone() {
    EndpointKey envoyFlow = new EndpointKey(0, ipv4("198.18.0.1"), 41000, EndpointKey.TCP);
    EndpointKey oldFlow = new EndpointKey(0, ipv4("198.18.0.1"), 41001, EndpointKey.TCP);
    MapContents now = new MapContents(Map.of(), Map.of(9, new Tunnel(ipv4("10.77.1.2"), ipv4("198.18.0.1"), 0, 6080, 0, 0)),
        Map.of(), Map.of(envoyFlow, 9, oldFlow, 8), Set.of(8, 9));
    MapDiff diff = MapDiff.between(new DesiredState(Map.of(), Map.of(9, CLIENT_SIDE), Map.of()), now);
    assertThat(diff.learnedDeletes()).containsExactly(oldFlow);
    assertThat(diff.statsDeletes()).containsExactly(8);
    assertThat(diff.tunnels().isEmpty()).isTrue();
  }

  @Test
  void invalidDesiredStatesAreRejectedNamingTheProblem() {
    assertThatThrownBy(() -> new DesiredState(Map.of(POD_A, 3), Map.of(1, EPIC_SIDE), Map.of()))
        .hasMessageContaining("endpoint tag 0 10.77.0.2:8080/tcp points at tunnel 3");
    assertThatThrownBy(() -> new DesiredState(Map.of(), Map.of(0, EPIC_SIDE), Map.of()))
        .hasMessageContaining("tunnel id 0");
    assertThatThrownBy(() -> new DesiredState(Map.of(), Map.of(), Map.of(5, new Iface(IfaceRole.INSTANCE, 0, 0))))
        .hasMessageContaining("instance interface 5 needs a non-zero instance tag");
    assertThatThrownBy(() -> TunnelSpec.fixed(ipv4("10.0.0.1"), EpicMaps.ANY, 6080))
        .hasMessageContaining("fixed remote needs an address");
  }
}
