package org.epicgateway.transport.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.epicgateway.transport.lab.RootSupport.run;
import static org.epicgateway.transport.maps.EpicMaps.ipv4;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.epicgateway.transport.lab.RootSupport;
import org.epicgateway.transport.lab.RootSupport.Scratch;
import org.epicgateway.transport.agent.NodeSpec;
import org.epicgateway.transport.agent.NodeSpec.Role;
import org.epicgateway.transport.agent.NodeSpec.TunnelConfig;
import org.epicgateway.transport.agent.NodeSpec.Uplink;
import org.epicgateway.transport.agent.TransportAgent;
import org.epicgateway.transport.agent.TransportObserver;
import org.epicgateway.transport.control.ControlPacket;
import org.epicgateway.transport.control.ControlVerifier.Verdict;
import org.epicgateway.transport.maps.EpicMaps;
import org.epicgateway.transport.maps.EpicMaps.EndpointKey;
import org.epicgateway.transport.maps.EpicMaps.Tunnel;
import org.epicgateway.transport.netns.NetNs;
import org.epicgateway.transport.reconcile.TunnelSpec;
import org.junit.jupiter.api.Test;

/**
 * The whole transport on real namespaces (root): an EPIC node, a client node behind a masquerading NAT with a pod
 * address, and an attacker on the public side. Both agents run in this JVM, each in its namespace.
 *
 * <pre>
 *  client  cl* 10.77.1.2 ── nc* 10.77.1.1  nat  np* 198.18.0.254 ── ep* 198.18.0.1  epic
 *  (pod 10.77.0.2 on lo)                   na* 198.18.1.1 ── at* 198.18.1.2  attacker
 * </pre>
 */
class NatTraversalRootTest {
  static final int TUNNEL = 42, TCP_PORT = 5001, UDP_PORT = 7777;
  static final String POD = "10.77.0.2", EPIC_ADDR = "198.18.0.1", NAT_PUBLIC = "198.18.0.254";

  final String x = RootSupport.uniqueSuffix();
  final String epic = "epic-" + x, nat = "nat-" + x, client = "client-" + x, attacker = "atk-" + x;
  final byte[] key = new byte[32];
  final List<String> learnedEvents = new CopyOnWriteArrayList<>();

