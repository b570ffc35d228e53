package org.epicgateway.transport.maps;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

/**
 * The Java mirror of bpf/include/epic_maps.h: the one place that knows map names, pin paths, program names, and
 * the byte layout of every key and value. Addresses and ports are network order, every other integer host order
 * (little-endian); padding is zero.
 */
public final class EpicMaps {
  private EpicMaps() {}

  public static final Path PIN_ROOT = Path.of("/sys/fs/bpf/epic");
  public static final String OBJECT_FILE = "bpf/target/epic_tc.bpf.o";
  public static final String PROG_ENCAP = "epic_encap", PROG_DECAP = "epic_decap", PROG_TAG = "epic_tag";

  public static final String ENDPOINTS = "epic_endpoints", LEARNED = "epic_learned", TUNNELS = "epic_tunnels",
      IFACES = "epic_ifaces", TUN_STATS = "epic_tun_stats", STATS = "epic_stats";
  /** BPF-internal: fragment tracking. The agent never reads it, but pins it with the rest (one directory per node). */
  public static final String FRAGS = "epic_frags";
  /** Every map of the object: all are pinned under the node's pin directory. */
  public static final List<String> ALL_MAPS = List.of(ENDPOINTS, LEARNED, FRAGS, TUNNELS, IFACES, TUN_STATS, STATS);

  public static final int GUE_PORT = 6080;
  public static final int ENCAP_OVERHEAD = 36;
  public static final int CTRL_LEN = 32, CTRL_MAC_LEN = 16, CTRL_SIGNED_LEN = 16;
  public static final byte CTRL_FIRST_BYTE = 0x21, CTRL_CTYPE_KEEPALIVE = 1;
  public static final long CTRL_MAX_SKEW_MS = 30_000;

  public static final int TUN_F_FIXED_SPORT = 1, TUN_F_LEARNED = 2;

  public static final int ENDPOINT_KEY_SIZE = 12, ENDPOINT_VALUE_SIZE = 4, TUNNEL_KEY_SIZE = 4,
      TUNNEL_VALUE_SIZE = 24, IFACE_KEY_SIZE = 4, IFACE_VALUE_SIZE = 16, TUN_STATS_VALUE_SIZE = 80,
      STATS_VALUE_SIZE = 64;

  public static final Inet4Address ANY = ipv4(new byte[4]);

  /** enum epic_iface_role. */
  public enum IfaceRole { NONE, UPLINK_EPIC, UPLINK_CLIENT, INSTANCE }

  /** struct epic_endpoint_key: the inner destination (with the Envoy instance tag on EPIC nodes). */
  public record EndpointKey(int instanceTag, Inet4Address addr, int port, int proto) implements Comparable<EndpointKey> {
    public static final int TCP = 6, UDP = 17, ICMP = 1;

    public EndpointKey {
      if (port < 0 || port > 0xffff) throw new IllegalArgumentException("endpoint port out of range: " + port);
      if (proto < 0 || proto > 0xff) throw new IllegalArgumentException("endpoint protocol out of range: " + proto);
    }

    public byte[] encode() {
      return le(ENDPOINT_KEY_SIZE).putInt(instanceTag).put(addr.getAddress()).order(ByteOrder.BIG_ENDIAN)
          .putShort((short) port).put((byte) proto).put((byte) 0).array();
    }

    public static EndpointKey decode(byte[] b) {
      ByteBuffer buf = le(b);
      return new EndpointKey(buf.getInt(0), ipv4(b, 4), Short.toUnsignedInt(buf.order(ByteOrder.BIG_ENDIAN).getShort(8)),
          Byte.toUnsignedInt(b[10]));
    }

    @Override
    public int compareTo(EndpointKey o) {
      int c = Integer.compareUnsigned(instanceTag, o.instanceTag);
      if (c == 0) c = Integer.compareUnsigned(ByteBuffer.wrap(addr.getAddress()).getInt(), ByteBuffer.wrap(o.addr.getAddress()).getInt());
      if (c == 0) c = Integer.compare(port, o.port);
      return c != 0 ? c : Integer.compare(proto, o.proto);
    }

    @Override
    public String toString() {
      return "tag " + Integer.toUnsignedString(instanceTag) + " " + addr.getHostAddress() + ":" + port + "/"
          + (proto == TCP ? "tcp" : proto == UDP ? "udp" : proto == ICMP ? "icmp" : Integer.toString(proto));
    }
  }

  /** struct epic_endpoint_value and the epic_tunnels / epic_tun_stats key: a host-order u32 tunnel id. */
  public static byte[] encodeU32(int v) {
    return le(4).putInt(v).array();
  }

  public static int decodeU32(byte[] b) {
    return le(b).getInt(0);
  }

