package org.epicgateway.projections.viewtopology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.epicgateway.projections.gatewayapi.Attachments;
import org.epicgateway.projections.decider.Commands;
import org.epicgateway.projections.decider.Decision;
import org.epicgateway.projections.decider.MapLookup;
import org.epicgateway.projections.streams.TestDrivers;
import org.epicgateway.projections.view.GatewayViews;
import org.epicgateway.projections.view.MemoryViewStore;
import org.epicgateway.projections.view.ViewStore;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.LabelSelector;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.UpdateGatewayTemplate;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.epicgateway.schemas.serde.AvroSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway view topology record by record (TopologyTestDriver, RocksDB stores, the repartition by account), fed
 * with events the real decider produced, serialized through the real registry.
 */
class GatewayViewTopologyTest {

  private final Commands c = new Commands("ttd-view");
  private final MapLookup decider = new MapLookup();
  private TestDrivers run;
  private TestInputTopic<String, byte[]> events;
  private TestOutputTopic<String, GatewayView> views;
  private AvroSerializer<EventEnvelope> eventBytes;

  @BeforeEach
  void start() throws Exception {
    SchemaRegistryClient registry = TestDrivers.registry();
    run = TestDrivers.start(GatewayViewTopology.build(registry), GatewayViewTopology.APPLICATION_ID);
    TopologyTestDriver driver = run.driver();
    eventBytes = new AvroSerializer<>(registry);
    events = driver.createInputTopic(Topics.EVENTS, new StringSerializer(), new ByteArraySerializer());
    views = driver.createOutputTopic(Topics.GATEWAY_STATE, new StringDeserializer(),
        new AvroDeserializer<>(GatewayView.class, registry));
    decide(c.createAccount("acme"));
    decide(c.createAccount("other"));
    decide(c.definePool("v4", null, "192.0.2.0/28"));
    decide(c.defineTemplate("standard", "v4"));
  }

  @AfterEach
  void stop() throws Exception {
    run.close();
  }

  /** Decides a command and pipes its events to epic.events as the decider writes them (key aggregate id). */
  private void decide(CommandEnvelope command) {
    Decision d = decider.submit(command);
    assertThat(d.accepted()).as("%s", d.rejection()).isTrue();
    for (EventEnvelope e : d.events()) {
      events.pipeInput(e.getAggregateId(), eventBytes.serialize(Topics.EVENTS, e));
    }
  }

  @Test
  void eachEventEmitsTheViewsOfTheGatewaysItAffectsWithItsCommandId() {
    CommandEnvelope create = c.createGateway("acme", "shop", "standard");
    decide(create);
    TestRecord<String, GatewayView> created = views.readRecord();
    assertThat(created.key()).isEqualTo("gateway/acme/default/shop");
    assertThat(created.value().getTemplate().getTemplate()).isEqualTo("standard");
    assertThat(commandId(created)).isEqualTo(create.getCommandId());
    assertThat(views.isEmpty()).as("accounts, pools and the address allocation make no view").isTrue();

    decide(c.upsertRoute("acme", "web", "shop"));
    CommandEnvelope slice = c.upsertSlice("acme", "web-1", "web");
    decide(slice);
    List<TestRecord<String, GatewayView>> records = views.readRecordsToList();
    assertThat(records).hasSize(2);
    TestRecord<String, GatewayView> last = records.get(1);
    assertThat(last.value().getHttpRoutes()).extracting(r -> r.getName()).containsExactly("web");
    assertThat(last.value().getEndpointSlices()).extracting(s -> s.getName()).containsExactly("web-1");
    assertThat(commandId(last)).isEqualTo(slice.getCommandId());

    decide(c.upsertSlice("acme", "db-1", "db"));
    assertThat(views.isEmpty()).as("a slice no route uses touches no gateway").isTrue();

    decide(c.deleteGateway("acme", "shop"));
    TestRecord<String, GatewayView> tombstone = views.readRecord();
    assertThat(tombstone.key()).isEqualTo("gateway/acme/default/shop");
    assertThat(tombstone.value()).isNull();
  }

  @Test
  void aTemplateChangeReachesTheGatewaysOfEveryAccount() {
    decide(c.createGateway("acme", "shop", "standard"));
    decide(c.createGateway("other", "shop", "standard"));
    views.readRecordsToList();

    decide(c.envelope("template/standard", null, UpdateGatewayTemplate.newBuilder().setTemplate("standard")
        .setPool("v4").setReplicas(3).setShareable(false).setEnvoyBaseConfig("{}").build()));
    Map<String, GatewayView> latest = new TreeMap<>(views.readKeyValuesToMap());
    assertThat(latest).containsOnlyKeys("gateway/acme/default/shop", "gateway/other/default/shop");
    assertThat(latest.values()).allSatisfy(v -> assertThat(v.getTemplate().getReplicas()).isEqualTo(3));
  }