  @Test
  void tunnelThroughNatCarriesTcpAndUdpAndResistsSpoofing() throws Exception {
    RootSupport.requireRootAndTools("ip", "iptables", "make", "clang");
    Path object = RootSupport.bpfObject();
    new Random().nextBytes(key);
    try (Scratch s = new Scratch()) {
      topology(s);
      Path epicPins = s.pinDir("epic-test-" + x + "-epic"), clientPins = s.pinDir("epic-test-" + x + "-client");
      NetNs epicNs = NetNs.named(epic), clientNs = NetNs.named(client), atkNs = NetNs.named(attacker);
      s.onClose(() -> List.of(epicNs, clientNs, atkNs).forEach(NetNs::close));
      {
        TransportObserver observer = new TransportObserver() {
          @Override
          public void tunnelRemoteLearned(int id, Tunnel previous, Tunnel current) {
            learnedEvents.add(id + " " + current.remoteAddr().getHostAddress());
          }
        };
        var epicOptions = TransportAgent.Options.defaults(object, epicNs, new SimpleMeterRegistry())
            .withPinDir(epicPins).withObserver(observer);
        var clientOptions = TransportAgent.Options.defaults(object, clientNs, new SimpleMeterRegistry())
            .withPinDir(clientPins).withControlInterval(Duration.ofSeconds(1));
        TransportAgent epicAgent = TransportAgent.start(epicOptions, epicSpec());
        s.onClose(() -> { epicAgentHolder[0].close(); epicAgentHolder[0].detach(); });
        epicAgentHolder[0] = epicAgent;
        TransportAgent clientAgent = TransportAgent.start(clientOptions, clientSpec());
        s.onClose(() -> { clientAgent.close(); clientAgent.detach(); });

        // The EPIC node learns the client's NAT address from its control packets.
        waitFor("tunnel remote learned", () -> epicAgentHolder[0].tunnel(TUNNEL).remoteKnown());
        Tunnel learned = epicAgentHolder[0].tunnel(TUNNEL);
        assertThat(learned.remoteAddr()).isEqualTo(ipv4(NAT_PUBLIC));
        assertThat(learned.flags() & EpicMaps.TUN_F_LEARNED).isNotZero();
        assertThat(learnedEvents).contains(TUNNEL + " " + NAT_PUBLIC);

        // TCP from the EPIC side to the pod, with a 10 MB transfer at default MTUs, verified by digest.
        try (ServerSocketChannel server = clientNs.call(() -> ServerSocketChannel.open().bind(new InetSocketAddress(POD, TCP_PORT)))) {
          byte[] payload = new byte[10 * 1024 * 1024];
          new Random(7).nextBytes(payload);
          CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> receiveAll(server));
          try (SocketChannel c = epicNs.call(SocketChannel::open)) {
            c.socket().connect(new InetSocketAddress(POD, TCP_PORT), 20_000);
            writeAll(c, payload);
          }
          assertThat(received.get(120, TimeUnit.SECONDS)).isEqualTo(MessageDigest.getInstance("SHA-256").digest(payload));
        }

        // A pod port without an endpoint is not tunnelled, and the NAT has no route to the pod: it does not connect.
        try (ServerSocketChannel other = clientNs.call(() -> ServerSocketChannel.open().bind(new InetSocketAddress(POD, TCP_PORT + 2)));
             SocketChannel c = epicNs.call(SocketChannel::open)) {
          org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.socket().connect(new InetSocketAddress(POD, TCP_PORT + 2), 5_000))
              .isInstanceOf(IOException.class);
        }

        // UDP datagrams both ways (the pod echoes each one).
        try (DatagramChannel pod = clientNs.call(() -> DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress(POD, UDP_PORT)));
             DatagramChannel envoy = epicNs.call(() -> DatagramChannel.open(StandardProtocolFamily.INET))) {
          CompletableFuture<Integer> echoed = CompletableFuture.supplyAsync(() -> echo(pod, 20));
          // Through the socket adaptors, whose receive honours SO_TIMEOUT: a lost datagram fails, never hangs.
          java.net.DatagramSocket e = envoy.socket();
          e.setSoTimeout(10_000);
          e.connect(new InetSocketAddress(POD, UDP_PORT));
          int answers = 0;
          for (int i = 0; i < 20; i++) {
            byte[] out = ("datagram " + i).getBytes();
            e.send(new java.net.DatagramPacket(out, out.length));
            java.net.DatagramPacket in = new java.net.DatagramPacket(new byte[64], 64);
            e.receive(in);
            if (new String(in.getData(), 0, in.getLength()).equals("datagram " + i)) answers++;
          }
          assertThat(echoed.get(30, TimeUnit.SECONDS)).isEqualTo(20);
          assertThat(answers).isEqualTo(20);
        }

        // The attacker: a forged control packet, a replayed (older, genuinely signed) one and a spoofed data packet.
        long rejectedBefore = rejected(epicAgentHolder[0]);
        atkNs.call(() -> {
          try (DatagramChannel a = DatagramChannel.open(StandardProtocolFamily.INET)) {
            InetSocketAddress target = new InetSocketAddress(EPIC_ADDR, EpicMaps.GUE_PORT);
            byte[] wrongKey = key.clone();
            wrongKey[0] ^= 1;
            a.send(ByteBuffer.wrap(ControlPacket.encode(TUNNEL, System.currentTimeMillis() + 5_000, wrongKey)), target);
            a.send(ByteBuffer.wrap(ControlPacket.encode(TUNNEL, System.currentTimeMillis() - 5_000, key)), target);
            a.send(ByteBuffer.wrap(spoofedDataPacket()), target);
          }
          return null;
        });
        waitFor("attacker packets counted", () -> rejected(epicAgentHolder[0]) >= rejectedBefore + 2
            && epicAgentHolder[0].maps().tunnelStats().getOrDefault(TUNNEL, zeroStats()).dropSpoofed() >= 1);
        assertThat(epicAgentHolder[0].metrics().controlCount(Verdict.BAD_MAC)).isGreaterThanOrEqualTo(1);
        assertThat(epicAgentHolder[0].metrics().controlCount(Verdict.REPLAYED)).isGreaterThanOrEqualTo(1);
        assertThat(epicAgentHolder[0].tunnel(TUNNEL).remoteAddr()).isEqualTo(ipv4(NAT_PUBLIC));
        assertThat(learnedEvents).noneMatch(e -> e.endsWith("198.18.1.2"));

