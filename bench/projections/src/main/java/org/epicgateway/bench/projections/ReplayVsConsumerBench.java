package org.epicgateway.bench.projections;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.projections.audit.EventLog;
import org.epicgateway.projections.audit.Progress;
import org.epicgateway.projections.audit.StateAt;
import org.epicgateway.projections.decider.Decider;
import org.epicgateway.projections.decider.Decision;
import org.epicgateway.projections.decider.StateLookup;
import org.epicgateway.projections.state.Fold;
import org.epicgateway.projections.topology.DeciderService;
import org.epicgateway.schemas.AggregateIds;
import org.epicgateway.schemas.EventHashes;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.Actor;
import org.epicgateway.schemas.avro.ActorKind;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.BackendRef;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.CommandResult;
import org.epicgateway.schemas.avro.CreateAccount;
import org.epicgateway.schemas.avro.CreateGateway;
import org.epicgateway.schemas.avro.DefineAddressPool;
import org.epicgateway.schemas.avro.DefineGatewayTemplate;
import org.epicgateway.schemas.avro.Endpoint;
import org.epicgateway.schemas.avro.EndpointConditions;
import org.epicgateway.schemas.avro.EndpointPort;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.HttpRouteRule;
import org.epicgateway.schemas.avro.Listener;
import org.epicgateway.schemas.avro.ListenerProtocol;
import org.epicgateway.schemas.avro.ParentRef;
import org.epicgateway.schemas.avro.TransportProtocol;
import org.epicgateway.schemas.avro.UpsertEndpointSlice;
import org.epicgateway.schemas.avro.UpsertHttpRoute;
import org.epicgateway.schemas.registry.SchemaRegistryClient;

/**
 * Events per second folded by a full replay of epic.events against a raw consumer reading the same records as bytes,
 * in the same run on the same broker. The replay is exactly what {@code ./epic audit replay|rebuild} runs:
 * {@link EventLog#readEvents} (read_committed, Confluent-wire Avro decode) folded by {@link StateAt} at
 * {@link Instant#MAX} (chain hash of the stored bytes). A second arm folds the same read with
 * {@link Fold#apply(AggregateState, EventEnvelope)}, which hashes a re-encoding of each event as the decider does.
 * The log is written by the platform's decider (the only writer of epic.events) from a command mix decided first in
 * memory by the same pure {@link Decider}, so what it writes is known: accounts with a gateway, a route and endpoint
 * slices, then endpoint-slice churn (the most frequent event in EPIC) until the requested size.
 *
 * <p>Arguments: [events (default 100000)] [rounds per side (default 5)].
 */
public final class ReplayVsConsumerBench {

  private static final Actor BENCH = Actor.newBuilder().setKind(ActorKind.SYSTEM).setId("bench").build();
  private static final int ACCOUNTS = 100;
  /** Commands in flight at once, within the command bus's bound. */
  private static final int BATCH = 256;

