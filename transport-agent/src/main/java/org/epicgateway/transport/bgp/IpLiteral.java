package org.epicgateway.transport.bgp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.epicgateway.transport.maps.EpicMaps;

/** IPv4 or IPv6 literals only: {@code InetAddress.getByName} would resolve a host name through DNS. */
public final class IpLiteral {
  private IpLiteral() {}

  public static InetAddress parse(String text) {
    if (text != null && text.indexOf(':') >= 0 && text.matches("[0-9A-Fa-f:.]+")) {
      try {
        return InetAddress.getByName(text); // a string with ':' is parsed as an IPv6 literal, never looked up
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("not an IP address: '" + text + "'");
      }
    }
    try {
      return EpicMaps.ipv4(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not an IP address: '" + text + "'");
    }
  }
}
