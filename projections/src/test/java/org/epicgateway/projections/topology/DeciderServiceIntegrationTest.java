package org.epicgateway.projections.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.epicgateway.infra.Directories;
import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.projections.decider.Commands;
import org.epicgateway.projections.state.Fold;
import org.epicgateway.projections.streams.PolledInput;
import org.epicgateway.projections.streams.StreamsApp;
import org.epicgateway.projections.viewtopology.GatewayViewService;
import org.epicgateway.projections.viewtopology.GatewayViewTopology;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.CommandResult;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.GatewayState;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.RejectionCode;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The decider on the real in-process broker and the real Apicurio registry: commands through the {@link CommandBus},
 * events on epic.events, views on epic.gateway-state (from the gateway view projection, fed by the events), reads
 * through {@link AggregateQueries}.
 */
class DeciderServiceIntegrationTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);

  private static EmbeddedPlatform platform;
  private static DeciderService decider;
  private static GatewayViewService views;
  /** Names unique to this run: the shared platform's topics outlive a single test class. */
  private static final java.util.concurrent.atomic.AtomicInteger POOLS = new java.util.concurrent.atomic.AtomicInteger();
  private static final Map<String, String> FIRST_ADDRESS = new java.util.concurrent.ConcurrentHashMap<>();
  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

  private final Commands c = new Commands("it-" + UUID.randomUUID());

  @BeforeAll
  static void start() throws Exception {
    platform = EmbeddedPlatform.sharedForTests();
    decider = new DeciderService();
    decider.start(platform.context());
    views = new GatewayViewService();
    views.start(platform.context());
  }

  @AfterAll
  static void stop() throws Exception {
    views.close();
    decider.close();
  }

  private static CommandResult submit(CommandEnvelope command) throws Exception {
    return decider.commandBus().submit(command, TIMEOUT).get();
  }

  private static CommandResult accept(CommandEnvelope command) throws Exception {
    CommandResult result = submit(command);
    assertThat(result.getRejection()).as("rejection of %s", command.getPayload()).isNull();
    assertThat(result.getAccepted()).isTrue();
    return result;
  }

  /** An account, pool and template of this test's own, so tests sharing the platform do not collide. */
  private String platformFor(String test) throws Exception {
    String account = "acct-" + RUN + "-" + test;
    accept(c.createAccount(account));
    // Pools may not overlap, so each test's pool gets its own /30.
    int base = 4 * POOLS.getAndIncrement();
    accept(c.definePool("pool-" + RUN + "-" + test, null, "192.0.2." + base + "/30"));
    FIRST_ADDRESS.put(test, "192.0.2." + (base + 1));
    accept(c.defineTemplate("tmpl-" + RUN + "-" + test, "pool-" + RUN + "-" + test));
    return account;
  }

  @Test
  void aCommandBecomesAnEventStateAndGatewayView() throws Exception {
    String account = platformFor("flow");
    String template = "tmpl-" + RUN + "-flow";
    CommandEnvelope create = c.createGateway(account, "shop", template);
    CommandResult created = accept(create);
    String gatewayId = create.getTargetAggregateId();
    assertThat(created.getAggregateId()).isEqualTo(gatewayId);
    assertThat(created.getVersion()).isEqualTo(1L);
    assertThat(created.getEventIds()).hasSize(2);

    // Read-your-write: the store has the new version as soon as submit returns.
    AggregateState state = decider.queries().get(gatewayId).orElseThrow();
    assertThat(state.getVersion()).isEqualTo(1L);
    assertThat(((GatewayState) state.getResource()).getAddress()).isEqualTo(FIRST_ADDRESS.get("flow"));

    List<EventEnvelope> events = eventsOf(gatewayId);
    assertThat(events).extracting(EventEnvelope::getEventId).containsExactly(created.getEventIds().get(1));
    assertThat(events.get(0).getCorrelationId()).isEqualTo(create.getCommandId());

    CommandEnvelope route = c.upsertRoute(account, "web", "shop");
    accept(route);
    CommandEnvelope slice = c.upsertSlice(account, "web-1", "web");
    accept(slice);
    ConsumerRecord<String, GatewayView> latest = awaitGatewayState(gatewayId,
        r -> r.value() != null && !r.value().getEndpointSlices().isEmpty());
    assertThat(latest.value().getHttpRoutes()).extracting(r -> r.getName()).containsExactly("web");
    assertThat(latest.value().getEndpointSlices()).extracting(s -> s.getName()).containsExactly("web-1");
    assertThat(new String(latest.headers().lastHeader(GatewayViewTopology.COMMAND_ID_HEADER).value(),
        java.nio.charset.StandardCharsets.UTF_8)).as("the command the view came from")
        // The route's and the slice's events sit on different partitions of epic.events, so either may come last.
        .isIn(route.getCommandId(), slice.getCommandId());

    assertThat(decider.queries().list(AggregateType.GATEWAY, account, null, 10).items())
        .extracting(AggregateState::getAggregateId).containsExactly(gatewayId);

    accept(c.deleteGateway(account, "shop"));
    assertThat(decider.queries().get(gatewayId).orElseThrow().getDeleted()).isTrue();
    assertThat(awaitGatewayState(gatewayId, r -> r.value() == null).value()).as("tombstone after delete").isNull();
    assertThat(decider.queries().list(AggregateType.GATEWAY, account, null, 10).items()).isEmpty();
  }

  @Test
  void aRejectedCommandAppendsNothing() throws Exception {
    String account = platformFor("reject");
    Map<TopicPartition, Long> before = endOffsets(Topics.EVENTS);
    CommandEnvelope bad = c.createGateway(account, "shop", "no-such-template");
    CommandResult result = submit(bad);
    assertThat(result.getAccepted()).isFalse();
    assertThat(result.getRejection().getCode()).isEqualTo(RejectionCode.NOT_FOUND);
    assertThat(result.getRejection().getField()).isEqualTo("template");
    assertThat(result.getEventIds()).isEmpty();
    assertThat(endOffsets(Topics.EVENTS)).isEqualTo(before);
    assertThat(readAll(Topics.EVENTS, EventEnvelope.class)).extracting(r -> r.value().getCorrelationId())
        .doesNotContain(bad.getCommandId());
    assertThat(decider.queries().get(bad.getTargetAggregateId())).isEmpty();
  }

  @Test
  void aRetriedCommandIdGetsTheFirstResultAgainAndAppendsNothing() throws Exception {
    String account = platformFor("retry");
    CommandEnvelope create = c.createGateway(account, "shop", "tmpl-" + RUN + "-retry");
    CommandResult first = accept(create);
    assertThat(first.getEventIds()).hasSize(2);
    Map<TopicPartition, Long> before = endOffsets(Topics.EVENTS);

    // A retry after the answer, then two retries racing each other on the same bus.
    assertThat(submit(create)).isEqualTo(first);
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<CommandResult> a = clients.submit(() -> submit(create));
      Future<CommandResult> b = clients.submit(() -> submit(create));
      assertThat(a.get()).isEqualTo(first);
      assertThat(b.get()).isEqualTo(first);
    }
    assertThat(endOffsets(Topics.EVENTS)).isEqualTo(before);
    assertThat(readAll(Topics.EVENTS, EventEnvelope.class)).map(ConsumerRecord::value)
        .filteredOn(e -> e.getCorrelationId().equals(create.getCommandId()))
        .extracting(EventEnvelope::getEventId).containsExactlyInAnyOrderElementsOf(first.getEventIds());
    assertThat(decider.queries().get(create.getTargetAggregateId()).orElseThrow().getVersion()).isEqualTo(1L);
    assertThat(decider.queries().decided(create.getCommandId())).contains(first);

    // A rejection is remembered as well: the retry is not decided again, even once it would be accepted.
    CommandEnvelope early = c.createGateway(account, "later", "tmpl-" + RUN + "-retry-late");
    CommandResult rejected = submit(early);
    assertThat(rejected.getRejection().getCode()).isEqualTo(RejectionCode.NOT_FOUND);
    accept(c.defineTemplate("tmpl-" + RUN + "-retry-late", "pool-" + RUN + "-retry"));
    assertThat(submit(early)).isEqualTo(rejected);
    assertThat(decider.queries().get(early.getTargetAggregateId())).isEmpty();
  }

  @Test
  void poolAllocationIsExhaustedAcrossGatewaysAndFreedByDelete() throws Exception {
    String account = platformFor("ipam");
    String template = "tmpl-" + RUN + "-ipam";
    accept(c.createGateway(account, "a", template));
    accept(c.createGateway(account, "b", template));
    CommandResult exhausted = submit(c.createGateway(account, "c", template));
    assertThat(exhausted.getRejection().getCode()).isEqualTo(RejectionCode.POOL_EXHAUSTED);
    accept(c.deleteGateway(account, "a"));
    accept(c.createGateway(account, "c", template));
    GatewayState gatewayC = (GatewayState) decider.queries()
        .get("gateway/" + account + "/default/c").orElseThrow().getResource();
    assertThat(gatewayC.getAddress()).isEqualTo(FIRST_ADDRESS.get("ipam"));

    // Listing pages over live gateways only (a is deleted), one at a time.
    AggregateQueries.Page first = decider.queries().list(AggregateType.GATEWAY, account, null, 1);
    assertThat(first.items()).extracting(AggregateState::getAggregateId)
        .containsExactly("gateway/" + account + "/default/b");
    AggregateQueries.Page second = decider.queries().list(AggregateType.GATEWAY, account, first.nextPageToken(), 1);
    assertThat(second.items()).extracting(AggregateState::getAggregateId)
        .containsExactly("gateway/" + account + "/default/c");
    assertThat(second.nextPageToken()).isNull();
    assertThat(decider.queries().list(AggregateType.ACCOUNT, account, null, 10).items())
        .extracting(AggregateState::getAggregateId).containsExactly("account/" + account);
  }

  @Test
  void aRestartKeepsStateEvenWithoutTheLocalStore() throws Exception {
    String account = platformFor("restart");
    accept(c.createGateway(account, "shop", "tmpl-" + RUN + "-restart"));
    String gatewayId = "gateway/" + account + "/default/shop";
    AggregateState before = decider.queries().get(gatewayId).orElseThrow();

    decider.close();
    decider = new DeciderService();
    decider.start(platform.context());
    assertThat(decider.queries().get(gatewayId)).contains(before);

    // Without its RocksDB files the decider restores the store from its changelog.
    decider.close();
    Directories.deleteRecursively(platform.context().stateDir("decider"));
    decider = new DeciderService();
    decider.start(platform.context());
    assertThat(decider.queries().get(gatewayId)).contains(before);
    CommandResult duplicate = submit(c.createGateway(account, "shop", "tmpl-" + RUN + "-restart"));
    assertThat(duplicate.getRejection().getCode()).isEqualTo(RejectionCode.CONFLICT);
    assertThat(accept(c.updateGateway(account, "shop", Commands.http("web", 8080))).getVersion()).isEqualTo(2L);
  }

  @Test
  void aLoneCommandIsCommittedOnceDecidedNotAtTheCommitInterval() throws Exception {
    decider.close();
    // The decider as DeciderService runs it, but committing every ten minutes (a transaction may stay open that long
    // too; the broker allows 15): only the commit requested once the polled input is decided answers within TIMEOUT.
    SchemaRegistryClient registry = new SchemaRegistryClient(platform.schemaRegistryUrl());
    Properties config = StreamsApp.config(DeciderTopology.APPLICATION_ID, platform.kafkaClient(),
        platform.context().stateDir("decider"));
    int tenMinutes = (int) Duration.ofMinutes(10).toMillis();
    config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, tenMinutes);
    config.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), tenMinutes);
    PolledInput clients = new PolledInput();
    try (StreamsApp app = StreamsApp.start("the decider", DeciderTopology.build(registry,
            DeciderTopology.DEFAULT_DECIDED_RETENTION, DeciderService.chainKey(platform.context()), clients),
            config, clients);
        CommandBus bus = new CommandBus(platform.kafkaClient(), registry, () -> true, 10)) {
      CommandEnvelope create = c.createAccount("acct-" + RUN + "-lone");
      CommandResult result = bus.submit(create, TIMEOUT).get();
      assertThat(result.getAccepted()).isTrue();
      assertThat(readAll(Topics.EVENTS, EventEnvelope.class)).extracting(r -> r.value().getCorrelationId())
          .contains(create.getCommandId());
    } finally {
      decider = new DeciderService();
      decider.start(platform.context());
    }
  }

  @Test
  void aCommandNobodyDecidesTimesOutNamingItAndIsDecidedOnceTheDeciderIsBack() throws Exception {
    decider.close();
    SchemaRegistryClient registry = new SchemaRegistryClient(platform.schemaRegistryUrl());
    CommandEnvelope create = c.createAccount("acct-" + RUN + "-late");
    try (CommandBus bus = new CommandBus(platform.kafkaClient(), registry, () -> true, 10)) {
      assertThat(bus.submit(create, Duration.ofMillis(300))).failsWithin(TIMEOUT)
          .withThrowableOfType(ExecutionException.class).havingCause().isInstanceOf(TimeoutException.class)
          .withMessageContaining(create.getCommandId()).withMessageContaining(create.getTargetAggregateId());
      assertThat(bus.inFlight()).isZero();
    } finally {
      decider = new DeciderService();
      decider.start(platform.context());
    }
    // As the timeout's message says, the command may still be decided: it waited on epic.commands for the decider.
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (decider.queries().get(create.getTargetAggregateId()).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(decider.queries().get(create.getTargetAggregateId())).isPresent();
  }

  @Test
  void theFoldOfTheWholeLogEqualsTheLiveStore() throws Exception {
    String account = platformFor("fold");
    accept(c.createGateway(account, "shop", "tmpl-" + RUN + "-fold"));
    accept(c.upsertRoute(account, "web", "shop"));
    accept(c.addUser(account, "alice"));
    List<EventEnvelope> log = readAll(Topics.EVENTS, EventEnvelope.class).stream().map(ConsumerRecord::value)
        .toList();
    Map<String, AggregateState> replayed = Fold.replay(log);
    assertThat(replayed).containsKeys("account/" + account, "gateway/" + account + "/default/shop");
    for (Map.Entry<String, AggregateState> e : replayed.entrySet()) {
      assertThat(decider.queries().get(e.getKey())).as(e.getKey()).contains(e.getValue());
    }
  }

  @Test
  void commandsBeyondTheInFlightBoundAreNotSentAndAStoppedDeciderIsReported() throws Exception {
    SchemaRegistryClient registry = new SchemaRegistryClient(platform.schemaRegistryUrl());
    String refusedAccount = "acct-" + RUN + "-refused";
    try (CommandBus two = new CommandBus(platform.kafkaClient(), registry, () -> true, 2)) {
      List<CompletableFuture<CommandResult>> refused = two.submitAll(List.of(c.createAccount(refusedAccount),
          c.createAccount(refusedAccount + "-2"), c.createAccount(refusedAccount + "-3")), TIMEOUT);
      assertThat(refused).allSatisfy(f -> assertThat(f).failsWithin(Duration.ZERO)
          .withThrowableOfType(ExecutionException.class).withCauseInstanceOf(CommandBus.Overloaded.class));
      assertThat(two.inFlight()).isZero();

      // Two fit; had the three been sent, the first would have been decided before these (one partition, in order).
      List<CompletableFuture<CommandResult>> fit = two.submitAll(List.of(c.createAccount("acct-" + RUN + "-fit"),
          c.createAccount("acct-" + RUN + "-fit-2")), TIMEOUT);
      for (CompletableFuture<CommandResult> f : fit) {
        assertThat(f.get().getAccepted()).isTrue();
      }
      assertThat(decider.queries().get("account/" + refusedAccount)).isEmpty();
      assertThat(two.inFlight()).isZero();
    }
    try (CommandBus stopped = new CommandBus(platform.kafkaClient(), registry, () -> false, 10)) {
      assertThat(stopped.submit(c.createAccount(refusedAccount), TIMEOUT)).failsWithin(Duration.ZERO)
          .withThrowableOfType(ExecutionException.class).withCauseInstanceOf(CommandBus.DeciderUnavailable.class);
    }
  }

  // ---- reading topics (read_committed, as every consumer of the decider's outputs must)

  private static List<EventEnvelope> eventsOf(String aggregateId) {
    return readAll(Topics.EVENTS, EventEnvelope.class).stream().filter(r -> r.key().equals(aggregateId))
        .map(ConsumerRecord::value).toList();
  }

  /** The latest epic.gateway-state record of the gateway once it passes {@code until} (the projection runs behind). */
  private static ConsumerRecord<String, GatewayView> awaitGatewayState(String gatewayId,
      java.util.function.Predicate<ConsumerRecord<String, GatewayView>> until) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      ConsumerRecord<String, GatewayView> latest = null;
      for (ConsumerRecord<String, GatewayView> r : readAll(Topics.GATEWAY_STATE, GatewayView.class)) {
        if (r.key().equals(gatewayId)) {
          latest = r;
        }
      }
      if (latest != null && until.test(latest)) {
        return latest;
      }
      assertThat(System.nanoTime()).as("waiting for the view of %s", gatewayId).isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  private static KafkaConsumer<String, byte[]> rawConsumer() {
    return new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString(),
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
        new StringDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer());
  }

  private static Map<TopicPartition, Long> endOffsets(String topic) {
    try (KafkaConsumer<String, byte[]> consumer = rawConsumer()) {
      return consumer.endOffsets(partitions(consumer, topic));
    }
  }

  private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
    return consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
  }

  /** Every committed record of the topic up to its current end, in partition then offset order. */
  static <T extends SpecificRecord> List<ConsumerRecord<String, T>> readAll(String topic, Class<T> type) {
    AvroDeserializer<T> values = new AvroDeserializer<>(type, new SchemaRegistryClient(platform.schemaRegistryUrl()));
    try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString(),
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), values)) {
      List<TopicPartition> partitions = partitions(consumer, topic);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      List<ConsumerRecord<String, T>> records = new ArrayList<>();
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        assertThat(System.nanoTime()).as("reading %s to its end", topic).isLessThan(deadline);
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      return records;
    }
  }
}
