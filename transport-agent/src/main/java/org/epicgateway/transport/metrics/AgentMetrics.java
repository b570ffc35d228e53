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
import org.epicgateway.transport.maps.EpicMaps.TunnelStats;

/**
 * The agent's Micrometer meters: control packets by verdict, and per-tunnel packets, bytes and drops read from
 * the per-CPU epic_tun_stats map (one map walk per second at most, however many meters a scrape reads).
 */
public final class AgentMetrics {
  private final MeterRegistry registry;
  private final Map<Verdict, Counter> control = new EnumMap<>(Verdict.class);
  private final Map<Integer, List<Meter>> tunnelMeters = new HashMap<>();
  private final Supplier<Map<Integer, TunnelStats>> stats;
  private Map<Integer, TunnelStats> snapshot = Map.of();
  private long snapshotAt;

  public AgentMetrics(MeterRegistry registry, Supplier<Map<Integer, TunnelStats>> stats) {
    this.registry = registry;
    this.stats = stats;
    for (Verdict v : Verdict.values()) {
      control.put(v, Counter.builder("epic.control.packets").description("GUE control packets received, by verdict")
          .tag("result", v.name().toLowerCase()).register(registry));
    }
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

  /** Removes the per-tunnel meters, which read this agent's maps (a restarted agent registers its own). */
  public synchronized void close() {
    tunnels(Set.of());
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
