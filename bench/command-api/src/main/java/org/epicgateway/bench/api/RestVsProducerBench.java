package org.epicgateway.bench.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.tools.ProducerPerformance;
import org.epicgateway.api.ApiConfig;
import org.epicgateway.api.ApiService;
import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.projections.audit.EventLog;
import org.epicgateway.projections.audit.Progress;
import org.epicgateway.projections.topology.DeciderService;
import org.epicgateway.projections.viewtopology.GatewayViewService;
import org.epicgateway.schemas.registry.SchemaRegistryClient;

/**
 * Durable commands per second through the REST API, against Kafka's own {@code ProducerPerformance} (acks=all,
 * 300-byte records) on the same broker in the same run. The platform is the real one in this JVM (in-process broker,
 * Apicurio child, decider, gateway view projection, API); the client is {@code connections} keep-alive HTTP/1.1 connections, each posting
 * EndpointSlices (UpsertEndpointSlice commands) with a bearer token and waiting for its answer. Reported:
 * <ol>
 *   <li>serial: one connection, one command at a time: p50/p99 latency of a 201, after a 10 s warm-up and again after
 *       the throughput phases (the JIT done);</li>
 *   <li>throughput into an empty account, into an account already holding {@code fullSlices} slices (loaded
 *       through the batch endpoint), and into the empty one again, with the ratio;</li>
 *   <li>ProducerPerformance and the REST/producer ratio;</li>
 *   <li>the check: every 2xx's command id is the correlation id of an event on epic.events, and 0 errors.</li>
 * </ol>
 *
 * <p>Arguments: [seconds per throughput phase (20)] [connections (64)] [serial commands (1000)]
 * [slices preloaded in the full account (100000)] [ProducerPerformance records (2000000)].
 */
public final class RestVsProducerBench {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final String SLICE = """
      {"name":"%s","serviceName":"web","ports":[{"name":"http","port":8080,"protocol":"TCP"}],\
      "endpoints":[{"addresses":["10.1.0.5"],"conditions":{"ready":true},"nodeName":"node-1","nodeAddress":"198.51.100.7"}]}""";
  /** Slice names, unique over all phases (an account is measured twice). */
  private static final AtomicLong NAMES = new AtomicLong();
  private static final Pattern RECORDS_PER_SEC = Pattern.compile("records sent, ([0-9.]+) records/sec");

  private RestVsProducerBench() {}

  public static void main(String[] args) {
    // Exit explicitly: under exec:java a failure would otherwise wait forever on the platform's threads.
    try {
      run(args);
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(1);
    }
    System.exit(0);
  }

