package org.epicgateway.projections.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.epicgateway.infra.Directories;
import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.projections.decider.Commands;
import org.epicgateway.projections.envoytopology.EnvoyProjectionService;
import org.epicgateway.projections.topology.DeciderService;
import org.epicgateway.projections.topology.DeciderTopology;
import org.epicgateway.projections.viewtopology.GatewayViewService;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.CommandResult;
import org.epicgateway.schemas.avro.EndpointAssignment;
import org.epicgateway.schemas.avro.EnvoyConfigSnapshot;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.HttpRouteUpserted;
import org.epicgateway.schemas.console.EventJsonFormatter;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.epicgateway.schemas.serde.AvroSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The audit tools against a real broker, registry and decider. This class runs its own platform, not the shared one:
 * it forges records into epic.events, which every other reader of a shared log would then refuse.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuditOnKafkaTest {

  private static final String ROUTE = "httproute/acme/default/store";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path dir;
  private static EmbeddedPlatform platform;
  private static DeciderService decider;
  private static GatewayViewService views;
  private static EnvoyProjectionService envoy;
  private static SchemaRegistryClient registry;
  private static int eventsWritten;

  @BeforeAll
  static void startPlatformAndWriteTheWalkthrough() throws Exception {
    dir = Files.createTempDirectory("epic-audit-test-");
    platform = EmbeddedPlatform.start(dir);
    registry = new SchemaRegistryClient(platform.schemaRegistryUrl());
    decider = new DeciderService();
    decider.start(platform.context());
    views = new GatewayViewService();
    views.start(platform.context());
    envoy = new EnvoyProjectionService();
    envoy.start(platform.context());
    Commands c = new Commands();
    for (CommandEnvelope command : List.of(c.definePool("public", null, "192.0.2.0/28"),
        c.defineTemplate("web", "public"), c.createAccount("acme"), c.addUser("acme", "alice"),
        c.createGateway("acme", "shop", "web"), c.upsertRoute("acme", "store", "shop"),
        c.upsertSlice("acme", "web-1", "web"), c.upsertRoute("acme", "store", "shop", Commands.rule("/v2", "web", 8080)))) {
      CommandResult result = decider.commandBus().submit(command, Duration.ofSeconds(120)).get();
      assertThat(result.getAccepted()).as("%s: %s", command.getCommandId(), result.getRejection()).isTrue();
      eventsWritten += result.getEventIds().size();
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (envoy != null) {
      envoy.close();
    }
    if (views != null) {
      views.close();
    }
    if (decider != null) {
      decider.close();
    }
    if (platform != null) {
      platform.close();
    }
    Directories.deleteRecursively(dir);
  }

  @Test
  @Order(1)
  void rebuildFromTheLogIsByteIdenticalToTheLiveProjections() throws InterruptedException {
    EventLog log = new EventLog(platform.kafkaClient(), registry);
    StateAt world = new StateAt(Instant.MAX);
    long read = log.readEvents(Progress.silent(), world::accept);
    Rebuild.Projections rebuilt = Rebuild.project(world);

    assertThat(read).isEqualTo(eventsWritten);
    assertThat(rebuilt.aggregateStates()).hasSize(6);
    assertThat(rebuilt.gatewayViews()).containsOnlyKeys("gateway/acme/default/shop");
    assertThat(Rebuild.compareDatums("aggregate-state", rebuilt.aggregateStates(), log.latestValues(DeciderTopology.STORE_CHANGELOG)))
        .isEmpty();
    // The gateway view and Envoy projections run behind the decider: wait for their output to the last change.
    assertThat(awaitDatums(log, Topics.GATEWAY_STATE, rebuilt.gatewayViews())).isEmpty();
    Map<String, String> configs = awaitVersions(log, Topics.ENVOY_CONFIG, EnvoyConfigSnapshot.class,
        EnvoyConfigSnapshot::getVersion, rebuilt.envoyConfigVersions());
    assertThat(configs).containsOnlyKeys("gateway/acme/default/shop");
    assertThat(Rebuild.compareVersions("envoy-config", rebuilt.envoyConfigVersions(), configs)).isEmpty();
    Map<String, String> endpoints = awaitVersions(log, Topics.ENVOY_ENDPOINTS, EndpointAssignment.class,
        EndpointAssignment::getVersion, rebuilt.endpointVersions());
    assertThat(endpoints).hasSize(1);
    assertThat(Rebuild.compareVersions("envoy-endpoints", rebuilt.endpointVersions(), endpoints)).isEmpty();
  }

  @Test
  @Order(2)
  void kafkasOwnConsoleConsumerPrintsEachEventAsJsonThroughOurFormatter() throws Exception {
    List<String> lines = consoleConsumer(eventsWritten);

    assertThat(lines).hasSize(eventsWritten);
    for (String line : lines) {
      String[] keyAndValue = line.split("\t", 2);
      JsonNode event = JSON.readTree(keyAndValue[1]);
      assertThat(event.has("aggregateId")).as("an event in the line %s", line).isTrue();
      assertThat(event.get("aggregateId").asText()).isEqualTo(keyAndValue[0]);
      assertThat(event.get("payload").get("@type").asText()).matches("[A-Z][A-Za-z]+");
      assertThat(event.get("timestamp").asText()).startsWith("2023-11-1");
      assertThat(event.get("previousHash").asText()).hasSize(64);
    }
    assertThat(lines).anySatisfy(line -> assertThat(line).startsWith(ROUTE + "\t")
        .contains("\"@type\":\"HttpRouteUpserted\"").contains("\"value\":\"/v2\"")
        .contains("\"actor\":{\"kind\":\"USER\",\"id\":\"admin\""));
  }

  @Test
  @Order(3)
  void aForgeryThatKeepsTheShaChainFailsVerifyAtItsOffsetAndRebuildCatchesItToo() throws Exception {
    List<LoggedEvent> route = routeEvents();
    LoggedEvent last = route.get(route.size() - 1);
    assertThat(route).allSatisfy(e -> assertThat(e.event().getSeal()).as("the decider seals").isNotNull());
    // Appended as an attacker with write access to the topic would: the right SHA-256 link, but no key to seal.
    RecordMetadata forged = forge(last.event(), last.event().getSequence() + 1, last.storedHash());

    ChainVerifier.Break broken = verify().firstBreak().orElseThrow();
    assertThat(broken.position()).isEqualTo("epic.events-" + forged.partition() + "@" + forged.offset());
    assertThat(broken.aggregateId()).isEqualTo(ROUTE);
    assertThat(broken.sequence()).isEqualTo(last.event().getSequence() + 1);
    assertThat(broken.reason()).isEqualTo("the event is not sealed, but sequence " + last.event().getSequence()
        + " at " + last.position() + " was: it was forged or rewritten without the key");

    EventLog log = new EventLog(platform.kafkaClient(), registry);
    StateAt world = new StateAt(Instant.MAX);
    log.readEvents(Progress.silent(), world::accept);
    assertThat(Rebuild.compareDatums("aggregate-state", Rebuild.project(world).aggregateStates(),
        log.latestValues(DeciderTopology.STORE_CHANGELOG)))
        .singleElement().satisfies(m -> {
          assertThat(m.key()).isEqualTo(ROUTE);
          assertThat(m.problem()).startsWith("values differ");
        });
  }

  /** The live versions of a derived topic, once they equal {@code expected} or 60 s have passed. */
  private static <T extends SpecificRecord> Map<String, String> awaitVersions(EventLog log, String topic,
      Class<T> type, Function<T, String> version, Map<String, String> expected) throws InterruptedException {
    AvroDeserializer<T> values = new AvroDeserializer<>(type, registry);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    Map<String, String> live = new TreeMap<>();
    do {
      live.clear();
      log.latestValues(topic).forEach((k, v) -> live.put(k, version.apply(values.deserialize(topic, v))));
      if (live.equals(expected)) {
        break;
      }
      Thread.sleep(250);
    } while (System.nanoTime() < deadline);
    return live;
  }

  /** The mismatches between the topic's latest values and {@code expected}, once there are none or after 60 s. */
  private static List<Rebuild.Mismatch> awaitDatums(EventLog log, String topic, Map<String, byte[]> expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    List<Rebuild.Mismatch> mismatches;
    do {
      mismatches = Rebuild.compareDatums(topic, expected, log.latestValues(topic));
      if (mismatches.isEmpty()) {
        break;
      }
      Thread.sleep(250);
    } while (System.nanoTime() < deadline);
    return mismatches;
  }

  private static ChainVerifier.Result verify() {
    ChainVerifier verifier = new ChainVerifier(DeciderService.chainKey(platform.context()));
    new EventLog(platform.kafkaClient(), registry).readEvents(Progress.silent(), verifier::check);
    return verifier.result();
  }

  private static List<LoggedEvent> routeEvents() {
    List<LoggedEvent> out = new ArrayList<>();
    new EventLog(platform.kafkaClient(), registry).readEvents(Progress.silent(), e -> {
      if (ROUTE.equals(e.key())) {
        out.add(e);
      }
    });
    return out;
  }

  /** Appends an event as an attacker with write access to the topic would: same key, its own hash chain claim. */
  private static RecordMetadata forge(EventEnvelope model, long sequence, byte[] previousHash) throws Exception {
    HttpRouteUpserted payload = HttpRouteUpserted.newBuilder((HttpRouteUpserted) model.getPayload())
        .setHostnames(List.of("evil.example.com")).build();
    EventEnvelope forged = EventEnvelope.newBuilder(model).setEventId("forged-" + sequence).setSequence(sequence)
        .setPreviousHash(ByteBuffer.wrap(previousHash)).setPayload(payload).setSeal(null).build();
    try (KafkaProducer<String, EventEnvelope> producer = new KafkaProducer<>(
        Map.of("bootstrap.servers", platform.bootstrapServers()), new StringSerializer(),
        new AvroSerializer<>(registry))) {
      return producer.send(new ProducerRecord<>(Topics.EVENTS, model.getAggregateId(), forged)).get();
    }
  }

  /** Runs {@code kafka-console-consumer}'s class from the Kafka tools artifact in a child JVM, as an operator would. */
  private static List<String> consoleConsumer(int maxMessages) throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElseThrow();
    Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        "org.apache.kafka.tools.consumer.ConsoleConsumer",
        "--bootstrap-server", platform.bootstrapServers(), "--topic", Topics.EVENTS, "--from-beginning",
        "--max-messages", String.valueOf(maxMessages), "--timeout-ms", "60000",
        "--formatter", EventJsonFormatter.class.getName(),
        "--formatter-property", "schema.registry.url=" + platform.schemaRegistryUrl())
        .redirectError(dir.resolve("console-consumer.err").toFile())
        .start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(90, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(Files.readString(dir.resolve("console-consumer.err"))).isZero();
    return out.lines().toList();
  }
}
