package org.epicgateway.transport.libbpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.epicgateway.transport.maps.EpicMaps.ipv4;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.epicgateway.transport.lab.RootSupport;
import org.epicgateway.transport.lab.RootSupport.Scratch;
import org.epicgateway.transport.libbpf.TcAttachment.Direction;
import org.epicgateway.transport.maps.EpicMapSet;
import org.epicgateway.transport.maps.EpicMaps;
import org.epicgateway.transport.maps.EpicMaps.EndpointKey;
import org.epicgateway.transport.maps.EpicMaps.Iface;
import org.epicgateway.transport.maps.EpicMaps.IfaceRole;
import org.epicgateway.transport.maps.EpicMaps.Tunnel;
import org.epicgateway.transport.netns.NetNs;
import org.epicgateway.transport.reconcile.DesiredState;
import org.epicgateway.transport.reconcile.MapDiff;
import org.epicgateway.transport.reconcile.MapReconciler;
import org.epicgateway.transport.reconcile.TunnelSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The libbpf binding against the real kernel: maps, pins reused across reloads, tc attach (root). */
class LibbpfRootTest {
  static final EndpointKey POD_A = new EndpointKey(0, ipv4("10.77.0.2"), 8080, EndpointKey.TCP);
  static final EndpointKey POD_B = new EndpointKey(0, ipv4("10.77.0.3"), 8080, EndpointKey.TCP);
  static final EndpointKey FOREIGN = new EndpointKey(0, ipv4("10.77.0.9"), 53, EndpointKey.UDP);
  static final TunnelSpec TUNNEL = TunnelSpec.learned(ipv4("198.18.0.1"), 6080);

  static Path object;

  @BeforeAll
  static void machine() {
    RootSupport.requireRootAndTools("ip", "tc", "make", "clang");
    object = RootSupport.bpfObject();
    Bpffs.ensureMounted();
  }

  @Test
  void reconcilesRealMapsAndReusesPinsOnReload() throws Exception {
    try (Scratch s = new Scratch()) {
      Path pins = s.pinDir("epic-test-" + RootSupport.uniqueSuffix());
      Files.createDirectories(pins);
      DesiredState two = new DesiredState(Map.of(POD_A, 1, POD_B, 1), Map.of(1, TUNNEL),
          Map.of(3, new Iface(IfaceRole.UPLINK_EPIC, 1500, 0)));
      DesiredState one = new DesiredState(Map.of(POD_A, 1), Map.of(1, TUNNEL), Map.of(3, new Iface(IfaceRole.UPLINK_EPIC, 1500, 0)));
      Tunnel learned;
      try (BpfObject obj = BpfObject.load(object, pins, EpicMaps.ALL_MAPS); EpicMapSet maps = EpicMapSet.of(obj)) {
        for (String name : EpicMaps.ALL_MAPS) {
          assertThat(pins.resolve(name)).as("every map pinned in the node's directory").exists();
        }
        MapReconciler r = new MapReconciler(maps);
        MapDiff first = r.reconcile(two);
        assertThat(first.endpoints().puts()).hasSize(2);
        assertThat(maps.endpoints()).isEqualTo(Map.of(POD_A, 1, POD_B, 1));
        assertThat(maps.ifaces()).isEqualTo(Map.of(3, new Iface(IfaceRole.UPLINK_EPIC, 1500, 0)));
        assertThat(maps.tunnels().get(1).remoteKnown()).isFalse();
        assertThat(r.reconcile(two).isEmpty()).as("second reconcile writes nothing").isTrue();

        maps.putEndpoint(FOREIGN, 1);
        assertThat(r.reconcile(two).endpoints().deletes()).containsExactly(FOREIGN);
        assertThat(maps.endpoints()).doesNotContainKey(FOREIGN);

        assertThat(r.learnRemote(1, ipv4("198.18.0.254"), 40000)).isPresent();
        assertThat(r.learnRemote(1, ipv4("198.18.0.254"), 40000)).as("same remote again").isEmpty();
        assertThat(r.learnRemote(77, ipv4("198.18.0.254"), 40000)).as("unknown tunnel").isEmpty();
        learned = maps.tunnel(1).orElseThrow();
        assertThat(learned.remoteAddr()).isEqualTo(ipv4("198.18.0.254"));
        assertThat(learned.remotePort()).isEqualTo(40000);
        assertThat(learned.flags() & EpicMaps.TUN_F_LEARNED).isNotZero();

        MapDiff shrink = r.reconcile(one);
        assertThat(shrink.endpoints().deletes()).containsExactly(POD_B);
        assertThat(maps.tunnel(1)).contains(learned);
      }
      // An agent restart: loading again picks up the pinned maps with their contents.
      try (BpfObject obj = BpfObject.load(object, pins, EpicMaps.ALL_MAPS); EpicMapSet maps = EpicMapSet.of(obj)) {
        assertThat(maps.tunnel(1)).contains(learned);
        assertThat(new MapReconciler(maps).reconcile(one).isEmpty()).isTrue();
      }
      // The operator CLI path: the pins alone, without the object.
      try (EpicMapSet pinned = EpicMapSet.pinned(pins)) {
        assertThat(pinned.endpoints()).isEqualTo(Map.of(POD_A, 1));
        assertThat(pinned.tunnels()).isEqualTo(Map.of(1, learned));
        assertThat(pinned.globalStats().rxControl()).isZero();
      }
    }
  }

