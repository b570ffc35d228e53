package org.epicgateway.projections.streams;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.epicgateway.platform.Health;
import org.epicgateway.platform.KafkaAccess;
import org.epicgateway.schemas.Topics;

/**
 * How every EPIC Kafka Streams application runs: exactly-once v2 with transactional state stores; poison records to
 * epic.dlq with the reason in headers instead of a halt ({@link DeadLetterHandler}); a stream thread that dies is replaced, so one failure does not stop every later record;
 * {@link #start} returns only once the application is RUNNING; {@link #close} leaves the consumer group, so a restart
 * gets its tasks at once instead of waiting out the old member's session timeout.
 */
public final class StreamsApp implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final KafkaStreams streams;

  private StreamsApp(KafkaStreams streams) {
    this.streams = streams;
  }

  /** Settings from measurements (docs/benchmarks.md), overridable for measuring: {@code -Depic.streams.commit-ms}. */
  static final int COMMIT_INTERVAL_MS = Integer.getInteger("epic.streams.commit-ms", 5);
  static final int POLL_MS = Integer.getInteger("epic.streams.poll-ms", 5);
  static final int RETRY_BACKOFF_MS = Integer.getInteger("epic.streams.retry-backoff-ms", 2);
  static final int RESTORE_BATCH = Integer.getInteger("epic.streams.restore-batch", 10_000);

  /** @param kafkaClient the service's Kafka client configuration (bootstrap servers, security), see PlatformContext */
  public static Properties config(String applicationId, Map<String, Object> kafkaClient, Path stateDir) {
    Properties p = new Properties();
    p.putAll(kafkaClient);
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    // Transactional stores (KIP-892): a task's writes reach its RocksDB only once their changelog transaction has
    // committed, so after a crash (kill -9) the local state is still valid and a restart restores the changelog's
    // tail since the last commit instead of wiping the store and reading the whole changelog (docs/benchmarks.md).
    p.put(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, true);
    // Static membership: after a crash (kill -9) the restarted instance takes its place in the group at once instead of
    // waiting out the dead member's session timeout (45 s), which was most of a restart's time.
    p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId(applicationId, stateDir));
    // Every stage of a change (decider, gateway view, Envoy projection) is read read_committed by the next, so each
    // waits for the previous one's commit: commits are frequent and carry whatever arrived since the last (group
    // commit, batches grow with load by themselves). 0 would commit after every single record (Streams halves its
    // per-commit batch after each commit), so some milliseconds it is; an idle loop polls no longer than a commit.
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, COMMIT_INTERVAL_MS);
    p.put(StreamsConfig.POLL_MS_CONFIG, POLL_MS);
    // A transaction's first write to a partition is refused (CONCURRENT_TRANSACTIONS) until the previous one's
    // markers are written, which at this commit rate is most transactions; retry after milliseconds, not 100 ms.
    p.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), RETRY_BACKOFF_MS);
    p.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG), 10 * RETRY_BACKOFF_MS);
    // A store restored from its whole changelog (a new instance, a lost state directory): 10,000 records a batch
    // instead of Streams' 1,000 took a fifth off the decider's restore CPU (docs/benchmarks.md, issue 9).
    p.put(StreamsConfig.restoreConsumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), RESTORE_BATCH);
    // A dead letter is the input record (up to Kafka's 1 MiB) plus its reason: epic.dlq and this producer take more.
    p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), Topics.DLQ_MAX_MESSAGE_BYTES);
    p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
    p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
    return p;
  }

  /**
   * This process's stable member name in the application's consumer group (Streams appends the thread index):
   * {@code $EPIC_INSTANCE_ID} when set (e.g. a pod name), else the host name plus a digest of the state directory, so
   * two instances on one host (tests, several data directories) never share a name and fence each other.
   */
  static String instanceId(String applicationId, Path stateDir) {
    String instance = System.getenv("EPIC_INSTANCE_ID");
    if (instance == null || instance.isBlank()) {
      String host;
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        host = "localhost";
      }
      instance = host + "-" + HexFormat.of().formatHex(sha256(stateDir.toAbsolutePath().normalize().toString()), 0, 4);
    }
    return applicationId + "-" + instance;
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /**
   * Starts {@code topology} and waits until it is RUNNING.
   *
   * @param name the application as errors name it ("the decider")
   * @throws IllegalStateException if it is not RUNNING within two minutes (it is closed again)
   */
  public static StreamsApp start(String name, Topology topology, Properties config) throws InterruptedException {
    return start(name, new KafkaStreams(topology, config));
  }

  /** The same, with the Kafka clients {@code clients} makes ({@link PolledInput}). */
  public static StreamsApp start(String name, Topology topology, Properties config, KafkaClientSupplier clients)
      throws InterruptedException {
    return start(name, new KafkaStreams(topology, config, clients));
  }

  private static StreamsApp start(String name, KafkaStreams streams) throws InterruptedException {
    CountDownLatch running = new CountDownLatch(1);
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.RUNNING) {
        running.countDown();
      }
    });
    streams.setUncaughtExceptionHandler(e ->
        StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD);
    streams.start();
    StreamsApp app = new StreamsApp(streams);
    if (!running.await(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      KafkaStreams.State state = streams.state();
      app.close();
      throw new IllegalStateException(name + " did not reach RUNNING within " + START_TIMEOUT + " (state " + state
          + ")");
    }
    return app;
  }

  /** Up only while RUNNING: any other state (REBALANCING, PENDING_ERROR, ERROR, ...) is down, by name. */
  public Health health() {
    KafkaStreams.State state = streams.state();
    return state == KafkaStreams.State.RUNNING ? Health.up(state.name()) : Health.down(state.name());
  }

  /**
   * What the application {@code applicationId} running {@code topology} uses on Kafka, read from the topology itself:
   * the EPIC topics its sources read and its sinks write (dead letters included), plus its internal topics, group and
   * transactional ids. Topics outside {@link Topics#ALL} are its internal ones (repartition), covered by the prefix.
   */
  public static KafkaAccess access(String applicationId, Topology topology) {
    Set<String> epicTopics = new TreeSet<>(Topics.ALL.stream().map(Topics.Spec::name).toList());
    Set<String> reads = new TreeSet<>();
    Set<String> writes = new TreeSet<>(Set.of(Topics.DLQ));
    TopologyDescription description = topology.describe();
    description.globalStores().forEach(g -> reads.addAll(g.source().topicSet()));
    for (TopologyDescription.Subtopology sub : description.subtopologies()) {
      for (TopologyDescription.Node node : sub.nodes()) {
        if (node instanceof TopologyDescription.Source source) {
          reads.addAll(source.topicSet());
        } else if (node instanceof TopologyDescription.Sink sink && sink.topic() != null) {
          writes.add(sink.topic());
        }
      }
    }
    reads.retainAll(epicTopics);
    writes.retainAll(epicTopics);
    return KafkaAccess.streamsApplication(applicationId).plus(new KafkaAccess(reads, writes, "", Set.of(), ""));
  }

  /** The health of an application that may not be started yet. */
  public static Health health(StreamsApp app) {
    return app == null ? Health.down("not started") : app.health();
  }

  /** The running application, for interactive queries. */
  public KafkaStreams streams() {
    return streams;
  }

  @Override
  public void close() {
    streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
        .withTimeout(CLOSE_TIMEOUT));
  }
}
