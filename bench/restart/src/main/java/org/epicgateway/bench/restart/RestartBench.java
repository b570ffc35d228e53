package org.epicgateway.bench.restart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Time until {@code ./epic up} serves again after {@code kill -9}, with a log of N events against the same restart of
 * an empty log, in the same run. Drives the platform as a user does: {@code ./epic up} is a child process on its own
 * ports and data directory, the events are written through the REST API (durable commands: endpoint-slice upserts,
 * the most frequent write, 1,000 per batch request), the kill is SIGKILL of the JVM (the registry child dies with it), and "ready" is the
 * moment the restarted platform answers an authenticated read AND a durable write, measured from the restart's spawn.
 *
 * <p>Arguments: [events (default 1000000)] [concurrent batch writers (default 8)] [repository root (default .)].
 */
public final class RestartBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCOUNT = "restart";
    private static final String PASSWORD = "restart-bench-user-1";
    private static final String ADMIN_PASSWORD = "restart-bench-admin-1";
    /** Slices written round-robin: enough that batches in flight at once never hold the same slice. */
    private static final int SLICES = 100_000;
    private static final int BATCH = 1_000;

    private final Path repo;
    /** The restarted platform's own "ready ... (breakdown)" line. */
    private volatile String lastReadyLine = "";
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();

    private RestartBench(Path repo) {
        this.repo = repo;
    }

    public static void main(String[] args) throws Exception {
        long events = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        int writers = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        RestartBench bench = new RestartBench(Path.of(args.length > 2 ? args[2] : ".").toAbsolutePath().normalize());
        System.out.printf("restart bench: %,d events, %d writers, load average %s%n", events, writers, load());
        Restart empty = bench.killAndRestart(Files.createTempDirectory("epic-restart-empty-"), 0, writers);
        Restart full = bench.killAndRestart(Files.createTempDirectory("epic-restart-full-"), events, writers);
        System.out.printf("%n| log | events | ready after kill -9 (s) | its own breakdown |%n|---|---|---|---|%n");
        for (Restart r : List.of(empty, full)) {
            System.out.printf("| %s | %,d | %.1f | %s |%n", r == empty ? "empty (baseline)" : "loaded", r.events,
                r.seconds, r.breakdown);
        }
        System.out.printf("ratio loaded/empty: %.2f; load average at the end %s%n", full.seconds / empty.seconds, load());
    }

    record Restart(long events, double seconds, String breakdown) {
    }

    /** Starts the platform on {@code data}, writes {@code events} events, kills it, restarts it and times the restart. */
    private Restart killAndRestart(Path data, long events, int writers) throws Exception {
        Process first = up(data);
        long written;
        try {
            String api = awaitReady(first, data, 0);
            written = load(api, events, writers);
        } finally {
            first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        long spawned = System.nanoTime();
        long restartFrom = Files.size(console(data));
        Process second = up(data);
        try {
            String api = awaitReady(second, data, restartFrom);
            String breakdown = String.format("ready line after %.1f s; %s", (System.nanoTime() - spawned) / 1e9,
                lastReadyLine);
            String bearer = token(api);
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (!(get(api + "/accounts/" + ACCOUNT, bearer) == 200 && upsert(api, bearer, 0, -1) / 100 == 2)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the restarted platform did not serve a read and a write in 5 min");
                }
                Thread.sleep(20);
            }
            double seconds = (System.nanoTime() - spawned) / 1e9;
            System.out.printf("restart with %,d events: serving after %.1f s%n", written, seconds);
            return new Restart(written, seconds, breakdown);
        } finally {
            second.destroy();
            second.waitFor(60, TimeUnit.SECONDS);
        }
    }

    private Process up(Path data) throws IOException {
        // The console goes to a file beside the data, not a pipe: nothing has to drain it, and a failed start can
        // be read afterwards.
        ProcessBuilder up = new ProcessBuilder(repo.resolve("epic").toString(), "up", "--data-dir", data.toString(),
            "--kafka-port", "29092", "--registry-port", "28081", "--api-port", "28080")
            .directory(repo.toFile()).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(console(data).toFile()));
        up.environment().put("EPIC_ADMIN_PASSWORD", ADMIN_PASSWORD);
        return up.start();
    }

    private static Path console(Path data) {
        return data.resolveSibling(data.getFileName() + ".console.log");
    }

    /** Waits for the child's ready line in its console file (from {@code from} on); returns the REST API's base URL. */
    private String awaitReady(Process p, Path data, long from) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (true) {
            String api = null;
            byte[] bytes = Files.readAllBytes(console(data));
            int start = (int) Math.min(from, bytes.length);
            for (String line : new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("EPIC is up")) {
                    lastReadyLine = line.substring(line.indexOf("ready"));
                } else if (line.contains("command-api REST API") && api == null) {
                    api = line.substring(line.indexOf("http")).strip();
                }
            }
            if (api != null) {
                return api;
            }
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("./epic up " + (p.isAlive() ? "not ready after 5 min" : "exited (exit "
                    + p.exitValue() + ")") + " before it was ready; its console: " + console(data));
            }
            Thread.sleep(50);
        }
    }

    /** Admin setup on the first run, then endpoint-slice upserts until {@code events} were acknowledged. */
    private long load(String api, long events, int writers) throws Exception {
        String admin = basic("admin@system", ADMIN_PASSWORD);
        post(api + "/accounts", "{\"account\":\"" + ACCOUNT + "\"}", admin);
        post(api + "/accounts/" + ACCOUNT + "/users", "{\"username\":\"bench\",\"password\":\"" + PASSWORD + "\"}", admin);
        if (events == 0) {
            return 0;
        }
        String bearer = token(api);
        AtomicLong done = new AtomicLong();
        AtomicLong next = new AtomicLong();
        long started = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> all = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                all.add(pool.submit(() -> {
                    for (long first; (first = next.getAndAdd(BATCH)) < events; ) {
                        long count = Math.min(BATCH, events - first);
                        StringBuilder items = new StringBuilder();
                        for (long i = first; i < first + count; i++) {
                            items.append(i == first ? "" : ",").append(slice((int) (i % SLICES), i));
                        }
                        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(
                                URI.create(api + "/accounts/" + ACCOUNT + "/batch")).timeout(Duration.ofSeconds(60))
                            .header("Authorization", bearer).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"items\":[" + items + "]}")).build(),
                            HttpResponse.BodyHandlers.ofString());
                        long durable = 0;
                        JsonNode refused = null;
                        for (JsonNode item : JSON.readTree(answer.body()).path("results")) {
                            if (item.path("status").asInt() / 100 == 2) {
                                durable++;
                            } else if (refused == null) {
                                refused = item;
                            }
                        }
                        if (answer.statusCode() != 200 || durable != count) {
                            throw new IllegalStateException("batch of " + count + ": " + answer.statusCode() + ", "
                                + durable + " durable; first refused: " + refused);
                        }
                        long n = done.addAndGet(count);
                        if (n / 50_000 != (n - count) / 50_000) {
                            System.out.printf("  loaded %,d of %,d events (%.0f/s)%n", n, events,
                                n / ((System.nanoTime() - started) / 1e9));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        }
        return done.get();
    }

    /** One endpoint slice as a batch item; {@code generation} varies its port so every upsert is a new event. */
    private static String slice(int slice, long generation) {
        return """
            {"kind":"EndpointSlice","name":"s%d","serviceName":"web","ports":[{"name":"http","port":%d,"protocol":"TCP"}],
             "endpoints":[{"addresses":["10.%d.%d.%d"],"conditions":{"ready":true},"nodeName":"node-1",
             "nodeAddress":"198.51.100.7"}]}""".formatted(slice, 1024 + Math.floorMod(generation, 60_000),
            1 + slice / 62_500, slice / 250 % 250, 1 + slice % 250);
    }

    /** One endpoint-slice upsert through the batch endpoint (create or replace); returns the HTTP status. */
    private int upsert(String api, String bearer, int slice, long generation) {
        try {
            return send(HttpRequest.newBuilder(URI.create(api + "/accounts/" + ACCOUNT + "/batch"))
                .header("Authorization", bearer).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"items\":[" + slice(slice, generation) + "]}")));
        } catch (IOException e) {
            return 599;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 599;
        }
    }

    private String token(String api) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(api + "/tokens"))
            .header("Authorization", basic("bench@" + ACCOUNT, PASSWORD)).POST(HttpRequest.BodyPublishers.noBody())
            .build(), HttpResponse.BodyHandlers.ofString());
        JsonNode token = JSON.readTree(r.body()).get("token");
        if (token == null) {
            throw new IllegalStateException("login failed: " + r.statusCode() + " " + r.body());
        }
        return "Bearer " + token.asText();
    }

    private int get(String url, String auth) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", auth).GET());
    }

    private void post(String url, String body, String auth) throws IOException, InterruptedException {
        int status = send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", auth)
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
        if (status != 201 && status != 409) {
            throw new IllegalStateException("POST " + url + " answered " + status);
        }
    }

    private int send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.discarding())
            .statusCode();
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ", 4)[0];
        } catch (IOException e) {
            return "?";
        }
    }
}
