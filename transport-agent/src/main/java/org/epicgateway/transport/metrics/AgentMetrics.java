package org.epicgateway.transport.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.epicgateway.transport.control.ControlVerifier.Verdict;
import org.epicgateway.transport.maps.EpicMaps.GlobalStats;
import org.epicgateway.transport.maps.EpicMaps.TunnelStats;

/**
 * The data path's Micrometer meters: control packets by verdict; per-tunnel packets, bytes and drops read from the
 * per-CPU epic_tun_stats map and node-wide drops from epic_stats (one map walk per second at most, however many
 * meters a scrape reads).
 */
public final class AgentMetrics {
  private final MeterRegistry registry;
  private final Map<Verdict, Counter> control = new EnumMap<>(Verdict.class);
  private final Map<Integer, List<Meter>> tunnelMeters = new HashMap<>();
  private final List<Meter> nodeMeters = new ArrayList<>();
  private final Supplier<Map<Integer, TunnelStats>> stats;
  private final Supplier<GlobalStats> globalStats;
  private Map<Integer, TunnelStats> snapshot = Map.of();
  private long snapshotAt;
  private GlobalStats globalSnapshot = new GlobalStats(0, 0, 0, 0, 0);
  private long globalSnapshotAt;

  public AgentMetrics(MeterRegistry registry, Supplier<Map<Integer, TunnelStats>> stats, Supplier<GlobalStats> globalStats) {
    this.registry = registry;
    this.stats = stats;
    this.globalStats = globalStats;
    for (Verdict v : Verdict.values()) {
      control.put(v, Counter.builder("epic.control.packets").description("GUE control packets received, by verdict")
          .tag("result", v.name().toLowerCase()).register(registry));
    }
    nodeMeters.add(nodeCounter("epic.node.drops", "reason", "rx_unknown_tunnel", GlobalStats::rxUnknownTunnel,
        "GUE packets dropped by decap: tunnel id not on this node"));
    nodeMeters.add(nodeCounter("epic.node.drops", "reason", "rx_bad_header", GlobalStats::rxBadHeader,
        "UDP 6080 packets dropped by decap: not a GUE header this node speaks"));
    nodeMeters.add(nodeCounter("epic.node.drops", "reason", "tx_unknown_tunnel", GlobalStats::txUnknownTunnel,
        "packets to an endpoint whose tunnel is missing, dropped by encap (never sent unencapsulated)"));
    nodeMeters.add(nodeCounter("epic.node.learn.errors", "map", "epic_learned", GlobalStats::learnErrors,
        "reverse mappings decap could not record"));
    nodeMeters.add(nodeCounter("epic.node.control.received", "path", "decap", GlobalStats::rxControl,
        "GUE control packets decap passed up to the agent"));
  }

  public void controlPacket(Verdict verdict) {
    control.get(verdict).increment();
  }

  public double controlCount(Verdict verdict) {
    return control.get(verdict).count();
  }

  /** Keeps one set of per-tunnel meters for exactly the given tunnels. */
  public synchronized void tunnels(Set<Integer> ids) {
    tunnelMeters.entrySet().removeIf(e -> {
      if (ids.contains(e.getKey())) return false;
      e.getValue().forEach(registry::remove);
      return true;
    });
    for (int id : ids) tunnelMeters.computeIfAbsent(id, this::register);
  }

  /** Removes the meters that read this agent's maps (a restarted agent registers its own). */
  public synchronized void close() {
    tunnels(Set.of());
    nodeMeters.forEach(registry::remove);
    nodeMeters.clear();
  }

  private Meter nodeCounter(String name, String tagKey, String tagValue, ToLongFunction<GlobalStats> field, String description) {
    return FunctionCounter.builder(name, this, self -> field.applyAsLong(self.globalSnapshot()))
        .description(description).tag(tagKey, tagValue).register(registry);
  }

  private synchronized GlobalStats globalSnapshot() {
    long now = System.nanoTime();
    if (now - globalSnapshotAt > 1_000_000_000L || globalSnapshotAt == 0) {
      globalSnapshot = globalStats.get();
      globalSnapshotAt = now;
    }
    return globalSnapshot;
  }

  private List<Meter> register(int id) {
    List<Meter> m = new ArrayList<>();
    m.add(counter("epic.tunnel.packets", id, "direction", "tx", TunnelStats::txPackets));
    m.add(counter("epic.tunnel.packets", id, "direction", "rx", TunnelStats::rxPackets));
    m.add(counter("epic.tunnel.bytes", id, "direction", "tx", TunnelStats::txBytes));
    m.add(counter("epic.tunnel.bytes", id, "direction", "rx", TunnelStats::rxBytes));
    m.add(counter("epic.tunnel.drops", id, "reason", "spoofed", TunnelStats::dropSpoofed));
    m.add(counter("epic.tunnel.drops", id, "reason", "mtu", TunnelStats::dropMtu));
    m.add(counter("epic.tunnel.drops", id, "reason", "no_remote", TunnelStats::dropNoRemote));
    m.add(counter("epic.tunnel.errors", id, "direction", "tx", TunnelStats::txErrors));
    m.add(counter("epic.tunnel.errors", id, "direction", "rx", TunnelStats::rxErrors));
    return m;
  }

  private Meter counter(String name, int id, String tagKey, String tagValue, ToLongFunction<TunnelStats> field) {
    return FunctionCounter.builder(name, this, self -> {
          TunnelStats s = self.snapshot().get(id);
          return s == null ? 0 : field.applyAsLong(s);
        })
        .tag("tunnel", Integer.toUnsignedString(id)).tag(tagKey, tagValue).register(registry);
  }

  private synchronized Map<Integer, TunnelStats> snapshot() {
    long now = System.nanoTime();
    if (now - snapshotAt > 1_000_000_000L || snapshotAt == 0) {
      snapshot = stats.get();
      snapshotAt = now;
    }
    return snapshot;
  }
}
