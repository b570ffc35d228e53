package org.epicgateway.projections.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import org.epicgateway.projections.envoy.EnvoyDerivation;
import org.epicgateway.projections.view.GatewayViews;
import org.epicgateway.projections.view.MemoryViewStore;
import org.epicgateway.schemas.EventHashes;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.serde.WireFormat;
import org.junit.jupiter.api.Test;

class RebuildTest {

  private final AuditFixtures fixtures = AuditFixtures.walkthrough();

  @Test
  void aReplayOfTheLogRebuildsTheDecidersStatesAndViewsByteForByte() {
    Rebuild.Projections rebuilt = Rebuild.project(replay());

    assertThat(Rebuild.compareDatums("aggregate-state", rebuilt.aggregateStates(), liveStates())).isEmpty();
    GatewayView live = liveView("gateway/acme/default/shop");
    assertThat(Rebuild.compareDatums("gateway-state", rebuilt.gatewayViews(),
        Map.of("gateway/acme/default/shop", WireFormat.frame(3, live)))).isEmpty();
    assertThat(Rebuild.compareVersions("envoy-config", rebuilt.envoyConfigVersions(),
        Map.of("gateway/acme/default/shop", EnvoyDerivation.derive(live).version()))).isEmpty();
    assertThat(rebuilt.endpointVersions()).hasSize(1);
  }

  @Test
  void aStateTheLogDoesNotProduceIsReported() {
    Map<String, byte[]> live = liveStates();
    AggregateState pool = fixtures.decider.states.get("pool/public");
    live.put("pool/public", WireFormat.frame(3, AggregateState.newBuilder(pool).setVersion(99L).build()));
    live.put("pool/ghost", WireFormat.frame(3, pool));
    live.remove("account/acme");

    assertThat(Rebuild.compareDatums("aggregate-state", Rebuild.project(replay()).aggregateStates(), live))
        .extracting(Rebuild.Mismatch::key, Rebuild.Mismatch::problem)
        .containsExactly(
            tuple("account/acme", "rebuilt only: missing from the live projection"),
            tuple("pool/ghost", "live only: the log does not produce it"),
            tuple("pool/public", "values differ"));
  }

  /**
   * The view as the live projection computes it, from the events in another order than the log's (aggregates in
   * reverse id order, each in sequence), as partitions read at different speeds deliver them.
   */
  private GatewayView liveView(String gatewayId) {
    MemoryViewStore store = new MemoryViewStore();
    fixtures.log.stream()
        .sorted(Comparator.comparing(EventEnvelope::getAggregateId).reversed()
            .thenComparing(EventEnvelope::getSequence))
        .forEach(e -> GatewayViews.apply(store, e, EventHashes.hash(e)));
    return GatewayViews.view(store, gatewayId).orElseThrow();
  }

  private StateAt replay() {
    StateAt world = new StateAt(Instant.MAX);
    fixtures.stored().forEach(world::accept);
    return world;
  }

  private Map<String, byte[]> liveStates() {
    Map<String, byte[]> live = new TreeMap<>();
    fixtures.decider.states.forEach((id, state) -> live.put(id, WireFormat.frame(3, state)));
    return live;
  }
}
