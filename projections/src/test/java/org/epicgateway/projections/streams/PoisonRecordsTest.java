package org.epicgateway.projections.streams;

import static org.assertj.core.api.Assertions.assertThat;
import java.util.Map;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.epicgateway.infra.Directories;
import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.projections.decider.Commands;
import org.epicgateway.projections.decider.Decision;
import org.epicgateway.projections.decider.MapLookup;
import org.epicgateway.projections.envoytopology.EnvoyTopology;
import org.epicgateway.projections.routecheck.ManifestLoader;
import org.epicgateway.projections.topology.DeciderTopology;
import org.epicgateway.projections.viewtopology.GatewayViewTopology;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.CommandResult;
import org.epicgateway.schemas.avro.EnvoyConfigSnapshot;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.RejectionCode;
import org.epicgateway.schemas.avro.TemplateState;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.epicgateway.schemas.serde.AvroSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every stream of the platform under the configuration {@link StreamsApp} gives it (TopologyTestDriver, the real
 * registry): a record that cannot be deserialised on any consumed topic is skipped, one that fails to decide or
 * derive goes to epic.dlq with the reason, and the next record is processed normally.
 */
class PoisonRecordsTest {

  private static final byte[] GARBAGE = "not avro at all".getBytes(StandardCharsets.UTF_8);

