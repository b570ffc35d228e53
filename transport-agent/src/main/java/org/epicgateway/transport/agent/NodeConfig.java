package org.epicgateway.transport.agent;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.epicgateway.transport.agent.NodeSpec.Role;
import org.epicgateway.transport.agent.NodeSpec.TunnelConfig;
import org.epicgateway.transport.maps.EpicMaps;
import org.epicgateway.transport.maps.EpicMaps.EndpointKey;
import org.epicgateway.transport.reconcile.TunnelSpec;

/**
 * The JSON file {@code ./epic agent run --config} reads: a node's spec as an operator writes it (until the agent
 * follows its key on epic.node-bpf). Every error names the field at fault.
 */
public record NodeConfig(String role, List<NodeSpec.Uplink> uplinks, List<NodeSpec.Instance> instances,
                         List<TunnelEntry> tunnels, List<EndpointEntry> endpoints) {
  /** {@code remote} "a.b.c.d:port" on client nodes; absent on EPIC nodes (learned from control packets). */
  public record TunnelEntry(long id, String local, Integer localPort, String remote, String keyHex) {}

  public record EndpointEntry(Integer tag, String address, int port, String protocol, long tunnel) {}

  private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public static NodeSpec read(Path file) {
    try {
      return JSON.readValue(file.toFile(), NodeConfig.class).toSpec();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read node config " + file + ": " + e.getMessage(), e);
    }
  }

  public NodeSpec toSpec() {
    if (role == null) throw new IllegalArgumentException("role: missing (EPIC or CLIENT)");
    Role r;
    try {
      r = Role.valueOf(role.toUpperCase());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("role: '" + role + "' is not EPIC or CLIENT");
    }
    Map<Integer, TunnelConfig> ts = new HashMap<>();
    for (TunnelEntry t : orEmpty(tunnels)) {
      String where = "tunnels[id=" + t.id() + "]";
      if (t.id() <= 0 || t.id() > 0xffffffffL) throw new IllegalArgumentException(where + ".id: must be 1..4294967295");
      if (t.keyHex() == null) throw new IllegalArgumentException(where + ".keyHex: missing");
      byte[] key;
      try {
        key = HexFormat.of().parseHex(t.keyHex());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ".keyHex: not hexadecimal");
      }
      java.net.Inet4Address local;
      try {
        local = EpicMaps.ipv4(t.local());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ".local: " + e.getMessage(), e);
      }
      TunnelSpec spec;
      try {
        if (r == Role.EPIC) {
          if (t.remote() != null) throw new IllegalArgumentException("remote: EPIC nodes learn it; leave it out");
          spec = TunnelSpec.learned(local, t.localPort() == null ? EpicMaps.GUE_PORT : t.localPort());
        } else {
          if (t.remote() == null || !t.remote().contains(":")) throw new IllegalArgumentException("remote: 'address:port' required on client nodes");
          String[] hp = t.remote().split(":", 2);
          spec = TunnelSpec.fixed(local, EpicMaps.ipv4(hp[0]), Integer.parseInt(hp[1]));
        }
        ts.put((int) t.id(), new TunnelConfig(spec, key));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(e.getMessage().startsWith("remote:") ? where + "." + e.getMessage()
            : where + ": " + e.getMessage(), e);
      }
    }
    Map<EndpointKey, Integer> eps = new HashMap<>();
    for (EndpointEntry e : orEmpty(endpoints)) {
      String where = "endpoints[" + e.address() + ":" + e.port() + "]";
      int proto = switch (e.protocol() == null ? "" : e.protocol().toLowerCase()) {
        case "tcp" -> EndpointKey.TCP;
        case "udp" -> EndpointKey.UDP;
        case "icmp" -> EndpointKey.ICMP;
        default -> throw new IllegalArgumentException(where + ".protocol: '" + e.protocol() + "' is not tcp, udp or icmp");
      };
      try {
        eps.put(new EndpointKey(e.tag() == null ? 0 : e.tag(), EpicMaps.ipv4(e.address()), e.port(), proto), (int) e.tunnel());
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException(where + ": " + ex.getMessage(), ex);
      }
      if (!ts.containsKey((int) e.tunnel())) throw new IllegalArgumentException(where + ".tunnel: no tunnel " + e.tunnel());
    }
    return new NodeSpec(r, orEmpty(uplinks), orEmpty(instances), ts, eps);
  }

  private static <T> List<T> orEmpty(List<T> l) {
    return l == null ? List.of() : l;
  }
}
