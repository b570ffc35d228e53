package org.epicgateway.transport.bgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.epicgateway.transport.lab.RootSupport.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.epicgateway.transport.lab.BirdDaemon;
import org.epicgateway.transport.lab.RootSupport;
import org.epicgateway.transport.lab.RootSupport.Scratch;
import org.epicgateway.transport.maps.EpicMaps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real BIRD 2 in network namespaces (root): two EPIC nodes' BIRDs, configured only through {@link BirdControl}
 * with {@link BirdConfig}'s text, peer with a router BIRD that merges equal paths (ECMP) into its kernel table.
 *
 * <pre>
 *  node1 n1* 198.19.1.1 ── r1* 198.19.1.254  router (AS 65000, merge paths)
 *  node2 n2* 198.19.2.1 ── r2* 198.19.2.254
 * </pre>
 */
class BirdRootTest {
  static final String GATEWAY = "203.0.113.10";

  final String x = RootSupport.uniqueSuffix();
  final String router = "bgpr-" + x, node1 = "bgp1-" + x, node2 = "bgp2-" + x;

  @TempDir Path dir;

  @Test
  void routerLearnsTheAdvertFromBothNodesAsEcmpAndLosesItOnWithdraw() throws Exception {
    RootSupport.requireRootAndTools("ip", "bird", "birdc");
    try (Scratch s = new Scratch()) {
      s.netns(router);
      s.netns(node1);
      s.netns(node2);
      RootSupport.link(router, "r1" + x, "198.19.1.254/24", node1, "n1" + x, "198.19.1.1/24");
      RootSupport.link(router, "r2" + x, "198.19.2.254/24", node2, "n2" + x, "198.19.2.1/24");
      BirdDaemon routerBird = BirdDaemon.start(router, dir, "router", routerConfig());
      s.onClose(routerBird::close);

      BirdControl bird1 = nodeBird(s, node1, "198.19.1.1", "198.19.1.254");
      BirdControl bird2 = nodeBird(s, node2, "198.19.2.1", "198.19.2.254");
      BgpSettings bgp1 = settings("198.19.1.1", "198.19.1.254"), bgp2 = settings("198.19.2.1", "198.19.2.254");
      List<java.net.InetAddress> advert = List.of(IpLiteral.parse(GATEWAY));
      assertThat(bird1.apply(BirdConfig.render("node1", bgp1, advert))).isTrue();
      assertThat(bird2.apply(BirdConfig.render("node2", bgp2, advert))).isTrue();
      // The same text again does not bother BIRD.
      assertThat(bird1.apply(BirdConfig.render("node1", bgp1, advert))).isFalse();

      RootSupport.waitFor("router has both next hops", 30_000, () -> kernelRoute().contains("198.19.1.1") && kernelRoute().contains("198.19.2.1"));
      assertThat(kernelRoute()).contains("nexthop via 198.19.1.1").contains("nexthop via 198.19.2.1").contains("proto bird");
      assertThat(routerBird.birdc("show", "route", "for", GATEWAY, "all")).contains("AS65001").contains("BGP.next_hop: 198.19.1.1");

      // Withdraw on node2: the router keeps only node1 as next hop, at once (an UPDATE, no timer).
      long t0 = System.nanoTime();
      bird2.apply(BirdConfig.render("node2", bgp2, List.of()));
      RootSupport.waitFor("node2's next hop withdrawn", 3_000, () -> !kernelRoute().contains("198.19.2.1"));
      long withdrawMs = (System.nanoTime() - t0) / 1_000_000;
      assertThat(kernelRoute()).contains("via 198.19.1.1").doesNotContain("nexthop");
      System.out.println("BirdRootTest: withdraw seen in the router's kernel table after " + withdrawMs + " ms");

      // A configuration BIRD refuses: an error naming the step, the file and BIRD's running config unchanged.
      String before = Files.readString(bird1.configFile());
      assertThatThrownBy(() -> bird1.apply("router id 198.19.1.1;\nprotocol bogus {}\n"))
          .isInstanceOf(BirdControl.BirdException.class)
          .hasMessageContaining("birdc configure check failed (BIRD keeps its previous configuration)")
          .hasMessageContaining("syntax error");
      assertThat(Files.readString(bird1.configFile())).isEqualTo(before);
      assertThat(Files.exists(bird1.configFile().resolveSibling(bird1.configFile().getFileName() + ".next"))).isFalse();
      Thread.sleep(500);
      assertThat(kernelRoute()).contains("via 198.19.1.1");

      // BIRD not installed, BIRD not running: errors that say so.
      BirdControl noBirdc = new BirdControl(dir.resolve("no-such-birdc"), dir.resolve("x.ctl"), dir.resolve("x.conf"));
      assertThatThrownBy(() -> noBirdc.apply("router id 1.1.1.1;\n"))
          .hasMessage("BIRD is not installed: no executable " + dir.resolve("no-such-birdc") + " (Debian package bird2)");
      BirdControl notRunning = new BirdControl(BirdControl.DEFAULT_BIRDC, dir.resolve("gone.ctl"), dir.resolve("gone.conf"));
      assertThatThrownBy(() -> notRunning.apply("router id 1.1.1.1;\n"))
          .hasMessage("BIRD is not running: its control socket " + dir.resolve("gone.ctl") + " does not exist");
      assertThat(Files.exists(dir.resolve("gone.conf"))).isFalse();
    }
  }

  private BirdControl nodeBird(Scratch s, String netns, String self, String peer) throws Exception {
    String name = netns.substring(0, 4);
    // BIRD starts on an empty-advert config the renderer wrote; from then on only BirdControl changes it.
    BirdDaemon daemon = BirdDaemon.start(netns, dir, name, BirdConfig.render(name, settings(self, peer), List.of()));
    s.onClose(daemon::close);
    return new BirdControl(BirdControl.DEFAULT_BIRDC, daemon.socket(), dir.resolve(name + ".conf"));
  }

  private static BgpSettings settings(String self, String peer) {
    return new BgpSettings(EpicMaps.ipv4(self), 65001, List.of(BgpSettings.Peer.parse(peer + "/65000")), 9);
  }

  private String routerConfig() {
    return """
        router id 198.19.0.254;
        protocol device {}
        protocol kernel { ipv4 { import none; export all; }; merge paths on; }
        protocol bgp node1 { local as 65000; neighbor 198.19.1.1 as 65001; hold time 9; connect retry time 2; ipv4 { import all; export none; }; }
        protocol bgp node2 { local as 65000; neighbor 198.19.2.1 as 65001; hold time 9; connect retry time 2; ipv4 { import all; export none; }; }
        """;
  }

  private String kernelRoute() {
    return run("ip", "-n", router, "route", "show", GATEWAY + "/32");
  }


}