  @Test
  void theViewsAreThoseOfThePureProjection() {
    decide(c.createGateway("acme", "shop", "standard"));
    decide(c.upsertRoute("acme", "web", "shop"));
    decide(c.upsertSlice("acme", "web-1", "web"));
    decide(c.upsertRoute("acme", "api", "shop", Commands.rule("/api", "api", 8080)));
    decide(c.upsertSlice("acme", "api-1", "api"));
    GatewayView last = views.readKeyValuesToMap().get("gateway/acme/default/shop");

    MemoryViewStore store = new MemoryViewStore();
    decider.states.values().forEach(s -> {
      if (GatewayViews.partOfViews(s.getAggregateId())) {
        GatewayViews.update(store, s);
      }
    });
    assertThat(last).isEqualTo(GatewayViews.view(store, "gateway/acme/default/shop")
        .orElseThrow());
    assertThat(last.getEndpointSlices()).extracting(s -> s.getName()).containsExactly("api-1", "web-1");
  }

  /**
   * A deployment from before the routes-by-namespace index restores its states and older indexes but not that index
   * (its store is new); the first event after the upgrade fills it from the states, so relabelling a namespace reaches
   * the gateways selecting by label whose routes were created before.
   */
  @Test
  void anIndexNewSinceTheStatesWereStoredIsFilledFromThemSoARelabelReDerivesOlderRoutesGateways() throws Exception {
    LabelSelector teamA = new LabelSelector(new TreeMap<>(Map.of("team", "a")), List.of());
    MapLookup before = new MapLookup();
    for (CommandEnvelope command : List.of(c.createAccount("acme"), c.definePool("v4", null, "192.0.2.0/28"),
        c.defineTemplate("standard", "v4"), c.createGateway("acme", "shop", "standard"),
        c.updateGateway("acme", "shop", Commands.selecting("web", 80, teamA)),
        c.upsertRouteIn("acme", "apps", "web", "shop"))) {
      assertThat(before.submit(command).accepted()).isTrue();
    }
    try (TestDrivers upgraded = TestDrivers.start(GatewayViewTopology.build(TestDrivers.registry()),
        GatewayViewTopology.APPLICATION_ID)) {
      TopologyTestDriver driver = upgraded.driver();
      KeyValueStore<String, AggregateState> states = driver.getKeyValueStore(GatewayViewTopology.STATES);
      Map<ViewStore.Index, KeyValueStore<String, String>> indexes = new EnumMap<>(ViewStore.Index.class);
      GatewayViewTopology.INDEX_STORES.forEach((index, name) -> indexes.put(index, driver.getKeyValueStore(name)));
      StoreViewStore old = new StoreViewStore(states, indexes);
      before.states.values().stream().filter(s -> GatewayViews.partOfViews(s.getAggregateId()))
          .forEach(s -> GatewayViews.update(old, s));
      KeyValueStore<String, String> routesByNamespace = indexes.get(ViewStore.Index.ROUTES_BY_NAMESPACE);
      List<String> entries = new ArrayList<>();
      routesByNamespace.all().forEachRemaining(kv -> entries.add(kv.key));
      assertThat(entries).containsExactly("acme/apps|httproute/acme/apps/web");
      entries.forEach(routesByNamespace::delete);

      Decision relabel = before.submit(c.upsertNamespace("acme", "apps", Map.of("team", "a")));
      TestInputTopic<String, byte[]> input = driver.createInputTopic(Topics.EVENTS, new StringSerializer(),
          new ByteArraySerializer());
      relabel.events().forEach(e -> input.pipeInput(e.getAggregateId(), eventBytes.serialize(Topics.EVENTS, e)));
      Map<String, GatewayView> derived = driver.createOutputTopic(Topics.GATEWAY_STATE, new StringDeserializer(),
          new AvroDeserializer<>(GatewayView.class, TestDrivers.registry())).readKeyValuesToMap();
      assertThat(derived).containsOnlyKeys("gateway/acme/default/shop");
      assertThat(derived.get("gateway/acme/default/shop").getNamespaces())
          .extracting(n -> n.getName() + "=" + n.getLabels()).containsExactly("apps={team=a}");
      assertThat(Attachments.of(derived.get("gateway/acme/default/shop")).parents())
          .extracting(Attachments.Parent::reason).containsExactly("Accepted");
    }
  }

  private static String commandId(TestRecord<String, GatewayView> record) {
    return new String(record.headers().lastHeader(GatewayViewTopology.COMMAND_ID_HEADER).value(),
        StandardCharsets.UTF_8);
  }
}
