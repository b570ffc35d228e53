package org.epicgateway.projections.decider;

import com.google.common.net.InetAddresses;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The addresses of one pool: an ordered list of inclusive ranges parsed from the pool's spec strings, each a CIDR
 * ("192.0.2.0/24", "2001:db8::/120") or an "a-b" range ("192.0.2.10-192.0.2.20"). Pure; allocation takes the first
 * free address in spec order, as the original allocator did, so a replay allocates the same addresses.
 */
public final class AddressPool {

  /** One inclusive range of one address family. */
  record Range(BigInteger first, BigInteger last, boolean ipv4) {}

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
    List<Range> parsed = new ArrayList<>();
    for (CharSequence cs : specs) {
      parsed.add(parseRange(cs.toString()));
    }
    return new AddressPool(List.copyOf(parsed));
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

  /** Whether every range of the pool is IPv4 (the alt pool of an IPv6 gateway must be). */
  public boolean allIpv4() {
    return ranges.stream().allMatch(Range::ipv4);
  }
}
