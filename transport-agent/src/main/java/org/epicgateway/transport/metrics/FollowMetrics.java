package org.epicgateway.transport.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/** How well an agent follows its node's records: reconcile lag and failed applies. */
public final class FollowMetrics {
  private final MeterRegistry registry;
  private final Timer reconcileLag;

  public FollowMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.reconcileLag = Timer.builder("epic.agent.reconcile.lag")
        .description("from a node record's write to its topic until the node's maps or BGP match it").register(registry);
  }

  /** A record written to its topic at {@code writtenAtMs} is applied at {@code nowMs}. */
  public void reconciled(long writtenAtMs, long nowMs) {
    reconcileLag.record(Duration.ofMillis(Math.max(0, nowMs - writtenAtMs)));
  }

  /** An apply to {@code what} (bpf, bgp) failed; the node keeps its previous state. */
  public void applyFailed(String what) {
    Counter.builder("epic.agent.apply.failures").description("node record applies that failed, by what")
        .tag("what", what).register(registry).increment();
  }
}
