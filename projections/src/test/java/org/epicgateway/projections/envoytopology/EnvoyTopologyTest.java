package org.epicgateway.projections.envoytopology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.epicgateway.projections.decider.Commands;
import org.epicgateway.projections.decider.Decision;
import org.epicgateway.projections.decider.MapLookup;
import org.epicgateway.projections.envoy.EndpointDerivation;
import org.epicgateway.projections.envoy.EnvoyDerivation;
import org.epicgateway.projections.envoy.EnvoyRecords;
import org.epicgateway.projections.streams.TestDrivers;
import org.epicgateway.projections.view.GatewayViews;
import org.epicgateway.projections.view.MemoryViewStore;
import org.epicgateway.projections.viewtopology.GatewayViewTopology;
import org.epicgateway.schemas.EventHashes;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.EndpointAssignment;
import org.epicgateway.schemas.avro.EnvoyConfigSnapshot;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.epicgateway.schemas.serde.AvroSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Envoy projection record by record (TopologyTestDriver): views made by the real decider and the gateway view
 * code in; the derivation's records out, with the view's command id; unchanged inputs skipped, an endpoint-only change
 * publishes EDS alone.
 */
class EnvoyTopologyTest {

  private static final String SHOP = "gateway/acme/default/shop";

  private final Commands c = new Commands("ttd-envoy");
  private final MapLookup decider = new MapLookup();
  private final MemoryViewStore views = new MemoryViewStore();
  private TestDrivers run;
  private TestInputTopic<String, GatewayView> gatewayState;
  private TestOutputTopic<String, EnvoyConfigSnapshot> configs;
  private TestOutputTopic<String, EndpointAssignment> endpoints;

  @BeforeEach
  void start() throws Exception {
    SchemaRegistryClient registry = TestDrivers.registry();
    run = TestDrivers.start(EnvoyTopology.build(registry), EnvoyTopology.APPLICATION_ID);
    gatewayState = run.driver().createInputTopic(Topics.GATEWAY_STATE, new StringSerializer(),
        new AvroSerializer<GatewayView>(registry));
    configs = run.driver().createOutputTopic(Topics.ENVOY_CONFIG, new StringDeserializer(),
        new AvroDeserializer<>(EnvoyConfigSnapshot.class, registry));
    endpoints = run.driver().createOutputTopic(Topics.ENVOY_ENDPOINTS, new StringDeserializer(),
        new AvroDeserializer<>(EndpointAssignment.class, registry));
    for (CommandEnvelope command : List.of(c.definePool("v4", null, "192.0.2.0/28"),
        c.defineTemplate("standard", "v4"), c.createAccount("acme"), c.createGateway("acme", "shop", "standard"),
        c.upsertRoute("acme", "web", "shop"), c.upsertSlice("acme", "web-1", "web"))) {
      decide(command);
    }
  }

  @AfterEach
  void stop() throws Exception {
    run.close();
  }

  private void decide(CommandEnvelope command) {
    Decision d = decider.submit(command);
    assertThat(d.accepted()).as("%s", d.rejection()).isTrue();
    d.events().forEach(e -> GatewayViews.apply(views, e, EventHashes.hash(e)));
  }

  private GatewayView shop() {
    return GatewayViews.view(views, SHOP).orElseThrow();
  }

  /** A view as the view projection writes it: one command-id header per command it covers. */
  private void publish(GatewayView view, String... commandIds) {
    RecordHeaders headers = new RecordHeaders();
    for (String id : commandIds) {
      headers.add(GatewayViewTopology.COMMAND_ID_HEADER, id.getBytes(StandardCharsets.UTF_8));
    }
    gatewayState.pipeInput(new TestRecord<>(SHOP, view, headers));
  }

  @Test
  void aViewBecomesItsDerivedConfigAndEndpointsCreditedToItsCommand() {
    GatewayView view = shop();
    publish(view, "cmd-1");

    TestRecord<String, EnvoyConfigSnapshot> config = configs.readRecord();
    assertThat(config.key()).isEqualTo(SHOP);
    assertThat(config.value()).isEqualTo(EnvoyRecords.config(EnvoyDerivation.derive(view), List.of("cmd-1")));
    Map<String, EndpointAssignment> eds = endpoints.readKeyValuesToMap();
    assertThat(eds).hasSize(1);
    EndpointDerivation.deriveEndpoints(view).forEach((cluster, assignment) ->
        assertThat(eds.get(cluster)).isEqualTo(EnvoyRecords.endpoints(assignment, List.of("cmd-1"))));

    publish(view, "cmd-2");
    assertThat(configs.isEmpty()).as("the same view derives nothing new").isTrue();
    assertThat(endpoints.isEmpty()).isTrue();
  }

  @Test
  void anEndpointChangePublishesOnlyTheClustersEndpoints() {
    publish(shop(), "cmd-1");
    configs.readRecordsToList();
    endpoints.readRecordsToList();

    decide(c.upsertSlice("acme", "web-1", "web", Commands.endpoint("10.1.0.9", "198.51.100.7")));
    publish(shop(), "cmd-2");
    assertThat(configs.isEmpty()).as("listeners, routes and clusters are not derived again").isTrue();
    EndpointAssignment changed = endpoints.readValue();
    assertThat(changed.getSourceCommandIds()).containsExactly("cmd-2");
    assertThat(endpoints.isEmpty()).isTrue();
  }

  @Test
  void aViewCoveringSeveralCommandsCreditsEachOfThemInWhatItChanges() {
    publish(shop(), "cmd-1");
    configs.readRecordsToList();
    endpoints.readRecordsToList();

    decide(c.upsertRoute("acme", "web", "shop", Commands.rule("/v2", "web", 8080)));
    decide(c.upsertSlice("acme", "web-1", "web", Commands.endpoint("10.1.0.9", "198.51.100.7")));
    publish(shop(), "cmd-2", "cmd-3");
    assertThat(configs.readValue().getSourceCommandIds()).containsExactly("cmd-2", "cmd-3");
    assertThat(endpoints.readValue().getSourceCommandIds()).containsExactly("cmd-2", "cmd-3");
    assertThat(configs.isEmpty()).isTrue();
    assertThat(endpoints.isEmpty()).isTrue();
  }

  @Test
  void aRouteChangeRederivesAndATombstoneRemovesTheConfig() {
    publish(shop(), "cmd-1");
    String first = configs.readValue().getVersion();

    decide(c.upsertRoute("acme", "web", "shop", Commands.rule("/v2", "web", 8080)));
    publish(shop(), "cmd-2");
    EnvoyConfigSnapshot second = configs.readValue();
    assertThat(second.getVersion()).isNotEqualTo(first);
    assertThat(second.getSourceCommandIds()).containsExactly("cmd-2");

    gatewayState.pipeInput(SHOP, null);
    TestRecord<String, EnvoyConfigSnapshot> tombstone = configs.readRecord();
    assertThat(tombstone.key()).isEqualTo(SHOP);
    assertThat(tombstone.value()).isNull();
  }
}