  /** struct epic_tunnel: outer header parameters of one tunnel. */
  public record Tunnel(Inet4Address localAddr, Inet4Address remoteAddr, int localPort, int remotePort,
                       int deliverIfindex, int flags) {
    public byte[] encode() {
      return le(TUNNEL_VALUE_SIZE).put(localAddr.getAddress()).put(remoteAddr.getAddress())
          .order(ByteOrder.BIG_ENDIAN).putShort((short) localPort).putShort((short) remotePort)
          .order(ByteOrder.LITTLE_ENDIAN).putInt(deliverIfindex).putInt(flags).putInt(0).array();
    }

    public static Tunnel decode(byte[] b) {
      ByteBuffer be = ByteBuffer.wrap(b).order(ByteOrder.BIG_ENDIAN);
      ByteBuffer le = le(b);
      return new Tunnel(ipv4(b, 0), ipv4(b, 4), Short.toUnsignedInt(be.getShort(8)),
          Short.toUnsignedInt(be.getShort(10)), le.getInt(12), le.getInt(16));
    }

    public boolean remoteKnown() {
      return !remoteAddr.equals(ANY) && remotePort != 0;
    }

    /** This tunnel pointing at a remote learned from a verified control packet. */
    public Tunnel withLearnedRemote(Inet4Address addr, int port) {
      return new Tunnel(localAddr, addr, localPort, port, deliverIfindex, flags | TUN_F_LEARNED);
    }

    @Override
    public String toString() {
      return localAddr.getHostAddress() + ":" + (localPort == 0 ? "*" : localPort) + " -> "
          + (remoteKnown() ? remoteAddr.getHostAddress() + ":" + remotePort : "(remote not known)")
          + ((flags & TUN_F_FIXED_SPORT) != 0 ? " fixed-sport" : "") + ((flags & TUN_F_LEARNED) != 0 ? " learned" : "")
          + (deliverIfindex != 0 ? " deliver-ifindex " + deliverIfindex : "");
    }
  }

  /** struct epic_iface: what the programs attached to one interface do. */
  public record Iface(IfaceRole role, int mtu, int instanceTag) {
    public byte[] encode() {
      return le(IFACE_VALUE_SIZE).putInt(role.ordinal()).putInt(mtu).putInt(instanceTag).putInt(0).array();
    }

    public static Iface decode(byte[] b) {
      ByteBuffer buf = le(b);
      int role = buf.getInt(0);
      return new Iface(role < IfaceRole.values().length ? IfaceRole.values()[role] : IfaceRole.NONE, buf.getInt(4), buf.getInt(8));
    }
  }

  /** struct epic_tunnel_stats summed over CPUs. */
  public record TunnelStats(long txPackets, long txBytes, long rxPackets, long rxBytes, long dropSpoofed,
                            long dropMtu, long icmpFragNeeded, long dropNoRemote, long txErrors, long rxErrors) {
    public static TunnelStats sumPerCpu(byte[] b) {
      long[] s = sum(b, 10, TUN_STATS_VALUE_SIZE);
      return new TunnelStats(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9]);
    }
  }

  /** struct epic_global_stats summed over CPUs. */
  public record GlobalStats(long rxControl, long rxUnknownTunnel, long rxBadHeader, long txUnknownTunnel, long learnErrors) {
    public static GlobalStats sumPerCpu(byte[] b) {
      long[] s = sum(b, 5, STATS_VALUE_SIZE);
      return new GlobalStats(s[0], s[1], s[2], s[3], s[4]);
    }
  }

  private static long[] sum(byte[] perCpu, int fields, int slot) {
    ByteBuffer buf = le(perCpu);
    long[] s = new long[fields];
    for (int off = 0; off + slot <= perCpu.length; off += slot) {
      for (int i = 0; i < fields; i++) s[i] += buf.getLong(off + 8 * i);
    }
    return s;
  }

  public static Inet4Address ipv4(String text) {
    // Literal dotted quads only: InetAddress.getByName would resolve host names.
    if (text == null || !text.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
    }
    byte[] b = new byte[4];
    String[] parts = text.split("\\.");
    for (int i = 0; i < 4; i++) {
      int v = Integer.parseInt(parts[i]);
      if (v > 255) throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
      b[i] = (byte) v;
    }
    return ipv4(b);
  }

  static Inet4Address ipv4(byte[] b, int off) {
    return ipv4(java.util.Arrays.copyOfRange(b, off, off + 4));
  }

  public static Inet4Address ipv4(byte[] four) {
    try {
      return (Inet4Address) InetAddress.getByAddress(four);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not 4 address bytes", e);
    }
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static ByteBuffer le(byte[] b) {
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
  }
}