        // An EPIC agent restart keeps the pinned maps: the learned remote is there before any new control packet,
        // and a TCP connection opened before the restart carries data across it.
        try (ServerSocketChannel server = clientNs.call(() -> ServerSocketChannel.open().bind(new InetSocketAddress(POD, TCP_PORT + 1)))) {
          byte[] half = new byte[1024 * 1024];
          new Random(8).nextBytes(half);
          MessageDigest expected = MessageDigest.getInstance("SHA-256");
          CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> receiveAll(server));
          try (SocketChannel c = epicNs.call(SocketChannel::open)) {
            c.socket().connect(new InetSocketAddress(POD, TCP_PORT + 1), 20_000);
            writeAll(c, half);
            expected.update(half);
            epicAgentHolder[0].close();
            epicAgentHolder[0] = TransportAgent.start(epicOptions, epicSpec());
            assertThat(epicAgentHolder[0].tunnel(TUNNEL).remoteAddr()).isEqualTo(ipv4(NAT_PUBLIC));
            assertThat(epicAgentHolder[0].tunnel(TUNNEL).remotePort()).isEqualTo(learned.remotePort());
            writeAll(c, half);
            expected.update(half);
          }
          assertThat(received.get(120, TimeUnit.SECONDS)).isEqualTo(expected.digest());
        }

        // Only GUE (UDP 6080) crossed the NAT between the nodes: nothing else was forwarded.
        Map<String, Long> forwarded = forwardCounters();
        assertThat(forwarded.get("to6080")).isPositive();
        assertThat(forwarded.get("from6080")).isPositive();
        assertThat(forwarded.get("other")).as("non-GUE packets forwarded: %s", forwarded).isZero();

        var stats = epicAgentHolder[0].maps().tunnelStats().get(TUNNEL);
        assertThat(stats.txPackets()).isPositive();
        assertThat(stats.rxPackets()).isPositive();
        // The same counters as Micrometer meters, after the restart (the new agent's meters read the new maps).
        double txBytes = epicOptions.registry().get("epic.tunnel.bytes").tag("tunnel", "42").tag("direction", "tx")
            .functionCounter().count();
        assertThat(txBytes).isGreaterThan(10 * 1024 * 1024);
      }
    }
  }

  final TransportAgent[] epicAgentHolder = new TransportAgent[1];

  NodeSpec epicSpec() {
    EndpointKey tcp = new EndpointKey(0, ipv4(POD), TCP_PORT, EndpointKey.TCP);
    EndpointKey udp = new EndpointKey(0, ipv4(POD), UDP_PORT, EndpointKey.UDP);
    EndpointKey acrossRestart = new EndpointKey(0, ipv4(POD), TCP_PORT + 1, EndpointKey.TCP);
    return new NodeSpec(Role.EPIC, List.of(new Uplink("ep" + x, 1500)), List.of(),
        Map.of(TUNNEL, new TunnelConfig(TunnelSpec.learned(ipv4(EPIC_ADDR), EpicMaps.GUE_PORT), key)),
        Map.of(tcp, TUNNEL, udp, TUNNEL, acrossRestart, TUNNEL));
  }

  NodeSpec clientSpec() {
    return new NodeSpec(Role.CLIENT, List.of(new Uplink("cl" + x, 1500)), List.of(),
        Map.of(TUNNEL, new TunnelConfig(TunnelSpec.fixed(ipv4("10.77.1.2"), ipv4(EPIC_ADDR), EpicMaps.GUE_PORT), key)),
        Map.of());
  }

  void topology(Scratch s) {
    for (String ns : List.of(epic, nat, client, attacker)) s.netns(ns);
    link(nat, "np" + x, "198.18.0.254/24", epic, "ep" + x, "198.18.0.1/24");
    link(nat, "nc" + x, "10.77.1.1/24", client, "cl" + x, "10.77.1.2/24");
    link(nat, "na" + x, "198.18.1.1/24", attacker, "at" + x, "198.18.1.2/24");
    run("ip", "-n", client, "addr", "add", POD + "/32", "dev", "lo");
    run("ip", "-n", client, "route", "add", "default", "via", "10.77.1.1");
    run("ip", "-n", attacker, "route", "add", "default", "via", "198.18.1.1");
    // Pod traffic is routed towards the NAT, which has no route to it: only the tunnel can deliver it.
    run("ip", "-n", epic, "route", "add", "10.77.0.0/24", "via", NAT_PUBLIC);
    run("ip", "netns", "exec", nat, "sysctl", "-qw", "net.ipv4.ip_forward=1");
    run("ip", "netns", "exec", nat, "iptables", "-t", "nat", "-A", "POSTROUTING", "-s", "10.77.1.0/24", "-o", "np" + x, "-j", "MASQUERADE");
    // Rule order matters: EPIC->client packets are already de-NATed here, so they match "--dport 6080" as well.
    run("ip", "netns", "exec", nat, "iptables", "-A", "FORWARD", "-i", "np" + x, "-o", "nc" + x, "-p", "udp", "--sport", "6080", "-j", "ACCEPT");
    run("ip", "netns", "exec", nat, "iptables", "-A", "FORWARD", "-p", "udp", "--dport", "6080", "-j", "ACCEPT");
    run("ip", "netns", "exec", nat, "iptables", "-A", "FORWARD");
  }

  static void link(String nsA, String ifA, String addrA, String nsB, String ifB, String addrB) {
    run("ip", "-n", nsA, "link", "add", ifA, "type", "veth", "peer", "name", ifB, "netns", nsB);
    run("ip", "-n", nsA, "addr", "add", addrA, "dev", ifA);
    run("ip", "-n", nsB, "addr", "add", addrB, "dev", ifB);
    run("ip", "-n", nsA, "link", "set", ifA, "up");
    run("ip", "-n", nsB, "link", "set", ifB, "up");
  }

  /** Packet counts of the three FORWARD rules: EPIC to client from 6080, anything to 6080, anything else. */
  Map<String, Long> forwardCounters() {
    String out = run("ip", "netns", "exec", nat, "iptables", "-L", "FORWARD", "-v", "-x", "-n");
    List<Long> counts = new ArrayList<>();
    for (String line : out.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length > 2 && f[0].matches("\\d+")) counts.add(Long.parseLong(f[0]));
    }
    assertThat(counts).as("FORWARD rules in %s", out).hasSize(3);
    return Map.of("from6080", counts.get(0), "to6080", counts.get(1), "other", counts.get(2));
  }

  /** A GUE data packet for the tunnel carrying an inner IPv4/UDP packet to the pod, from the wrong outer source. */
  static byte[] spoofedDataPacket() {
    ByteBuffer b = ByteBuffer.allocate(8 + 28);
    b.put((byte) 0x01).put((byte) 4).putShort((short) 0).putInt(TUNNEL);
    b.put((byte) 0x45).put((byte) 0).putShort((short) 28).putInt(0).put((byte) 64).put((byte) 17).putShort((short) 0);
    b.put(ipv4(EPIC_ADDR).getAddress()).put(ipv4(POD).getAddress());
    b.putShort((short) 1234).putShort((short) UDP_PORT).putShort((short) 8).putShort((short) 0);
    return b.array();
  }

  static long rejected(TransportAgent agent) {
    long n = 0;
    for (Verdict v : Verdict.values()) if (v != Verdict.ACCEPTED) n += (long) agent.metrics().controlCount(v);
    return n;
  }

  static EpicMaps.TunnelStats zeroStats() {
    return new EpicMaps.TunnelStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  }

  static void writeAll(SocketChannel c, byte[] data) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(data);
    while (b.hasRemaining()) c.write(b);
  }

  static byte[] receiveAll(ServerSocketChannel server) {
    try (SocketChannel s = server.accept()) {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
      while (s.read(buf) >= 0) {
        buf.flip();
        sha.update(buf);
        buf.clear();
      }
      return sha.digest();
    } catch (IOException | java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static int echo(DatagramChannel pod, int count) {
    try {
      java.net.DatagramSocket s = pod.socket();
      s.setSoTimeout(20_000);
      for (int i = 0; i < count; i++) {
        java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[64], 64);
        s.receive(p);
        s.send(p);
      }
      return count;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for: " + what);
      Thread.sleep(100);
    }
  }
}
