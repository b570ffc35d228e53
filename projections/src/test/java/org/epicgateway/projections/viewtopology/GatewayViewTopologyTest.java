package org.epicgateway.projections.viewtopology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
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
import org.epicgateway.projections.streams.DeadLetters;
import org.epicgateway.projections.streams.TestDrivers;
import org.epicgateway.projections.view.GatewayViews;
import org.epicgateway.projections.view.MemoryViewStore;
import org.epicgateway.projections.view.ViewStore;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.LabelSelector;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.Endpoint;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.UpdateGatewayTemplate;
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
  private ViewTopologyRun view;
  private MapLookup decider;
  private TestDrivers run;
  private TestOutputTopic<String, GatewayView> views;
  private AvroSerializer<EventEnvelope> eventBytes;

  @BeforeEach
  void start() throws Exception {
    view = new ViewTopologyRun();
    decider = view.decider;
    run = view.run;
    views = view.views;
    eventBytes = view.eventBytes;
    decide(c.createAccount("acme"));
    decide(c.createAccount("other"));
    decide(c.definePool("v4", null, "192.0.2.0/28"));
    decide(c.defineTemplate("standard", "v4"));
  }

  @AfterEach
  void stop() throws Exception {
    view.close();
  }

  /**
   * Decides a command, pipes its events to epic.events as the decider writes them (key aggregate id) and lets the
   * projection build the views they left pending.
   */
  private void decide(CommandEnvelope command) {
    fold(command);
    build(run.driver());
  }

  /** Decides a command and pipes its events, as in one batch with whatever else is piped before the next build. */
  private void fold(CommandEnvelope command) {
    view.fold(command);
  }

  /**
   * Advances the driver's wall clock past any wait after the previous builds (as long as they took, in real time), so
   * the punctuation builds what is pending, as Streams does after a batch.
   */
  private static void build(TopologyTestDriver driver) {
    driver.advanceWallClockTime(Duration.ofMinutes(1));
  }

  @Test
  void aCommandEmitsTheViewsOfTheGatewaysItAffectsWithItsCommandId() {
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
      build(driver);
      Map<String, GatewayView> derived = driver.createOutputTopic(Topics.GATEWAY_STATE, new StringDeserializer(),
          new AvroDeserializer<>(GatewayView.class, TestDrivers.registry())).readKeyValuesToMap();
      assertThat(derived).containsOnlyKeys("gateway/acme/default/shop");
      assertThat(derived.get("gateway/acme/default/shop").getNamespaces())
          .extracting(n -> n.getName() + "=" + n.getLabels()).containsExactly("apps={team=a}");
      assertThat(Attachments.of(derived.get("gateway/acme/default/shop")).parents())
          .extracting(Attachments.Parent::reason).containsExactly("Accepted");
    }
  }

  @Test
  void eventsOfOneGatewayFoldedInOneBatchAreOneViewCarryingEveryCommandId() {
    decide(c.createGateway("acme", "shop", "standard"));
    decide(c.upsertRoute("acme", "web", "shop"));
    decide(c.upsertRoute("acme", "api", "shop", Commands.rule("/api", "api", 8080)));
    views.readRecordsToList();

    List<CommandEnvelope> batch = List.of(c.upsertSlice("acme", "web-1", "web"), c.upsertSlice("acme", "api-1", "api"),
        c.upsertSlice("acme", "web-2", "web"), c.upsertSlice("acme", "db-1", "db"));
    batch.forEach(this::fold);
    assertThat(views.isEmpty()).as("folded, not built yet").isTrue();
    build(run.driver());

    List<TestRecord<String, GatewayView>> built = views.readRecordsToList();
    assertThat(built).hasSize(1);
    assertThat(built.get(0).value().getEndpointSlices()).extracting(s -> s.getName())
        .containsExactly("api-1", "web-1", "web-2");
    assertThat(commandIds(built.get(0))).as("every command whose events it shows first, in folding order; not the "
        + "slice no route uses").containsExactly(batch.get(0).getCommandId(), batch.get(1).getCommandId(),
        batch.get(2).getCommandId());
    build(run.driver());
    assertThat(views.isEmpty()).as("built once").isTrue();
  }

  @Test
  void aGatewayWithTheMostCommandIdsAViewCarriesIsBuiltWithoutWaiting() {
    decide(c.createGateway("acme", "shop", "standard"));
    decide(c.upsertRoute("acme", "web", "shop"));
    views.readRecordsToList();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i <= GatewayViewProcessor.MAX_COMMAND_IDS; i++) {
      CommandEnvelope slice = c.upsertSlice("acme", "web-" + i, "web");
      ids.add(slice.getCommandId());
      fold(slice);
    }
    List<TestRecord<String, GatewayView>> built = views.readRecordsToList();
    assertThat(built).as("built by the event that made the ids as many as a view carries").hasSize(1);
    assertThat(commandIds(built.get(0)))
        .containsExactlyElementsOf(ids.subList(0, GatewayViewProcessor.MAX_COMMAND_IDS));
    build(run.driver());
    assertThat(commandIds(views.readRecord())).as("the rest at the next build").containsExactly(ids.getLast());
  }

  /** Folded but not built when the task stopped: the pending marks are restored with the stores and built then. */
  @Test
  void viewsFoldedButNotBuiltAreBuiltAfterARestart() throws Exception {
    decide(c.createGateway("acme", "shop", "standard"));
    decide(c.upsertRoute("acme", "web", "shop"));
    views.readRecordsToList();
    CommandEnvelope first = c.upsertSlice("acme", "web-1", "web");
    CommandEnvelope second = c.upsertSlice("acme", "web-2", "web");
    fold(first);
    fold(second);
    assertThat(views.isEmpty()).isTrue();

    TopologyTestDriver restarted = run.restart(GatewayViewTopology.build(TestDrivers.registry()));
    TestOutputTopic<String, GatewayView> after = restarted.createOutputTopic(Topics.GATEWAY_STATE,
        new StringDeserializer(), new AvroDeserializer<>(GatewayView.class, TestDrivers.registry()));
    build(restarted);
    List<TestRecord<String, GatewayView>> built = after.readRecordsToList();
    assertThat(built).hasSize(1);
    assertThat(built.get(0).value().getEndpointSlices()).extracting(s -> s.getName())
        .containsExactly("web-1", "web-2");
    assertThat(commandIds(built.get(0))).containsExactly(first.getCommandId(), second.getCommandId());
  }

  /**
   * Three slices that each fit a record and together make a view that does not: the view is not written, one dead
   * letter keyed by the gateway names the reason and carries the commands it covered, and the gateway's next view
   * that fits is written again.
   */
  @Test
  void aCoalescedViewTooLargeForARecordIsOneDeadLetterWithItsCommandIds() {
    decide(c.createGateway("acme", "shop", "standard"));
    decide(c.upsertRoute("acme", "web", "shop"));
    views.readRecordsToList();
    TestOutputTopic<String, byte[]> dlq = run.driver().createOutputTopic(Topics.DLQ, new StringDeserializer(),
        new ByteArrayDeserializer());
    List<CommandEnvelope> large = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      Endpoint endpoint = Commands.endpoint("10.1.0." + i, "198.51.100.7");
      endpoint.setZone("z".repeat(Topics.MAX_RECORD_BYTES / 3));
      large.add(c.upsertSlice("acme", "web-" + i, "web", endpoint));
    }
    large.forEach(this::fold);
    build(run.driver());

    assertThat(views.isEmpty()).as("the gateway keeps its last view").isTrue();
    TestRecord<String, byte[]> letter = dlq.readRecord();
    assertThat(letter.key()).isEqualTo("gateway/acme/default/shop");
    assertThat(letter.value()).isNull();
    assertThat(header(letter, DeadLetters.CODE)).isEqualTo("TOO_LARGE");
    assertThat(header(letter, DeadLetters.MESSAGE)).startsWith("the gateway view of gateway/acme/default/shop would be")
        .endsWith("; gateway/acme/default/shop keeps its last view");
    assertThat(headers(letter.headers(), GatewayViewTopology.COMMAND_ID_HEADER))
        .containsExactlyElementsOf(large.stream().map(CommandEnvelope::getCommandId).toList());
    assertThat(dlq.isEmpty()).isTrue();

    CommandEnvelope smaller = c.upsertSlice("acme", "web-3", "web");
    decide(smaller);
    TestRecord<String, GatewayView> fits = views.readRecord();
    assertThat(fits.value().getEndpointSlices()).extracting(s -> s.getName()).containsExactly("web-1", "web-2",
        "web-3");
    assertThat(commandIds(fits)).containsExactly(smaller.getCommandId());
  }

  /** A build that throws (here a corrupted store) has no input record to skip: it is dead-lettered, and builds go on. */
  @Test
  void aViewThatCannotBeBuiltIsADeadLetterAndTheNextBuildsGoOn() {
    decide(c.createGateway("acme", "shop", "standard"));
    decide(c.upsertRoute("acme", "web", "shop"));
    views.readRecordsToList();
    TestOutputTopic<String, byte[]> dlq = run.driver().createOutputTopic(Topics.DLQ, new StringDeserializer(),
        new ByteArrayDeserializer());
    KeyValueStore<String, AggregateState> states = run.driver().getKeyValueStore(GatewayViewTopology.STATES);
    AggregateState template = states.get("template/standard");
    states.put("template/standard", AggregateState.newBuilder(states.get("gateway/acme/default/shop"))
        .setAggregateId("template/standard").build());
    CommandEnvelope slice = c.upsertSlice("acme", "web-1", "web");
    decide(slice);

    assertThat(views.isEmpty()).isTrue();
    TestRecord<String, byte[]> letter = dlq.readRecord();
    assertThat(letter.key()).isEqualTo("gateway/acme/default/shop");
    assertThat(header(letter, DeadLetters.CODE)).isEqualTo("UNPROCESSABLE");
    assertThat(header(letter, DeadLetters.MESSAGE))
        .startsWith("the gateway view of gateway/acme/default/shop could not be built (java.lang.ClassCastException");
    assertThat(headers(letter.headers(), GatewayViewTopology.COMMAND_ID_HEADER)).containsExactly(slice.getCommandId());

    states.put("template/standard", template);
    CommandEnvelope next = c.upsertSlice("acme", "web-2", "web");
    decide(next);
    assertThat(commandIds(views.readRecord())).containsExactly(next.getCommandId());
    assertThat(dlq.isEmpty()).isTrue();
  }

  private static List<String> commandIds(TestRecord<String, GatewayView> record) {
    return headers(record.headers(), GatewayViewTopology.COMMAND_ID_HEADER);
  }

  private static List<String> headers(Headers headers, String name) {
    List<String> values = new ArrayList<>();
    headers.headers(name).forEach(h -> values.add(new String(h.value(), StandardCharsets.UTF_8)));
    return values;
  }

  private static String header(TestRecord<String, byte[]> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  private static String commandId(TestRecord<String, GatewayView> record) {
    return new String(record.headers().lastHeader(GatewayViewTopology.COMMAND_ID_HEADER).value(),
        StandardCharsets.UTF_8);
  }
}
