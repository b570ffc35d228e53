package org.epicgateway.projections.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.epicgateway.schemas.AggregateIds;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.EventHashes;
import org.epicgateway.schemas.avro.Actor;
import org.epicgateway.schemas.avro.ActorKind;
import org.epicgateway.schemas.avro.ConfigApplied;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.GatewayConfigState;
import org.junit.jupiter.api.Test;

/** The xds-projector's reports, decided into chained events of the gatewayconfig aggregate, fold like any other. */
class StateAtObservationsTest {
  @Test
  void configReportsFoldIntoTheChainHeadOfTheirAggregate() {
    EventEnvelope applied = EventEnvelope.newBuilder()
        .setEventId("e-1").setAggregateType(AggregateType.GATEWAY_CONFIG.prefix())
        .setAggregateId(AggregateIds.gatewayConfig("acme", "default", "web")).setSequence(1)
        .setTimestamp(Instant.parse("2026-01-01T00:00:00Z")).setAccount("acme")
        .setActor(new Actor(ActorKind.AGENT, "xds-projector", null)).setCorrelationId("revision/abc")
        .setCausationId(null).setPreviousHash(EventHashes.genesis())
        .setPayload(new ConfigApplied("gateway/acme/default/web", "gateway/acme/default/web~envoy-0", "abc",
            List.of("cmd-1")))
        .build();
    StateAt world = new StateAt(Instant.parse("2026-02-01T00:00:00Z"));
    world.accept(new LoggedEvent(0, 0, applied.getAggregateId(), new byte[5], applied, null));
    assertThat(world.states()).containsOnlyKeys(applied.getAggregateId());
    assertThat(world.states().get(applied.getAggregateId()).getResource())
        .isEqualTo(new GatewayConfigState("gateway/acme/default/web"));
    assertThat(world.eventsFolded()).isEqualTo(1);
  }
}
