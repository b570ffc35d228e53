package org.epicgateway.projections.decider;

import com.google.common.net.InetAddresses;
import java.util.regex.Pattern;

/** Field rules shared by every command; each failure names the field and what is wrong with it. */
final class Rules {

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern HOSTNAME =
      Pattern.compile("(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private Rules() {}

  /** A Kubernetes-style name: DNS-1123 label, 1..63 characters. */
  static String name(String field, CharSequence value) {
    String v = required(field, value);
    if (v.length() > 63 || !DNS_LABEL.matcher(v).matches()) {
      throw Rejected.validation(field, "'" + v + "' is not a DNS-1123 label (lower-case letters, digits and '-',"
          + " starting and ending with a letter or digit, at most 63 characters)");
    }
    return v;
  }

  /** A Gateway API hostname: lower-case DNS name of at most 253 characters, optionally starting with "*.", not an IP. */
  static String hostname(String field, CharSequence value) {
    String v = required(field, value);
    if (v.length() > 253 || !HOSTNAME.matcher(v).matches() || InetAddresses.isInetAddress(v)) {
      throw Rejected.validation(field, "'" + v + "' is not a hostname (lower-case DNS name, optional leading '*.',"
          + " labels of at most 63 characters, not an IP address)");
    }
    for (String label : v.split("\\.")) {
      if (label.length() > 63) {
        throw Rejected.validation(field, "'" + v + "' has a label longer than 63 characters");
      }
    }
    return v;
  }

  static int port(String field, int port) {
    if (port < 1 || port > 65535) {
      throw Rejected.validation(field, "port " + port + " is outside 1..65535");
    }
    return port;
  }

  /** An IPv4 or IPv6 literal (no zone id). */
  static String ipAddress(String field, CharSequence value) {
    String v = required(field, value);
    if (!InetAddresses.isInetAddress(v) || v.contains("%")) {
      throw Rejected.validation(field, "'" + v + "' is not an IPv4 or IPv6 address");
    }
    return v;
  }

  static String required(String field, CharSequence value) {
    if (value == null || value.isEmpty()) {
      throw Rejected.validation(field, "is required");
    }
    return value.toString();
  }
}
