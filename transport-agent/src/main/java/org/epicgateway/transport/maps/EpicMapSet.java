package org.epicgateway.transport.maps;

import static org.epicgateway.transport.maps.EpicMaps.*;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.epicgateway.transport.libbpf.BpfMap;
import org.epicgateway.transport.libbpf.BpfObject;

/**
 * Typed access to the six EPIC maps of one node, either from the loaded object (the agent) or from their pins
 * (the operator CLI). Checks on open that the kernel maps have the sizes this mirror of epic_maps.h expects.
 */
public final class EpicMapSet implements AutoCloseable {
  private final BpfMap endpoints, learned, tunnels, ifaces, tunStats, stats;

  private EpicMapSet(Function<String, BpfMap> open) {
    endpoints = open.apply(ENDPOINTS).requireSizes(ENDPOINT_KEY_SIZE, ENDPOINT_VALUE_SIZE);
    learned = open.apply(LEARNED).requireSizes(ENDPOINT_KEY_SIZE, ENDPOINT_VALUE_SIZE);
    tunnels = open.apply(TUNNELS).requireSizes(TUNNEL_KEY_SIZE, TUNNEL_VALUE_SIZE);
    ifaces = open.apply(IFACES).requireSizes(IFACE_KEY_SIZE, IFACE_VALUE_SIZE);
    tunStats = open.apply(TUN_STATS).requireSizes(TUNNEL_KEY_SIZE, TUN_STATS_VALUE_SIZE);
    stats = open.apply(STATS).requireSizes(4, STATS_VALUE_SIZE);
  }

  public static EpicMapSet of(BpfObject obj) {
    return new EpicMapSet(obj::map);
  }

  /** Opens the maps pinned under {@code pinDir}; fails naming the missing pin when the agent never ran there. */
  public static EpicMapSet pinned(Path pinDir) {
    return new EpicMapSet(name -> {
      Path p = pinDir.resolve(name);
      if (!java.nio.file.Files.exists(p)) {
        throw new IllegalStateException("no pinned map " + p + " (is the transport agent running on this node?)");
      }
      return BpfMap.openPinned(p);
    });
  }

  public Map<EndpointKey, Integer> endpoints() {
    return endpointMap(endpoints);
  }

  public Map<EndpointKey, Integer> learned() {
    return endpointMap(learned);
  }

  public Map<Integer, Tunnel> tunnels() {
    return read(tunnels, EpicMaps::decodeU32, Tunnel::decode);
  }

  public Optional<Tunnel> tunnel(int id) {
    return tunnels.lookup(encodeU32(id)).map(Tunnel::decode);
  }

  public Map<Integer, Iface> ifaces() {
    return read(ifaces, EpicMaps::decodeU32, Iface::decode);
  }

  public Map<Integer, TunnelStats> tunnelStats() {
    return read(tunStats, EpicMaps::decodeU32, TunnelStats::sumPerCpu);
  }

  public GlobalStats globalStats() {
    return stats.lookup(encodeU32(0)).map(GlobalStats::sumPerCpu).orElse(new GlobalStats(0, 0, 0, 0, 0));
  }

  public void putEndpoint(EndpointKey k, int tunnelId) { endpoints.update(k.encode(), encodeU32(tunnelId)); }
  public void deleteEndpoint(EndpointKey k) { endpoints.delete(k.encode()); }
  public void deleteLearned(EndpointKey k) { learned.delete(k.encode()); }
  public void putTunnel(int id, Tunnel t) { tunnels.update(encodeU32(id), t.encode()); }
  public void deleteTunnel(int id) { tunnels.delete(encodeU32(id)); }
  public void putIface(int ifindex, Iface i) { ifaces.update(encodeU32(ifindex), i.encode()); }
  public void deleteIface(int ifindex) { ifaces.delete(encodeU32(ifindex)); }
  public void deleteTunnelStats(int id) { tunStats.delete(encodeU32(id)); }

  public java.util.Set<Integer> statsTunnels() {
    return tunnelStats().keySet();
  }

  private static Map<EndpointKey, Integer> endpointMap(BpfMap m) {
    return new TreeMap<>(read(m, EndpointKey::decode, EpicMaps::decodeU32));
  }

  private static <K, V> Map<K, V> read(BpfMap m, Function<byte[], K> key, Function<byte[], V> value) {
    Map<K, V> out = new LinkedHashMap<>();
    for (byte[] k : m.keys()) m.lookup(k).ifPresent(v -> out.put(key.apply(k), value.apply(v)));
    return out;
  }

  @Override
  public void close() {
    for (BpfMap m : new BpfMap[] {endpoints, learned, tunnels, ifaces, tunStats, stats}) m.close();
  }
}