  private ReplayVsConsumerBench() {}

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Path dir = Files.createTempDirectory("epic-bench-replay-");
    try (EmbeddedPlatform platform = EmbeddedPlatform.start(dir)) {
      SchemaRegistryClient registry = new SchemaRegistryClient(platform.schemaRegistryUrl());
      TreeMap<String, AggregateState> live = new TreeMap<>();
      List<CommandEnvelope> commands = new ArrayList<>();
      List<EventEnvelope> log = generate(events, live, commands);
      decide(platform, commands);
      System.out.printf("log: %d events on %s%n", log.size(), Topics.EVENTS);

      double[] raw = new double[rounds];
      double[] reencoded = new double[rounds];
      double[] replayed = new double[rounds];
      EventLog eventLog = new EventLog(platform.kafkaClient(), registry);
      for (int r = 0; r < rounds; r++) {
        // Alternate the sides so drift in machine load hits all alike.
        raw[r] = timed(() -> readRaw(platform.bootstrapServers(), log.size()), log.size());
        Map<String, AggregateState> states = new HashMap<>();
        reencoded[r] = timed(() -> eventLog.readEvents(Progress.silent(), logged ->
            states.put(logged.key(), Fold.apply(states.get(logged.key()), logged.event()))), log.size());
        check(states, live);
        StateAt replay = new StateAt(Instant.MAX);
        replayed[r] = timed(() -> eventLog.readEvents(Progress.silent(), replay::accept), log.size());
        check(replay.states(), live);
        System.out.printf("round %d: raw %.0f, replay re-encoding %.0f, audit replay (StateAt) %.0f events/s%n",
            r + 1, raw[r], reencoded[r], replayed[r]);
      }
      // What AvroBinary's cached writer saves: hashing the log in memory with a writer built per event (as before
      // commit 19f0718) against EventHashes.hash, which uses the cached one.
      double[] writerPerEvent = new double[rounds];
      double[] cachedWriter = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        writerPerEvent[r] = hashRate(log, ReplayVsConsumerBench::hashWithNewWriter);
        cachedWriter[r] = hashRate(log, EventHashes::hash);
        System.out.printf("round %d: hash with a new writer per event %.0f, with the cached writer %.0f events/s%n",
            r + 1, writerPerEvent[r], cachedWriter[r]);
      }
      double rawMedian = median(raw);
      System.out.printf("%n| path | events | events/s (median of %d) | ratio to raw consumer |%n", rounds);
      System.out.printf("|---|---|---|---|%n");
      System.out.printf("| raw consumer (bytes, read_committed) | %d | %.0f | 1.00 |%n", log.size(), rawMedian);
      System.out.printf("| `EventLog.readEvents` + `Fold.apply(prior, event)` (hash by re-encoding) | %d | %.0f | %.3f |%n",
          log.size(), median(reencoded), median(reencoded) / rawMedian);
      System.out.printf("| `EventLog.readEvents` + `StateAt(Instant.MAX)` (= `./epic audit replay`) | %d | %.0f"
          + " | %.3f |%n", log.size(), median(replayed), median(replayed) / rawMedian);
      System.out.printf("%n| chain hash in memory | events | events/s (median of %d) | ratio |%n", rounds);
      System.out.printf("|---|---|---|---|%n");
      System.out.printf("| new `SpecificDatumWriter` per event (before) | %d | %.0f | 1.00 |%n", log.size(),
          median(writerPerEvent));
      System.out.printf("| `EventHashes.hash` (cached writer, after) | %d | %.0f | %.2f |%n", log.size(),
          median(cachedWriter), median(cachedWriter) / median(writerPerEvent));
    }
  }

  /**
   * A realistic command mix until the log has {@code events} events, decided in memory by the same pure decider, so
   * the states and events the platform's decider will write are known in advance ({@code live}, the returned log).
   */
  private static List<EventEnvelope> generate(int events, TreeMap<String, AggregateState> live,
                                              List<CommandEnvelope> commands) {
    StateLookup lookup = StateLookup.of(live);
    List<EventEnvelope> log = new ArrayList<>();
    long[] n = {0};
    Consumer<Object[]> run = targetAndPayload -> {
      n[0]++;
      CommandEnvelope command = CommandEnvelope.newBuilder().setCommandId("bench-" + n[0]).setActor(BENCH)
          .setTargetAggregateId((String) targetAndPayload[0])
          .setTimestamp(Instant.ofEpochMilli(1_700_000_000_000L + n[0])).setPayload(targetAndPayload[1]).build();
      Decision d = Decider.decide(command, lookup);
      if (!d.accepted()) {
        throw new IllegalStateException("bench command rejected: " + d.rejection());
      }
      commands.add(command);
      live.putAll(d.states());
      log.addAll(d.events());
    };
    run.accept(new Object[] {AggregateIds.pool("bench"),
        new DefineAddressPool("bench", List.of("10.0.0.0/16"), null, null)});
    run.accept(new Object[] {AggregateIds.template("bench"), DefineGatewayTemplate.newBuilder().setTemplate("bench")
        .setPool("bench").setReplicas(2).setShareable(false).setEnvoyBaseConfig("{}").build()});
    for (int a = 0; a < ACCOUNTS; a++) {
      String account = "tenant-" + a;
      run.accept(new Object[] {AggregateIds.account(account), new CreateAccount(account, null)});
      run.accept(new Object[] {AggregateIds.gateway(account, "default", "gw"), new CreateGateway(account, "default",
          "gw", "bench", List.of(Listener.newBuilder().setName("web").setPort(80)
              .setProtocol(ListenerProtocol.HTTP).build()))});
      run.accept(new Object[] {AggregateIds.httpRoute(account, "default", "web"), UpsertHttpRoute.newBuilder()
          .setAccount(account).setNamespace("default").setName("web")
          .setParentRefs(List.of(ParentRef.newBuilder().setName("gw").build()))
          .setRules(List.of(HttpRouteRule.newBuilder()
              .setBackendRefs(List.of(BackendRef.newBuilder().setName("web").setPort(8080).build())).build()))
          .build()});
    }
    for (long i = 0; log.size() < events; i++) {
      String account = "tenant-" + (i % ACCOUNTS);
      String slice = "web-" + (i / ACCOUNTS % 4);
      List<Endpoint> endpoints = new ArrayList<>();
      for (int e = 0; e < 3; e++) {
        endpoints.add(Endpoint.newBuilder().setAddresses(List.of("10.1." + (i % 250) + "." + (e + 1)))
            .setConditions(EndpointConditions.newBuilder().setReady(true).build())
            .setNodeName("node-" + e).setNodeAddress("198.51.100." + (e + 1)).build());
      }
      run.accept(new Object[] {AggregateIds.endpointSlice(account, "default", slice), UpsertEndpointSlice.newBuilder()
          .setAccount(account).setNamespace("default").setName(slice).setServiceName("web")
          .setPorts(List.of(EndpointPort.newBuilder().setName("http").setPort(8080)
              .setProtocol(TransportProtocol.TCP).build()))
          .setEndpoints(endpoints).build()});
    }
    return log;
  }

  /** The log is written the only way epic.events is: the platform's decider deciding the commands. */
  private static void decide(EmbeddedPlatform platform, List<CommandEnvelope> commands) throws Exception {
    DeciderService decider = new DeciderService();
    decider.start(platform.context());
    try {
      for (int from = 0; from < commands.size(); from += BATCH) {
        List<CommandEnvelope> batch = commands.subList(from, Math.min(commands.size(), from + BATCH));
        for (CompletableFuture<CommandResult> r : decider.commandBus().submitAll(batch, Duration.ofMinutes(5))) {
          if (!r.join().getAccepted()) {
            throw new IllegalStateException("bench command rejected: " + r.join().getRejection());
          }
        }
      }
    } finally {
      decider.close();
    }
  }

  /** Runs a whole-log read that returns how many events it read; events per second, or fails if some were missed. */
  private static double timed(LongSupplier read, int expected) {
    long start = System.nanoTime();
    long count = read.getAsLong();
    double seconds = (System.nanoTime() - start) / 1e9;
    if (count != expected) {
      throw new IllegalStateException("read " + count + " events, expected " + expected);
    }
    return count / seconds;
  }

  /**
   * The baseline: reads the whole topic from the beginning as bytes and does nothing with them (same isolation and
   * poll size as {@link EventLog}, timed the same way, consumer set-up included); returns the records read.
   */
  private static long readRaw(String bootstrap, int expected) {
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString(),
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000), new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(Topics.EVENTS).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      partitions.forEach(consumer::position);
      long count = 0;
      long lastProgress = System.nanoTime();
      while (count < expected) {
        int polled = consumer.poll(Duration.ofMillis(500)).count();
        if (polled > 0) {
          count += polled;
          lastProgress = System.nanoTime();
        } else if (System.nanoTime() - lastProgress > Duration.ofSeconds(60).toNanos()) {
          throw new IllegalStateException("read " + count + " of " + expected + " events, then nothing for 60 s");
        }
      }
      return count;
    }
  }

  private static double hashRate(List<EventEnvelope> log, Function<EventEnvelope, byte[]> hash) {
    long start = System.nanoTime();
    int nonZero = 0;
    for (EventEnvelope event : log) {
      nonZero += hash.apply(event)[0] != 0 ? 1 : 0;
    }
    double rate = log.size() / ((System.nanoTime() - start) / 1e9);
    // Uses every hash, so the JIT cannot drop the work.
    if (nonZero == 0) {
      throw new IllegalStateException("no hash computed");
    }
    return rate;
  }

  /** The encoding AvroBinary did before it cached its writers: one new writer (schema and conversions) per event. */
  private static byte[] hashWithNewWriter(EventEnvelope event) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    try {
      new SpecificDatumWriter<EventEnvelope>(event.getSchema(), SpecificData.getForClass(EventEnvelope.class))
          .write(event, encoder);
      encoder.flush();
      return MessageDigest.getInstance("SHA-256").digest(out.toByteArray());
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Proves the fold really ran: every replayed aggregate has the version, deletion and resource of the in-memory
   * decision. Not its last hash: the platform's decider seals each event with its own chain key, which the in-memory
   * decision has not got.
   */
  private static void check(Map<String, AggregateState> replayed, Map<String, AggregateState> live) {
    if (!replayed.keySet().equals(live.keySet())) {
      throw new IllegalStateException("the replay has " + replayed.size() + " aggregates, the decider " + live.size());
    }
    live.forEach((id, expected) -> {
      AggregateState actual = replayed.get(id);
      if (actual.getVersion() != expected.getVersion() || actual.getDeleted() != expected.getDeleted()
          || !actual.getResource().equals(expected.getResource())) {
        throw new IllegalStateException("the replayed state of " + id + " differs from the decider's: " + actual
            + " vs " + expected);
      }
    });
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
