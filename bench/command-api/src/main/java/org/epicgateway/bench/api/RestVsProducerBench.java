package org.epicgateway.bench.api;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.epicgateway.api.ApiConfig;
import org.epicgateway.api.ApiService;
import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.projections.topology.DeciderService;
import org.epicgateway.schemas.avro.Actor;
import org.epicgateway.schemas.avro.ActorKind;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.CommandResult;
import org.epicgateway.schemas.avro.Endpoint;
import org.epicgateway.schemas.avro.EndpointConditions;
import org.epicgateway.schemas.avro.EndpointPort;
import org.epicgateway.schemas.avro.TransportProtocol;
import org.epicgateway.schemas.avro.UpsertEndpointSlice;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroSerializer;

/**
 * Durable commands per second through the REST API (HTTP request, bearer auth, JSON mapping, command on
 * epic.commands, decider transaction, result awaited, state store caught up) against a raw {@code acks=all} producer
 * writing the same Avro command to a plain topic of the same broker, in the same run and JVM. All sides use the same
 * number of concurrent callers, each waiting for its own durable answer; the raw side is also run pipelined (async
 * sends, the producer's best case), and the decider's CommandBus is called directly to separate what the API adds
 * from what deciding costs. The command is UpsertEndpointSlice, the most frequent write in EPIC.
 *
 * <p>Arguments: [seconds per phase (default 20)] [concurrent callers (default 16)].
 */
public final class RestVsProducerBench {
    private static final String ACCOUNT = "bench";
    private static final String RAW_TOPIC = "bench.raw-commands";
    private static final String SLICE = """
        {"name":"%s","serviceName":"web","ports":[{"name":"http","port":8080,"protocol":"TCP"}],
         "endpoints":[{"addresses":["10.1.0.5"],"conditions":{"ready":true},"nodeName":"node-1","nodeAddress":"198.51.100.7"}]}""";

