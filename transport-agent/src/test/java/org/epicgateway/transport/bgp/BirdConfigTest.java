package org.epicgateway.transport.bgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.epicgateway.transport.maps.EpicMaps;
import org.junit.jupiter.api.Test;

/** Golden files under src/test/resources/bgp/: the rendered text byte for byte. */
class BirdConfigTest {
  static final BgpSettings TWO_PEERS = new BgpSettings(EpicMaps.ipv4("198.19.1.1"), 65001,
      List.of(BgpSettings.Peer.parse("198.19.1.254/65000"), BgpSettings.Peer.parse("2001:db8:1::fe/65000")), 9);

  @Test
  void advertsBecomeHostRoutesExportedToTheirFamilysPeers() throws IOException {
    // Unsorted, with a duplicate: the output is sorted and each address appears once.
    List<InetAddress> adverts = List.of(IpLiteral.parse("203.0.113.20"), IpLiteral.parse("2001:db8:ff::10"),
        IpLiteral.parse("203.0.113.10"), IpLiteral.parse("203.0.113.20"));
    assertThat(BirdConfig.render("epic-a", TWO_PEERS, adverts)).isEqualTo(golden("two-peers-three-adverts.conf"));
  }

  @Test
  void noAdvertsKeepsTheSessionsUpAndAnnouncesNothing() throws IOException {
    assertThat(BirdConfig.render("epic-a", TWO_PEERS, List.of())).isEqualTo(golden("two-peers-no-adverts.conf"));
  }

  @Test
  void settingsAreChecked() {
    assertThatThrownBy(() -> BgpSettings.Peer.parse("198.19.1.254")).hasMessage("BGP peer '198.19.1.254': expected ADDRESS/AS");
    assertThatThrownBy(() -> BgpSettings.Peer.parse("router.example/65000"))
        .hasMessage("BGP peer 'router.example/65000': 'router.example' is not an IP address");
    assertThatThrownBy(() -> BgpSettings.Peer.parse("198.19.1.254/x")).hasMessage("BGP peer '198.19.1.254/x': AS 'x' is not a number");
    assertThatThrownBy(() -> BgpSettings.Peer.parse("198.19.1.254/0")).hasMessage("peer 198.19.1.254 as: must be 1..4294967295, was 0");
    var peer = BgpSettings.Peer.parse("198.19.1.254/65000");
    assertThatThrownBy(() -> new BgpSettings(EpicMaps.ipv4("1.1.1.1"), 65001, List.of(peer, peer), 9))
        .hasMessage("BGP peer 198.19.1.254 given twice");
    assertThatThrownBy(() -> new BgpSettings(EpicMaps.ipv4("1.1.1.1"), 65001, List.of(), 9)).hasMessage("BGP peers: at least one is needed");
    assertThatThrownBy(() -> new BgpSettings(EpicMaps.ipv4("1.1.1.1"), 65001, List.of(peer), 2))
        .hasMessage("BGP hold time: must be 3..65535 s, was 2");
  }

  static String golden(String name) throws IOException {
    try (InputStream in = BirdConfigTest.class.getResourceAsStream("/bgp/" + name)) {
      if (in == null) throw new AssertionError("golden file bgp/" + name + " missing");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
