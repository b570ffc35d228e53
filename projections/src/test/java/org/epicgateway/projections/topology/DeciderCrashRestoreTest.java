package org.epicgateway.projections.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.projections.decider.Commands;
import org.epicgateway.projections.streams.PolledInput;
import org.epicgateway.projections.streams.StreamsApp;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.CommandResult;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.junit.jupiter.api.Test;

/**
 * The decider killed as {@code kill -9} kills it (a child JVM, SIGKILL: no close, no checkpoint) keeps its local
 * RocksDB state: exactly-once with transactional stores ({@link StreamsApp#config}) keeps the stores as RocksDB last
 * flushed them, with the changelog offsets they hold, and a restart restores only the changelogs after those; a
 * non-transactional exactly-once store is wiped and restored from offset 0. Runs the real decider under the real
 * application id on the shared platform, as its other tests do (one decider at a time).
 */
class DeciderCrashRestoreTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  /** Decided commands: each store gets as many records, several memtables' worth ({@link DeciderProcess}). */
  private static final int COMMANDS = 4_000;

  private final EmbeddedPlatform platform = EmbeddedPlatform.sharedForTests();
  private final SchemaRegistryClient registry = new SchemaRegistryClient(platform.schemaRegistryUrl());
  private final Commands c = new Commands("crash-" + UUID.randomUUID());

  @Test
  void aDeciderKilledWithoutCloseRestoresOnlyTheTailOfItsChangelogs() throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    List<CommandEnvelope> commands = new ArrayList<>();
    for (int i = 0; i < COMMANDS; i++) {
      commands.add(c.createAccount("acct-" + run + "-" + i));
    }

    Process decider = startDeciderProcess();
    try (CommandBus bus = new CommandBus(platform.kafkaClient(), registry, () -> true, COMMANDS)) {
      for (CompletableFuture<CommandResult> result : bus.submitAll(commands, TIMEOUT)) {
        assertThat(result.get().getAccepted()).isTrue();
      }
    } finally {
      // Every result was read read_committed, so each command's transaction has committed: the kill loses nothing.
      decider.destroyForcibly();
      assertThat(decider.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    Map<String, AtomicLong> restored = new ConcurrentHashMap<>();
    KafkaStreams streams = new KafkaStreams(
        DeciderTopology.build(registry, DeciderTopology.DEFAULT_DECIDED_RETENTION,
            DeciderService.chainKey(platform.context()), new PolledInput()),
        StreamsApp.config(DeciderTopology.APPLICATION_ID, platform.kafkaClient(),
            platform.context().stateDir("decider")));
    streams.setGlobalStateRestoreListener(new Counting(restored));
    CountDownLatch running = new CountDownLatch(1);
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.RUNNING) {
        running.countDown();
      }
    });
    try {
      streams.start();
      assertThat(running.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("the decider RUNNING again").isTrue();

      ReadOnlyKeyValueStore<String, ValueAndTimestamp<byte[]>> decided = streams.store(StoreQueryParameters
          .fromNameAndType(DeciderTopology.DECIDED, QueryableStoreTypes.timestampedKeyValueStore()));
      ReadOnlyKeyValueStore<String, AggregateState> states = streams.store(StoreQueryParameters
          .fromNameAndType(DeciderTopology.STORE, QueryableStoreTypes.keyValueStore()));
      for (CommandEnvelope command : commands) {
        assertThat(decided.get(command.getCommandId())).as("the decided command %s", command.getCommandId())
            .isNotNull();
        assertThat(states.get(command.getTargetAggregateId())).as("the state of %s", command.getTargetAggregateId())
            .isNotNull();
      }
      // Each store got COMMANDS records from this test alone; a wipe restores them all, twice COMMANDS in all.
      long total = restored.values().stream().mapToLong(AtomicLong::get).sum();
      System.out.println("restored after the kill: " + restored);
      assertThat(total).as("records restored after the kill, per store: %s", restored)
          .isLessThan(COMMANDS / 2);
    } finally {
      streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
          .withTimeout(Duration.ofSeconds(30)));
    }
  }

  /** {@link DeciderProcess} on the shared platform's broker, registry and data directory; returns once RUNNING. */
  private Process startDeciderProcess() throws Exception {
    Path out = Files.createTempFile("decider-process-", ".log");
    String java = ProcessHandle.current().info().command().orElseThrow();
    Process process = new ProcessBuilder(java, "-Xmx512m", "--enable-native-access=ALL-UNNAMED",
        "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=" + System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES"),
        "-cp", System.getProperty("java.class.path"), DeciderProcess.class.getName(),
        platform.bootstrapServers(), platform.schemaRegistryUrl(), platform.dataDir().toString())
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!Files.readString(out).contains(DeciderProcess.RUNNING)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new AssertionError("the decider process did not start: " + Files.readString(out));
      }
      Thread.sleep(100);
    }
    return process;
  }

  /** Counts the records each store restored, over all its partitions. */
  private record Counting(Map<String, AtomicLong> restored) implements StateRestoreListener {
    @Override
    public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
      restored.computeIfAbsent(store, s -> new AtomicLong());
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
      restored.computeIfAbsent(store, s -> new AtomicLong()).addAndGet(numRestored);
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {}
  }
}