  private final SchemaRegistryClient registry =
      new SchemaRegistryClient(EmbeddedPlatform.sharedForTests().schemaRegistryUrl());
  private final Commands c = new Commands("ttd-poison");
  private final List<TopologyTestDriver> drivers = new ArrayList<>();
  private final List<Path> stateDirs = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (TopologyTestDriver d : drivers) {
      d.close();
    }
    for (Path p : stateDirs) {
      Directories.deleteRecursively(p);
    }
  }

  private TopologyTestDriver driver(String applicationId, Topology topology) throws Exception {
    Path stateDir = Files.createTempDirectory("epic-poison-ttd-");
    stateDirs.add(stateDir);
    Properties config = StreamsApp.config(applicationId, Map.of("bootstrap.servers", "127.0.0.1:1"), stateDir);
    TopologyTestDriver driver = new TopologyTestDriver(topology, config);
    drivers.add(driver);
    return driver;
  }

  private static TestOutputTopic<String, byte[]> deadLetters(TopologyTestDriver driver) {
    return driver.createOutputTopic(Topics.DLQ, new StringDeserializer(), new ByteArrayDeserializer());
  }

  private static String header(TestRecord<?, ?> record, String name) {
    Header h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Test
  void theDeciderSkipsAnUndecodableCommandAndRejectsOneItCannotDecide() throws Exception {
    TopologyTestDriver driver = driver(DeciderTopology.APPLICATION_ID, DeciderTopology.build(registry));
    TestInputTopic<String, byte[]> commands =
        driver.createInputTopic(Topics.COMMANDS, new StringSerializer(), new ByteArraySerializer());
    TestOutputTopic<String, CommandResult> results = driver.createOutputTopic(Topics.COMMAND_RESULTS,
        new StringDeserializer(), new AvroDeserializer<>(CommandResult.class, registry));
    TestOutputTopic<String, byte[]> events =
        driver.createOutputTopic(Topics.EVENTS, new StringDeserializer(), new ByteArrayDeserializer());
    TestOutputTopic<String, byte[]> dlq = deadLetters(driver);
    AvroSerializer<CommandEnvelope> framed = new AvroSerializer<>(registry);

    // Skipped at the source (the dead letter itself is not visible here: TopologyTestDriver drops what a
    // deserialization handler writes; PoisonCommandTest reads it from the real broker).
    commands.pipeInput("account/garbage", GARBAGE);
    assertThat(results.isEmpty()).as("nobody to answer").isTrue();

    // A template whose stored state is not a template (a corrupted store): deciding a gateway on it throws.
    CommandEnvelope account = c.createAccount("acme");
    commands.pipeInput(account.getTargetAggregateId(), framed.serialize(Topics.COMMANDS, account));
    assertThat(results.readValue().getAccepted()).isTrue();
    events.readRecordsToList();
    KeyValueStore<String, AggregateState> store = driver.getKeyValueStore(DeciderTopology.STORE);
    AggregateState accountState = store.get(account.getTargetAggregateId());
    store.put("template/broken", AggregateState.newBuilder(accountState).setAggregateId("template/broken").build());
    CommandEnvelope poison = c.createGateway("acme", "shop", "broken");
    commands.pipeInput(poison.getTargetAggregateId(), framed.serialize(Topics.COMMANDS, poison));

    CommandResult rejected = results.readValue();
    assertThat(rejected.getAccepted()).isFalse();
    assertThat(rejected.getRejection().getCode()).isEqualTo(RejectionCode.UNPROCESSABLE);
    assertThat(rejected.getRejection().getMessage()).startsWith("the decider failed on this command (")
        .contains("ClassCastException").endsWith("; the command changed nothing");
    assertThat(events.isEmpty()).isTrue();
    assertThat(store.get(poison.getTargetAggregateId())).isNull();
    TestRecord<String, byte[]> letter = dlq.readRecord();
    assertThat(new AvroDeserializer<>(CommandEnvelope.class, registry).deserialize(Topics.COMMANDS, letter.value()))
        .isEqualTo(poison);
    assertThat(header(letter, DeadLetters.CODE)).isEqualTo("UNPROCESSABLE");
    assertThat(header(letter, DeadLetters.MESSAGE)).isEqualTo(rejected.getRejection().getMessage());
    assertThat(header(letter, DeadLetters.EXCEPTION)).isEqualTo(ClassCastException.class.getName());
    assertThat(header(letter, GatewayViewTopology.COMMAND_ID_HEADER)).isEqualTo(poison.getCommandId());

    CommandEnvelope next = c.setQuota("acme", 3);
    commands.pipeInput(next.getTargetAggregateId(), framed.serialize(Topics.COMMANDS, next));
    assertThat(results.readValue().getAccepted()).isTrue();
    assertThat(events.readRecordsToList()).hasSize(1);
    assertThat(dlq.isEmpty()).isTrue();
  }

  @Test
  void theGatewayViewProjectionSkipsAnUndecodableEvent() throws Exception {
    TopologyTestDriver driver = driver(GatewayViewTopology.APPLICATION_ID, GatewayViewTopology.build(registry));
    TestInputTopic<String, byte[]> events =
        driver.createInputTopic(Topics.EVENTS, new StringSerializer(), new ByteArraySerializer());
    TestOutputTopic<String, GatewayView> views = driver.createOutputTopic(Topics.GATEWAY_STATE,
        new StringDeserializer(), new AvroDeserializer<>(GatewayView.class, registry));
    TestOutputTopic<String, byte[]> dlq = deadLetters(driver);

    // Events are read as bytes (the fold hashes them), so an undecodable one fails in the processor.
    events.pipeInput("gateway/acme/default/garbage", GARBAGE);
    TestRecord<String, byte[]> letter = dlq.readRecord();
    assertThat(letter.value()).isEqualTo(GARBAGE);
    assertThat(header(letter, DeadLetters.CODE)).isEqualTo("UNPROCESSABLE");
    assertThat(header(letter, DeadLetters.MESSAGE)).contains("magic byte");

    MapLookup decider = new MapLookup();
    AvroSerializer<EventEnvelope> framed = new AvroSerializer<>(registry);
    for (CommandEnvelope command : List.of(c.createAccount("acme"), c.definePool("v4", null, "192.0.2.0/28"),
        c.defineTemplate("standard", "v4"), c.createGateway("acme", "shop", "standard"))) {
      Decision d = decider.submit(command);
      assertThat(d.accepted()).as("%s", d.rejection()).isTrue();
      d.events().forEach(e -> events.pipeInput(e.getAggregateId(), framed.serialize(Topics.EVENTS, e)));
    }
    driver.advanceWallClockTime(Duration.ofMinutes(1)); // the punctuation that builds the folded views
    assertThat(views.readRecord().key()).isEqualTo("gateway/acme/default/shop");
    assertThat(dlq.isEmpty()).isTrue();
  }

  @Test
  void theEnvoyProjectionSkipsAnUndecodableViewAndDeadLettersOneItCannotDerive() throws Exception {
    TopologyTestDriver driver = driver(EnvoyTopology.APPLICATION_ID, EnvoyTopology.build(registry));
    TestInputTopic<String, byte[]> gatewayState =
        driver.createInputTopic(Topics.GATEWAY_STATE, new StringSerializer(), new ByteArraySerializer());
    TestOutputTopic<String, EnvoyConfigSnapshot> configs = driver.createOutputTopic(Topics.ENVOY_CONFIG,
        new StringDeserializer(), new AvroDeserializer<>(EnvoyConfigSnapshot.class, registry));
    TestOutputTopic<String, byte[]> dlq = deadLetters(driver);
    AvroSerializer<GatewayView> framed = new AvroSerializer<>(registry);

    gatewayState.pipeInput("gw", GARBAGE); // skipped at the source, as on epic.commands
    assertThat(configs.isEmpty()).isTrue();

    GatewayView good = ManifestLoader.parse("gw.yaml", """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: ns}
        spec:
          gatewayClassName: epic
          listeners: [{name: http, port: 80, protocol: HTTP}]
        """).get(0);
    GatewayView broken = GatewayView.newBuilder(good).setTemplate(TemplateState.newBuilder().setTemplate("t")
        .setPool("p").setReplicas(1).setShareable(false).setEnvoyBaseConfig("nonsense: {}").build()).build();
    gatewayState.pipeInput(good.getGatewayId(), framed.serialize(Topics.GATEWAY_STATE, broken));
    TestRecord<String, byte[]> letter = dlq.readRecord();
    assertThat(new AvroDeserializer<>(GatewayView.class, registry).deserialize(Topics.GATEWAY_STATE, letter.value()))
        .isEqualTo(broken);
    assertThat(header(letter, DeadLetters.CODE)).isEqualTo("UNPROCESSABLE");
    assertThat(header(letter, DeadLetters.MESSAGE)).contains("unknown section 'nonsense'")
        .endsWith("the gateway keeps its last Envoy configuration");
    assertThat(configs.isEmpty()).isTrue();

    gatewayState.pipeInput(good.getGatewayId(), framed.serialize(Topics.GATEWAY_STATE, good));
    assertThat(configs.readRecord().key()).isEqualTo(good.getGatewayId());
    assertThat(dlq.isEmpty()).isTrue();
  }
}
