package org.epicgateway.transport.agent;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.epicgateway.schemas.avro.Advert;
import org.epicgateway.schemas.avro.BpfEndpoint;
import org.epicgateway.schemas.avro.BpfInstance;
import org.epicgateway.schemas.avro.BpfTunnel;
import org.epicgateway.schemas.avro.BpfUplink;
import org.epicgateway.schemas.avro.NodeAdverts;
import org.epicgateway.schemas.avro.NodeBpf;
import org.epicgateway.schemas.avro.NodeKind;
import org.epicgateway.transport.agent.NodeSpec.Instance;
import org.epicgateway.transport.agent.NodeSpec.Role;
import org.epicgateway.transport.agent.NodeSpec.TunnelConfig;
import org.epicgateway.transport.agent.NodeSpec.Uplink;
import org.epicgateway.transport.bgp.IpLiteral;
import org.epicgateway.transport.keys.TunnelKeys;
import org.epicgateway.transport.keys.TunnelKeys.TunnelIdentity;
import org.epicgateway.transport.maps.EpicMaps;
import org.epicgateway.transport.maps.EpicMaps.EndpointKey;
import org.epicgateway.transport.reconcile.TunnelSpec;

/**
 * The node's derived records (epic.node-bpf, epic.node-adverts) as the agent's spec: pure, given the tunnel keys
 * and how interface names map to ifindexes in the node's namespace. The whole record converts or nothing does;
 * every error names the record and the field.
 */
public final class NodeRecords {
  private NodeRecords() {}

  /** The node's interfaces by name (in the node's network namespace); both fail naming a missing interface. */
  public interface Interfaces {
    int ifindex(String name);

    int mtu(String name);
  }

  /**
   * An Envoy instance's tag (the skb mark epic_tag sets and encap keys endpoints by) is its host-side interface's
   * ifindex: unique on the node and stable while it exists. An uplink whose record says MTU 0 gets the interface's
   * own MTU: encap must know it to answer oversize packets with ICMP instead of the device dropping them silently.
   */
  public static NodeSpec spec(NodeBpf bpf, TunnelKeys keys, Interfaces interfaces) {
    String where = "node-bpf " + bpf.getNode() + " (version " + bpf.getVersion() + ")";
    Role role = bpf.getKind() == NodeKind.EPIC ? Role.EPIC : Role.CLIENT;
    List<Uplink> uplinks = new ArrayList<>();
    for (BpfUplink u : bpf.getUplinks()) {
      try {
        uplinks.add(new Uplink(u.getName(), u.getMtu() != 0 ? u.getMtu() : interfaces.mtu(u.getName())));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(where + " uplinks[" + u.getName() + "]: " + e.getMessage(), e);
      }
    }
    if (uplinks.isEmpty()) throw new IllegalArgumentException(where + " uplinks: none (the node's heartbeat names its uplink)");
    Map<String, Integer> tags = new HashMap<>();
    List<Instance> instances = new ArrayList<>();
    for (BpfInstance i : bpf.getInstances()) {
      int tag;
      try {
        tag = interfaces.ifindex(i.getInterfaceName());
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(where + " instances[" + i.getInterfaceName() + "]: " + e.getMessage(), e);
      }
      tags.put(i.getInterfaceName(), tag);
      instances.add(new Instance(i.getInterfaceName(), tag));
    }
    Map<Integer, TunnelConfig> tunnels = new HashMap<>();
    for (BpfTunnel t : bpf.getTunnels()) {
      String at = where + " tunnels[id=" + t.getTunnelId() + "]";
      try {
        TunnelIdentity identity = new TunnelIdentity(t.getEpicNode(), t.getClientNode(), t.getTunnelId());
        Inet4Address local = field("localAddress", () -> EpicMaps.ipv4(t.getLocalAddress()));
        TunnelSpec spec = t.getRemoteAddress() == null
            ? TunnelSpec.learned(local, t.getLocalPort())
            : TunnelSpec.fixed(local, field("remoteAddress", () -> EpicMaps.ipv4(t.getRemoteAddress())), t.getRemotePort());
        if (tunnels.put((int) t.getTunnelId(), new TunnelConfig(spec, keys.keys(identity))) != null) {
          throw new IllegalArgumentException("tunnelId: given twice");
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(at + "." + e.getMessage(), e);
      }
    }
    Map<EndpointKey, Integer> endpoints = new HashMap<>();
    for (BpfEndpoint e : bpf.getEndpoints()) {
      String at = where + " endpoints[" + e.getAddress() + ":" + e.getPort() + "/" + e.getProtocol() + "]";
      int proto = switch (e.getProtocol().toUpperCase()) {
        case "TCP" -> EndpointKey.TCP;
        case "UDP" -> EndpointKey.UDP;
        default -> throw new IllegalArgumentException(at + ".protocol: '" + e.getProtocol() + "' is not TCP or UDP");
      };
      Integer tag = e.getInstanceInterface() == null ? Integer.valueOf(0) : tags.get(e.getInstanceInterface());
      if (tag == null) throw new IllegalArgumentException(at + ".instanceInterface: '" + e.getInstanceInterface() + "' is not among the node's instances");
      if (!tunnels.containsKey((int) e.getTunnelId())) throw new IllegalArgumentException(at + ".tunnelId: no tunnel " + e.getTunnelId() + " on the node");
      EndpointKey key;
      try {
        key = new EndpointKey(tag, EpicMaps.ipv4(e.getAddress()), e.getPort(), proto);
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException(at + ": " + ex.getMessage(), ex);
      }
      endpoints.put(key, (int) e.getTunnelId());
    }
    try {
      return new NodeSpec(role, uplinks, instances, tunnels, endpoints);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  /** The node's adverts as addresses (each prefix must be a host route: /32 for IPv4, /128 for IPv6). */
  public static List<InetAddress> adverts(NodeAdverts adverts) {
    List<InetAddress> out = new ArrayList<>();
    for (Advert a : adverts.getAdverts()) {
      String at = "node-adverts " + adverts.getNode() + " (version " + adverts.getVersion() + ") adverts[" + a.getPrefix() + "]";
      int slash = a.getPrefix().indexOf('/');
      if (slash < 0) throw new IllegalArgumentException(at + ".prefix: no /length");
      InetAddress address;
      try {
        address = IpLiteral.parse(a.getPrefix().substring(0, slash));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(at + ".prefix: " + e.getMessage(), e);
      }
      String hostLength = address instanceof Inet4Address ? "32" : "128";
      if (!a.getPrefix().substring(slash + 1).equals(hostLength)) {
        throw new IllegalArgumentException(at + ".prefix: a gateway address is announced as /" + hostLength);
      }
      out.add(address);
    }
    return out;
  }

  private interface Parse<T> {
    T get();
  }

  private static <T> T field(String name, Parse<T> parse) {
    try {
      return parse.get();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
    }
  }
}