  @Test
  void bpfErrorsNameTheOperationAndLibbpfsMessage() {
    assertThatThrownBy(() -> BpfMap.openPinned(Path.of("/sys/fs/bpf/epic-no-such-map")))
        .isInstanceOf(BpfException.class)
        .hasMessageContaining("bpf_obj_get /sys/fs/bpf/epic-no-such-map")
        .hasMessageContaining("No such file or directory");
    assertThatThrownBy(() -> BpfObject.load(Path.of("/nonexistent.o"), Path.of("/sys/fs/bpf"), EpicMaps.ALL_MAPS))
        .hasMessageContaining("BPF object file not found: /nonexistent.o");
    assertThatThrownBy(() -> EpicMapSet.pinned(Path.of("/sys/fs/bpf/epic-never-ran")))
        .hasMessageContaining("no pinned map /sys/fs/bpf/epic-never-ran/epic_endpoints");
  }

  @Test
  void tcAttachIsIdempotentAndReplacesInPlace() throws Exception {
    String sfx = RootSupport.uniqueSuffix();
    try (Scratch s = new Scratch()) {
      String ns = s.netns("epict-" + sfx);
      RootSupport.run("ip", "-n", ns, "link", "add", "ta" + sfx, "type", "veth", "peer", "name", "tb" + sfx);
      Path pins = s.pinDir("epic-test-" + sfx);
      try (NetNs netns = NetNs.named(ns); BpfObject obj = loadFresh(pins)) {
        int ifindex = netns.ifindex("ta" + sfx);
        int encap = obj.programFd(EpicMaps.PROG_ENCAP), decap = obj.programFd(EpicMaps.PROG_DECAP);
        netns.call(() -> { TcAttachment.attach(ifindex, Direction.EGRESS, encap); return null; });
        int first = netns.call(() -> TcAttachment.attachedProgramId(ifindex, Direction.EGRESS));
        netns.call(() -> { TcAttachment.attach(ifindex, Direction.EGRESS, encap); return null; });
        assertThat(filters(ns, "ta" + sfx, "egress")).as("attaching twice leaves one filter").isEqualTo(1);
        assertThat(netns.call(() -> TcAttachment.attachedProgramId(ifindex, Direction.EGRESS))).isEqualTo(first).isNotZero();

        // Re-attach with another program: replaced in place, still one filter.
        netns.call(() -> { TcAttachment.attach(ifindex, Direction.EGRESS, decap); return null; });
        assertThat(filters(ns, "ta" + sfx, "egress")).isEqualTo(1);
        assertThat(netns.call(() -> TcAttachment.attachedProgramId(ifindex, Direction.EGRESS))).isNotEqualTo(first);
        assertThat(netns.call(() -> TcAttachment.attachedProgramId(ifindex, Direction.INGRESS))).isZero();

        assertThat(netns.call(() -> TcAttachment.detach(ifindex, Direction.EGRESS))).isTrue();
        assertThat(netns.call(() -> TcAttachment.detach(ifindex, Direction.EGRESS))).isFalse();
        assertThat(filters(ns, "ta" + sfx, "egress")).isZero();
        assertThatThrownBy(() -> netns.ifindex("nosuch" + sfx)).hasMessageContaining("no interface 'nosuch" + sfx + "' in netns " + ns);
      }
    }
  }

  /**
   * libbpf's messages reach SLF4J (logger libbpf), not the process's stderr, and the kernel's refusals the agent
   * provokes on purpose (an attach to a bare interface, a detach of an absent filter) are DEBUG: at the default level
   * the process prints none of them (before, libbpf printed "Parent Qdisc doesn't exists" for every new interface).
   */
  @Test
  void libbpfsMessagesGoThroughTheLoggerAndTheExpectedRefusalsAreDebug() throws Exception {
    String sfx = RootSupport.uniqueSuffix();
    try (Scratch s = new Scratch()) {
      String ns = s.netns("epicl-" + sfx);
      RootSupport.run("ip", "-n", ns, "link", "add", "la" + sfx, "type", "veth", "peer", "name", "lb" + sfx);
      Path pins = s.pinDir("epic-test-" + sfx);
      Files.createDirectories(pins);
      String quiet = attachToBareInterface(ns, "la" + sfx, pins, "info");
      assertThat(quiet).contains("detached: true, false").doesNotContain("Parent Qdisc").doesNotContain("filter chain");
      String debug = attachToBareInterface(ns, "lb" + sfx, pins, "debug");
      assertThat(debug).contains("detached: true, false")
          .contains("DEBUG libbpf - Kernel error message: Parent Qdisc doesn't exists");
    }
  }

  /** Runs {@link AttachToBareInterface} in a JVM of its own with logger libbpf at {@code level}: its whole output. */
  private static String attachToBareInterface(String ns, String ifname, Path pins, String level) throws Exception {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
        "-Dorg.slf4j.simpleLogger.log.libbpf=" + level, "-cp", System.getProperty("java.class.path"),
        AttachToBareInterface.class.getName(), ns, ifname, object.toString(), pins.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    return out;
  }

  static BpfObject loadFresh(Path pins) throws Exception {
    Files.createDirectories(pins);
    return BpfObject.load(object, pins, EpicMaps.ALL_MAPS);
  }

  static long filters(String ns, String dev, String dir) {
    return Arrays.stream(RootSupport.run("tc", "-n", ns, "filter", "show", "dev", dev, dir).split("\n"))
        .filter(l -> l.contains("direct-action")).count();
  }
}
