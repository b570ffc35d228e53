package org.epicgateway.projections.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.stream.StreamSupport;
import org.epicgateway.projections.decider.Commands;
import org.junit.jupiter.api.Test;

/** Replay and diff over a log the real decider wrote: command n is stamped T0 + n seconds. */
class TimeTravelTest {

  private static final Instant T0 = Instant.ofEpochMilli(1_700_000_000_000L);

  private final AuditFixtures fixtures = AuditFixtures.walkthrough();

  @Test
  void replayShowsTheWorldAndItsEnvoyConfigAsTheyWere() {
    StateAt world = fold(T0.plusMillis(5_500)); // after cmd-5 (the gateway), before cmd-6 (its route)

    ObjectNode snapshot = Replay.snapshot(world, AuditScope.of("acme", null));

    assertThat(ids(snapshot.get("aggregates"))).containsExactly("account/acme", "gateway/acme/default/shop");
    JsonNode gateway = snapshot.get("aggregates").get(1);
    assertThat(gateway.get("resource").get("address").asText()).isEqualTo("192.0.2.1");
    JsonNode envoy = snapshot.get("gateways").get(0);
    assertThat(envoy.get("gatewayId").asText()).isEqualTo("gateway/acme/default/shop");
    assertThat(envoy.get("envoy").get("listeners")).hasSize(1);
    assertThat(envoy.get("envoy").get("clusters")).isEmpty(); // no route yet, so no backend cluster

    StateAt later = fold(T0.plusMillis(7_500));
    JsonNode envoyLater = Replay.snapshot(later, AuditScope.of(null, "acme/shop")).get("gateways").get(0);
    assertThat(envoyLater.get("envoy").get("clusters")).hasSize(1);
    assertThat(envoyLater.get("envoyVersion").asText()).isNotEqualTo(envoy.get("envoyVersion").asText());
  }

  @Test
  void aGatewayScopeCoversItsRoutesAndSlicesOnly() {
    fixtures.submit(fixtures.commands.createAccount("other"));

    ObjectNode snapshot = Replay.snapshot(fold(T0.plusSeconds(60)), AuditScope.of(null, "acme/default/shop"));

    assertThat(ids(snapshot.get("aggregates"))).containsExactly("endpointslice/acme/default/web-1",
        "gateway/acme/default/shop", "httproute/acme/default/store");
  }

  @Test
  void diffSaysWhatChangedFieldByFieldAndWhichCommandDidIt() {
    fixtures.submit(fixtures.commands.upsertRoute("acme", "store", "shop", Commands.rule("/v2", "web", 8080)));
    Diff diff = new Diff(T0.plusMillis(6_500), T0.plusMillis(8_500));
    fixtures.stored().forEach(diff::accept);

    List<Diff.Change> changes = diff.changes(AuditScope.of(null, "acme/shop"));

    assertThat(changes).extracting(Diff.Change::aggregateId, Diff.Change::change)
        .containsExactly(tuple("endpointslice/acme/default/web-1", "created"),
            tuple("httproute/acme/default/store", "changed"));
    Diff.Change route = changes.get(1);
    assertThat(route.fromVersion()).isEqualTo(1);
    assertThat(route.toVersion()).isEqualTo(2);
    assertThat(route.fields()).singleElement().satisfies(f -> {
      assertThat(f.path()).isEqualTo("rules[0].matches[0].path.value");
      assertThat(f.before().asText()).isEqualTo("/");
      assertThat(f.after().asText()).isEqualTo("/v2");
    });
    assertThat(route.causes()).singleElement().satisfies(c -> {
      assertThat(c.commandId()).isEqualTo("cmd-8");
      assertThat(c.actor()).isEqualTo("USER:admin");
      assertThat(c.event()).isEqualTo("HttpRouteUpserted");
    });
  }

  @Test
  void aDiffBackwardsInTimeIsRefused() {
    assertThatThrownBy(() -> new Diff(T0.plusSeconds(2), T0.plusSeconds(1)))
        .hasMessageContaining("--to").hasMessageContaining("must be after --from");
  }

  private StateAt fold(Instant at) {
    StateAt world = new StateAt(at);
    fixtures.stored().forEach(world::accept);
    return world;
  }

  private static List<String> ids(JsonNode aggregates) {
    return StreamSupport.stream(aggregates.spliterator(), false)
        .map(a -> a.get("aggregateId").asText()).toList();
  }
}