    private RestVsProducerBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int callers = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        Path dir = Files.createTempDirectory("epic-bench-api-");
        try (EmbeddedPlatform platform = EmbeddedPlatform.start(dir)) {
            DeciderService decider = new DeciderService();
            decider.start(platform.context());
            ApiService api = new ApiService(new ApiConfig("127.0.0.1", 0, "system", "admin", "bench-admin-pw", 10,
                Duration.ofSeconds(60), Duration.ofHours(1), 100_000), decider);
            api.start(platform.context());
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", platform.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(RAW_TOPIC, Optional.of(3), Optional.of((short) 1)))).all().get();
            }
            String base = "http://127.0.0.1:" + api.port() + "/api/v1";
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String bearer = setUp(http, base);
            AtomicLong counter = new AtomicLong();
            IntSupplier restCall = () -> {
                String body = SLICE.formatted("s-" + counter.incrementAndGet());
                return send(http, HttpRequest.newBuilder(URI.create(base + "/accounts/" + ACCOUNT + "/endpointslices"))
                    .header("Authorization", bearer).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), 201);
            };

            SchemaRegistryClient registry = new SchemaRegistryClient(platform.schemaRegistryUrl());
            try (KafkaProducer<String, CommandEnvelope> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new AvroSerializer<>(registry))) {
                IntSupplier rawCall = () -> {
                    CommandEnvelope command = command("s-raw-" + counter.incrementAndGet());
                    try {
                        producer.send(new ProducerRecord<>(RAW_TOPIC, command.getTargetAggregateId(), command)).get();
                        return 1;
                    } catch (Exception e) {
                        throw new IllegalStateException("raw send failed", e);
                    }
                };
                IntSupplier busCall = () -> {
                    CommandEnvelope command = command("s-bus-" + counter.incrementAndGet());
                    try {
                        CommandResult result = decider.commandBus().submit(command, Duration.ofSeconds(60));
                        if (!result.getAccepted()) {
                            throw new IllegalStateException("rejected: " + result.getRejection());
                        }
                        return 1;
                    } catch (Exception e) {
                        throw new IllegalStateException("bus submit failed", e);
                    }
                };
                // Warm every path (JIT, connections, schema registration), then measure one after the other.
                run("warm-up rest", restCall, callers, 5);
                run("warm-up bus", busCall, callers, 5);
                run("warm-up raw", rawCall, callers, 5);
                double rest = run("REST", restCall, callers, seconds);
                double bus = run("CommandBus, no HTTP", busCall, callers, seconds);
                double raw = run("raw producer, same callers", rawCall, callers, seconds);
                double pipelined = pipelined(producer, seconds);
                System.out.printf("%n| path | callers | durable commands/s | ratio to raw (same callers) | ratio to raw pipelined |%n");
                System.out.printf("|---|---|---|---|---|%n");
                System.out.printf("| raw acks=all producer, pipelined | async | %.0f | %.2f | 1.00 |%n", pipelined, pipelined / raw);
                System.out.printf("| raw acks=all producer, send().get() | %d | %.0f | 1.00 | %.3f |%n", callers, raw, raw / pipelined);
                System.out.printf("| CommandBus.submit, no HTTP (decided, durable, readable) | %d | %.0f | %.4f | %.5f |%n",
                    callers, bus, bus / raw, bus / pipelined);
                System.out.printf("| REST POST endpointslices (decided, durable, readable) | %d | %.0f | %.4f | %.5f |%n",
                    callers, rest, rest / raw, rest / pipelined);
                System.out.printf("REST / CommandBus = %.2f (what HTTP, auth and JSON mapping cost on top of the decider)%n",
                    rest / bus);
            }
            api.close();
            decider.close();
        }
    }

    /** Admin creates the account and a user; the user trades its password for a bearer token. */
    private static String setUp(HttpClient http, String base) {
        String admin = "Basic " + Base64.getEncoder().encodeToString("admin@system:bench-admin-pw".getBytes(StandardCharsets.UTF_8));
        post(http, base + "/accounts", "{\"account\":\"" + ACCOUNT + "\"}", admin, 201);
        post(http, base + "/accounts/" + ACCOUNT + "/users", "{\"username\":\"bench\",\"password\":\"bench-password\"}", admin, 201);
        String user = "Basic " + Base64.getEncoder().encodeToString(("bench@" + ACCOUNT + ":bench-password").getBytes(StandardCharsets.UTF_8));
        String json = post(http, base + "/tokens", "", user, 201);
        String token = json.replaceAll(".*\"token\"\\s*:\\s*\"([^\"]+)\".*", "$1");
        return "Bearer " + token;
    }

    private static String post(HttpClient http, String url, String body, String auth, int expected) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", auth)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != expected) {
                throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
            }
            return r.body();
        } catch (Exception e) {
            throw new IllegalStateException("POST " + url + " failed", e);
        }
    }

    private static int send(HttpClient http, HttpRequest request, int expected) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != expected) {
                throw new IllegalStateException(request.uri() + " answered " + r.statusCode() + ": " + r.body());
            }
            return 1;
        } catch (Exception e) {
            throw new IllegalStateException(request.method() + " " + request.uri() + " failed", e);
        }
    }

    /** {@code callers} threads call {@code op} back to back for {@code seconds}; completed calls per second. */
    private static double run(String label, IntSupplier op, int callers, int seconds) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        long start = System.nanoTime();
        AtomicLong done = new AtomicLong();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> workers = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                workers.add(pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        done.addAndGet(op.getAsInt());
                    }
                }));
            }
            for (Future<?> w : workers) {
                w.get();
            }
        }
        double rate = done.get() / ((System.nanoTime() - start) / 1e9);
        System.out.printf("%s: %d in %d s = %.0f/s%n", label, done.get(), seconds, rate);
        return rate;
    }

    /** The producer's best case: async sends for {@code seconds}, counting acknowledged records. */
    private static double pipelined(KafkaProducer<String, CommandEnvelope> producer, int seconds) {
        AtomicLong acked = new AtomicLong();
        long start = System.nanoTime();
        long end = start + Duration.ofSeconds(seconds).toNanos();
        long n = 0;
        while (System.nanoTime() < end) {
            CommandEnvelope command = command("s-pipe-" + n++);
            producer.send(new ProducerRecord<>(RAW_TOPIC, command.getTargetAggregateId(), command), (md, e) -> {
                if (e != null) {
                    throw new IllegalStateException("pipelined send failed", e);
                }
                acked.incrementAndGet();
            });
        }
        producer.flush();
        double rate = acked.get() / ((System.nanoTime() - start) / 1e9);
        System.out.printf("raw producer, pipelined: %d acked = %.0f/s%n", acked.get(), rate);
        return rate;
    }

    /** The same command the REST side produces for one endpoint slice. */
    private static CommandEnvelope command(String name) {
        UpsertEndpointSlice slice = new UpsertEndpointSlice(ACCOUNT, "default", name, "web", null,
            List.of(new EndpointPort("http", 8080, TransportProtocol.TCP)),
            List.of(new Endpoint(List.of("10.1.0.5"), new EndpointConditions(true, null, null), "node-1",
                "198.51.100.7", null)));
        return new CommandEnvelope(UUID.randomUUID().toString(), new Actor(ActorKind.USER, "bench@" + ACCOUNT, ACCOUNT),
            ACCOUNT, "endpointslice/" + ACCOUNT + "/default/" + name, null, Instant.now(), slice);
    }
}