  private static void run(String[] args) throws Exception {
    int seconds = arg(args, 0, 20);
    int connections = arg(args, 1, 64);
    int serial = arg(args, 2, 1000);
    int fullSlices = arg(args, 3, 100_000);
    int producerRecords = arg(args, 4, 2_000_000);
    Path dir = Files.createTempDirectory("epic-bench-api-");
    System.out.printf("REST bench: %d s per phase, %d connections, %d serial, %d preloaded slices; load %s%n",
        seconds, connections, serial, fullSlices, loadAverage());
    try (EmbeddedPlatform platform = EmbeddedPlatform.start(dir)) {
      DeciderService decider = new DeciderService();
      decider.start(platform.context());
      // The write path as ./epic up runs it: the gateway view projection folds every event too (after the 2xx).
      GatewayViewService views = new GatewayViewService();
      views.start(platform.context());
      ApiService api = new ApiService(new ApiConfig("127.0.0.1", 0, "system", "admin", "bench-admin-pw", 10,
          Duration.ofSeconds(60), Duration.ofHours(1), 100_000), decider);
      api.start(platform.context());
      Rest rest = new Rest("127.0.0.1", api.port(), "Basic " + Base64.getEncoder()
          .encodeToString("admin@system:bench-admin-pw".getBytes(StandardCharsets.UTF_8)));
      Set<String> acknowledged = ConcurrentHashMap.newKeySet();

      String warm = rest.tenant("warm");
      String empty = rest.tenant("empty");
      String full = rest.tenant("full");
      throughput(rest, "warm", warm, connections, 10, acknowledged);
      long[] early = serial(rest, warm, serial, acknowledged);
      if (fullSlices > 0) {
        rest.loadSlices("full", full, fullSlices, "pre-", acknowledged);
      }
      // Empty and full side by side, the empty one on both sides of the full, so JIT and machine load are shared.
      Result emptyRun = throughput(rest, "empty", empty, connections, seconds, acknowledged);
      Result fullRun = fullSlices > 0 ? throughput(rest, "full", full, connections, seconds, acknowledged) : null;
      Result emptyAgain = fullSlices > 0 ? throughput(rest, "empty", empty, connections, seconds, acknowledged) : null;
      // Again once the throughput phases have run the path through the JIT, as in a server that has been up a while:
      // in a JVM 10 s old the compiler still takes a core's quarter (docs/benchmarks.md).
      long[] warmed = serial(rest, warm, serial, acknowledged);
      double producer = producerPerformance(platform.bootstrapServers(), producerRecords);

      long inLog = verify(platform, acknowledged);
      System.out.printf("%n| figure | value |%n|---|---|%n");
      System.out.printf("| serial single-command REST latency (%d commands), JVM warmed by the phases above"
          + " | p50 %.2f ms, p99 %.2f ms |%n", serial, percentile(warmed, 50), percentile(warmed, 99));
      System.out.printf("| the same right after a 10 s warm-up | p50 %.2f ms, p99 %.2f ms |%n", percentile(early, 50),
          percentile(early, 99));
      System.out.printf("| durable commands/s, %d connections, empty account | %.0f/s (%d ok, %d errors; p50 %.1f ms,"
          + " p99 %.1f ms) |%n", connections, emptyRun.rate(), emptyRun.ok(), emptyRun.errors(),
          emptyRun.p50(), emptyRun.p99());
      if (fullRun != null) {
        System.out.printf("| durable commands/s, %d connections, account holding %d slices | %.0f/s (%d ok, %d errors;"
            + " p50 %.1f ms, p99 %.1f ms) |%n", connections, fullSlices, fullRun.rate(), fullRun.ok(), fullRun.errors(),
            fullRun.p50(), fullRun.p99());
        System.out.printf("| durable commands/s, %d connections, empty account again | %.0f/s (%d ok, %d errors;"
            + " p50 %.1f ms, p99 %.1f ms) |%n", connections, emptyAgain.rate(), emptyAgain.ok(), emptyAgain.errors(),
            emptyAgain.p50(), emptyAgain.p99());
        System.out.printf("| empty (mean of both) / full account throughput | %.2fx |%n",
            (emptyRun.rate() + emptyAgain.rate()) / 2 / fullRun.rate());
      }
      System.out.printf("| Kafka ProducerPerformance acks=all, 300-byte records | %.0f records/s |%n", producer);
      double empties = emptyAgain == null ? emptyRun.rate() : (emptyRun.rate() + emptyAgain.rate()) / 2;
      System.out.printf("| REST (empty account, mean of its phases) / ProducerPerformance | %.4f |%n",
          empties / producer);
      System.out.printf("| 2xx answers whose event is in epic.events | %d of %d |%n", inLog, acknowledged.size());
      System.out.printf("load average at the end: %s%n", loadAverage());
      api.close();
      views.close();
      decider.close();
      long errors = emptyRun.errors() + (fullRun == null ? 0 : fullRun.errors() + emptyAgain.errors());
      if (inLog != acknowledged.size() || errors > 0) {
        throw new IllegalStateException("errors, or acknowledged commands missing from epic.events");
      }
    }
  }

  /** Commands/s of one phase with its answer latencies. */
  record Result(double rate, long ok, long errors, double p50, double p99) {}

  /** One connection, one command after the other: the latency a single client sees. */
  private static long[] serial(Rest rest, String bearer, int count, Set<String> acknowledged) throws Exception {
    long[] latencies = new long[count];
    try (KeepAliveConnection c = rest.connect()) {
      for (int i = 0; i < count; i++) {
        long start = System.nanoTime();
        KeepAliveConnection.Response r = c.send("POST", "/api/v1/accounts/warm/endpointslices", bearer,
            SLICE.formatted("serial-" + NAMES.incrementAndGet()));
        latencies[i] = System.nanoTime() - start;
        if (r.status() != 201) {
          throw new IllegalStateException("serial POST answered " + r.status() + ": " + r.body());
        }
        acknowledged.add(JSON.readTree(r.body()).get("commandId").asText());
      }
    }
    System.out.printf("serial: %d commands, p50 %.2f ms, p99 %.2f ms%n", count, percentile(latencies, 50),
        percentile(latencies, 99));
    return latencies;
  }

