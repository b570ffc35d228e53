package org.epicgateway.projections.decider;

import com.google.common.net.InetAddresses;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The addresses of one pool: an ordered list of inclusive ranges parsed from the pool's spec strings, each a CIDR
 * ("192.0.2.0/24", "2001:db8::/120") or an "a-b" range ("192.0.2.10-192.0.2.20"). Pure; allocation takes the first
 * free address in spec order, as the original allocator did, so a replay allocates the same addresses.
 */
public final class AddressPool {

  /** The most ranges one pool may hold (each is checked against every other pool's on definition). */
  public static final int MAX_RANGES = 64;
  /** The shortest prefixes a pool may use: a pool is a block an operator owns, never "everything". */
  public static final int MIN_PREFIX_V4 = 8;
  public static final int MIN_PREFIX_V6 = 16;

  /** One inclusive range of one address family. */
  record Range(BigInteger first, BigInteger last, boolean ipv4) {
    boolean overlaps(Range other) {
      return ipv4 == other.ipv4 && first.compareTo(other.last) <= 0 && other.first.compareTo(last) <= 0;
    }
  }

  /** Addresses a gateway must never be given: they are not reachable as a public service address. */
  private static final List<Map.Entry<String, Range>> NOT_ALLOCATABLE = List.of(
      special("unspecified", "0.0.0.0", "0.255.255.255"),
      special("loopback", "127.0.0.0", "127.255.255.255"),
      special("link-local", "169.254.0.0", "169.254.255.255"),
      special("multicast", "224.0.0.0", "239.255.255.255"),
      special("reserved or broadcast", "240.0.0.0", "255.255.255.255"),
      special("unspecified", "::", "::"),
      special("loopback", "::1", "::1"),
      special("link-local", "fe80::", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
      special("multicast", "ff00::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));

  private static Map.Entry<String, Range> special(String what, String first, String last) {
    InetAddress a = InetAddresses.forString(first);
    return Map.entry(what, new Range(toInteger(a), toInteger(InetAddresses.forString(last)), a instanceof Inet4Address));
  }

  private final List<Range> ranges;

  private AddressPool(List<Range> ranges) {
    this.ranges = ranges;
  }

  /**
   * Parses the pool's ranges. IPv4 CIDRs shorter than /31 lose their network and broadcast addresses (RFC 3021 makes
   * /31 and /32 all-usable); IPv6 has no broadcast, so its CIDRs keep every address.
   *
   * @throws IllegalArgumentException naming the bad range
   */
  public static AddressPool parse(Collection<? extends CharSequence> specs) {
    if (specs.isEmpty()) {
      throw new IllegalArgumentException("a pool needs at least one range");
    }
    if (specs.size() > MAX_RANGES) {
      throw new IllegalArgumentException("a pool holds at most " + MAX_RANGES + " ranges, got " + specs.size());
    }
    List<Range> parsed = new ArrayList<>();
    for (CharSequence cs : specs) {
      parsed.add(parseRange(cs.toString()));
    }
    return new AddressPool(List.copyOf(parsed));
  }

  /**
   * Parses a new pool's ranges and checks they are fit to hand out: no prefix shorter than /{@value #MIN_PREFIX_V4}
   * (IPv4) or /{@value #MIN_PREFIX_V6} (IPv6), nothing unspecified, loopback, link-local, multicast or broadcast, and
   * no two ranges overlapping. Pools already in the log are only {@link #parse}d, so old events still fold.
   *
   * @throws IllegalArgumentException naming the bad range
   */
  public static AddressPool parseNew(Collection<? extends CharSequence> specs) {
    AddressPool pool = parse(specs);
    List<String> texts = specs.stream().map(cs -> cs.toString().trim()).toList();
    for (int i = 0; i < pool.ranges.size(); i++) {
      Range r = pool.ranges.get(i);
      String spec = texts.get(i);
      int slash = spec.indexOf('/');
      if (slash >= 0) {
        int prefix = Integer.parseInt(spec.substring(slash + 1));
        int min = r.ipv4() ? MIN_PREFIX_V4 : MIN_PREFIX_V6;
        if (prefix < min) {
          throw new IllegalArgumentException("range '" + spec + "': prefix /" + prefix + " is shorter than /" + min);
        }
      }
      for (Map.Entry<String, Range> special : NOT_ALLOCATABLE) {
        if (r.overlaps(special.getValue())) {
          throw new IllegalArgumentException("range '" + spec + "' includes " + special.getKey() + " addresses");
        }
      }
      for (int j = 0; j < i; j++) {
        if (r.overlaps(pool.ranges.get(j))) {
          throw new IllegalArgumentException("range '" + spec + "' overlaps range '" + texts.get(j) + "'");
        }
      }
    }
    return pool;
  }

  /** The index of the first of this pool's ranges that shares an address with one of {@code other}'s. */
  public OptionalInt overlapping(AddressPool other) {
    for (int i = 0; i < ranges.size(); i++) {
      for (Range theirs : other.ranges) {
        if (ranges.get(i).overlaps(theirs)) {
          return OptionalInt.of(i);
        }
      }
    }
    return OptionalInt.empty();
  }

  static Range parseRange(String spec) {
    String s = spec.trim();
    int slash = s.indexOf('/');
    int dash = s.indexOf('-');
    if (slash >= 0) {
      InetAddress base = literal(s.substring(0, slash), spec);
      int bits = base instanceof Inet4Address ? 32 : 128;
      int prefix;
      try {
        prefix = Integer.parseInt(s.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("range '" + spec + "': prefix length is not a number");
      }
      if (prefix < 0 || prefix > bits) {
        throw new IllegalArgumentException("range '" + spec + "': prefix length must be 0.." + bits);
      }
      BigInteger hostMask = BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE);
      BigInteger value = toInteger(base);
      if (!value.and(hostMask).equals(BigInteger.ZERO)) {
        throw new IllegalArgumentException("range '" + spec + "': host bits are set (not a network address)");
      }
      BigInteger first = value;
      BigInteger last = value.or(hostMask);
      boolean ipv4 = bits == 32;
      if (ipv4 && prefix < 31) {
        first = first.add(BigInteger.ONE);
        last = last.subtract(BigInteger.ONE);
      }
      return new Range(first, last, ipv4);
    }
    if (dash >= 0) {
      InetAddress from = literal(s.substring(0, dash), spec);
      InetAddress to = literal(s.substring(dash + 1), spec);
      if ((from instanceof Inet4Address) != (to instanceof Inet4Address)) {
        throw new IllegalArgumentException("range '" + spec + "': both ends must be the same IP family");
      }
      BigInteger first = toInteger(from);
      BigInteger last = toInteger(to);
      if (first.compareTo(last) > 0) {
        throw new IllegalArgumentException("range '" + spec + "': start is after end");
      }
      return new Range(first, last, from instanceof Inet4Address);
    }
    throw new IllegalArgumentException("range '" + spec + "': expected a CIDR (a/n) or a range (a-b)");
  }

  private static InetAddress literal(String text, String spec) {
    String t = text.trim();
    if (!InetAddresses.isInetAddress(t) || t.contains("%")) {
      throw new IllegalArgumentException("range '" + spec + "': '" + t + "' is not an IPv4 or IPv6 address");
    }
    return InetAddresses.forString(t);
  }

  private static BigInteger toInteger(InetAddress a) {
    return new BigInteger(1, a.getAddress());
  }

  private static String toText(BigInteger value, boolean ipv4) {
    return InetAddresses.toAddrString(
        ipv4 ? InetAddresses.fromIPv4BigInteger(value) : InetAddresses.fromIPv6BigInteger(value));
  }

  /**
   * The first address, in range order, not in {@code allocated}. Addresses are canonical text (IPv6 compressed,
   * lower case) as this class hands them out, so equal addresses are equal strings. Cost is bounded by the allocated
   * count, not the pool size, so a /64 pool is as cheap as a /30.
   */
  public Optional<String> firstFree(Set<String> allocated) {
    for (Range r : ranges) {
      for (BigInteger v = r.first(); v.compareTo(r.last()) <= 0; v = v.add(BigInteger.ONE)) {
        String candidate = toText(v, r.ipv4());
        if (!allocated.contains(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  /** How many addresses the pool can hand out in all (network and broadcast addresses excluded as in parsing). */
  public BigInteger size() {
    BigInteger total = BigInteger.ZERO;
    for (Range r : ranges) {
      total = total.add(r.last().subtract(r.first()).add(BigInteger.ONE));
    }
    return total;
  }

  /** Whether every range of the pool is IPv4 (the alt pool of an IPv6 gateway must be). */
  public boolean allIpv4() {
    return ranges.stream().allMatch(Range::ipv4);
  }
}
