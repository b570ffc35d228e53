package org.epicgateway.projections.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.epicgateway.projections.state.GatewayViews;
import org.epicgateway.schemas.AvroBinary;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.serde.WireFormat;
import org.junit.jupiter.api.Test;

class RebuildTest {

  private final AuditFixtures fixtures = AuditFixtures.walkthrough();

  @Test
  void aReplayOfTheLogRebuildsTheDecidersStatesAndViewsByteForByte() {
    Map<String, Map<String, byte[]>> rebuilt = Rebuild.project(replay());

    assertThat(Rebuild.compare("aggregate-state", rebuilt.get("aggregate-state"), liveStates())).isEmpty();
    Map<String, byte[]> liveViews = new TreeMap<>();
    GatewayViews.view("gateway/acme/default/shop", fixtures.decider)
        .ifPresent(v -> liveViews.put("gateway/acme/default/shop", WireFormat.frame(3, v)));
    assertThat(Rebuild.compare("gateway-state", rebuilt.get("gateway-state"), liveViews)).isEmpty();
  }

  @Test
  void aStateTheLogDoesNotProduceIsReported() {
    Map<String, byte[]> live = liveStates();
    AggregateState pool = fixtures.decider.states.get("pool/public");
    AggregateState tampered = AggregateState.newBuilder(pool).setVersion(99L).build();
    live.put("pool/public", WireFormat.frame(3, tampered));
    live.put("pool/ghost", WireFormat.frame(3, pool));
    live.remove("account/acme");

    assertThat(Rebuild.compare("aggregate-state", Rebuild.project(replay()).get("aggregate-state"), live))
        .extracting(Rebuild.Mismatch::key, Rebuild.Mismatch::problem)
        .containsExactly(
            tuple("account/acme", "rebuilt only: missing from the live projection"),
            tuple("pool/ghost", "live only: the log does not produce it"),
            tuple("pool/public", "values differ (" + AvroBinary.encode(pool).length
                + " bytes rebuilt, " + AvroBinary.encode(tampered).length + " bytes live)"));
  }

  private StateAt replay() {
    StateAt world = new StateAt(Instant.MAX);
    fixtures.log.forEach(world::accept);
    return world;
  }

  private Map<String, byte[]> liveStates() {
    Map<String, byte[]> live = new TreeMap<>();
    fixtures.decider.states.forEach((id, state) -> live.put(id, WireFormat.frame(3, state)));
    return live;
  }
}