  /** {@code connections} keep-alive connections post new slices back to back for {@code seconds}. */
  private static Result throughput(Rest rest, String account, String bearer, int connections, int seconds,
      Set<String> acknowledged) throws Exception {
    long start = System.nanoTime();
    long end = start + Duration.ofSeconds(seconds).toNanos();
    AtomicLong ok = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    List<long[]> latencies = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<long[]>> workers = new ArrayList<>();
      for (int i = 0; i < connections; i++) {
        workers.add(pool.submit(() -> {
          long[] mine = new long[1024];
          int n = 0;
          try (KeepAliveConnection c = rest.connect()) {
            while (System.nanoTime() < end) {
              long t = System.nanoTime();
              KeepAliveConnection.Response r = c.send("POST", "/api/v1/accounts/" + account + "/endpointslices",
                  bearer, SLICE.formatted("s-" + NAMES.incrementAndGet()));
              if (r.status() == 201) {
                acknowledged.add(JSON.readTree(r.body()).get("commandId").asText());
                ok.incrementAndGet();
                if (n == mine.length) {
                  mine = Arrays.copyOf(mine, n * 2);
                }
                mine[n++] = System.nanoTime() - t;
              } else if (errors.incrementAndGet() <= 5) {
                System.out.printf("  error %d: %s%n", r.status(), r.body());
              }
            }
          }
          return Arrays.copyOf(mine, n);
        }));
      }
      for (Future<long[]> w : workers) {
        latencies.add(w.get());
      }
    }
    double rate = ok.get() / ((System.nanoTime() - start) / 1e9);
    long[] all = latencies.stream().flatMapToLong(Arrays::stream).toArray();
    Result result = new Result(rate, ok.get(), errors.get(), percentile(all, 50), percentile(all, 99));
    System.out.printf("%s account, %d connections: %d ok, %d errors in %d s = %.0f/s (p50 %.1f ms, p99 %.1f ms)%n",
        account, connections, result.ok(), result.errors(), seconds, rate, result.p50(), result.p99());
    return result;
  }

  /** Kafka's own producer benchmark, acks=all, in this JVM against the same broker, on a topic of its own. */
  private static double producerPerformance(String bootstrap, int records) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.createTopics(List.of(new NewTopic("bench.producer-performance", Optional.of(1), Optional.of((short) 1))))
          .all().get();
    }
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      ProducerPerformance.main(new String[] {"--topic", "bench.producer-performance", "--num-records",
          Integer.toString(records), "--record-size", "300", "--throughput", "-1", "--producer-props",
          "bootstrap.servers=" + bootstrap, "acks=all"});
    } finally {
      System.setOut(stdout);
    }
    String output = captured.toString(StandardCharsets.UTF_8);
    String last = output.strip().lines().reduce((a, b) -> b).orElse("");
    System.out.println("ProducerPerformance: " + last);
    Matcher m = RECORDS_PER_SEC.matcher(last);
    if (!m.find()) {
      throw new IllegalStateException("no records/sec in ProducerPerformance's output: " + output);
    }
    return Double.parseDouble(m.group(1));
  }

  /** How many acknowledged command ids are the correlation id of an event on epic.events. */
  private static long verify(EmbeddedPlatform platform, Set<String> acknowledged) {
    Set<String> correlated = new HashSet<>();
    new EventLog(platform.kafkaClient(), new SchemaRegistryClient(platform.schemaRegistryUrl()))
        .readEvents(Progress.silent(), e -> {
          if (e.event() != null) {
            correlated.add(e.event().getCorrelationId());
          }
        });
    return acknowledged.stream().filter(correlated::contains).count();
  }

  static double percentile(long[] nanos, int p) {
    if (nanos.length == 0) {
      return Double.NaN;
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)] / 1e6;
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (Exception e) {
      return "unknown";
    }
  }

  private static int arg(String[] args, int i, int fallback) {
    return args.length > i ? Integer.parseInt(args[i]) : fallback;
  }
}
