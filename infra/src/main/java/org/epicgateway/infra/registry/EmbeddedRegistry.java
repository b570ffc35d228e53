package org.epicgateway.infra.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.epicgateway.infra.FreePorts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real Apicurio Registry 3.3.3 server as a child process, storing its schemas in Kafka (kafkasql storage), so a
 * restart keeps them. This is the only place in the code base that starts a schema registry; everything else reaches
 * it through the Confluent-compatible API at {@link #confluentUrl()}.
 *
 * <p>Global compatibility is set to BACKWARD on every start (Apicurio's default is NONE, Confluent's is BACKWARD).
 * The child's output goes to {@code registry.log} in the caller's directory. The child ends with this JVM: {@link #close()}
 * or a shutdown hook stops it, and since it is launched through util-linux {@code setpriv --pdeathsig} the kernel
 * also kills it if this JVM is killed outright.
 */
public final class EmbeddedRegistry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedRegistry.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int port;
    private final Process process;
    private final Path logFile;
    private final Thread shutdownHook;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private EmbeddedRegistry(int port, Process process, Path logFile) {
        this.port = port;
        this.process = process;
        this.logFile = logFile;
        this.shutdownHook = new Thread(this::stopProcess, "epic-registry-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** The kafkasql storage's topics under Apicurio's default names, with the settings its start-up check demands. */
    private static final Map<String, String> STORAGE_TOPIC_CONFIGS = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG,
            TopicConfig.CLEANUP_POLICY_DELETE, TopicConfig.RETENTION_MS_CONFIG, "-1", TopicConfig.RETENTION_BYTES_CONFIG, "-1");
    private static final List<String> STORAGE_TOPICS = List.of("kafkasql-journal", "kafkasql-snapshots", "registry-events");
    private static final Duration STORAGE_TOPICS_TIMEOUT = Duration.ofSeconds(60);

    /**
     * Creates the registry's storage topics if missing and returns once the broker describes them. Apicurio creates
     * them itself and describes their configs at once; a broker that has not applied the new topics yet answers
     * UNKNOWN_TOPIC_OR_PARTITION and the registry never initialises its storage (its API answers 500) or exits. Seen
     * on two of three first starts on Kafka 4.4.0 at load 20-30. Called once the broker is up, while the registry's
     * JVM still boots (10 s or more): by the time it looks, the topics exist and are known.
     */
    public static void createStorageTopics(Admin admin) {
        long deadline = System.nanoTime() + STORAGE_TOPICS_TIMEOUT.toNanos();
        try {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = STORAGE_TOPICS.stream().filter(t -> !existing.contains(t))
                    .map(t -> new NewTopic(t, 1, (short) 1).configs(STORAGE_TOPIC_CONFIGS)).toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get();
            }
            List<ConfigResource> resources = STORAGE_TOPICS.stream()
                    .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
            while (true) {
                try {
                    admin.describeConfigs(resources).all().get();
                    return;
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                        throw e;
                    }
                }
                sleep(Duration.ofMillis(50));
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create the registry's storage topics " + STORAGE_TOPICS + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the registry's storage topics", e);
        }
    }

    /** Starts the registry on a free port, storing into the Kafka at {@code kafkaBootstrap}, logging under {@code dir}. */
    public static EmbeddedRegistry start(String kafkaBootstrap, Path dir) {
        return start(kafkaBootstrap, dir, 0);
    }

    /**
     * Starts the registry and returns once it serves the Confluent-compatible API with global compatibility BACKWARD.
     *
     * @param httpPort the API port on 127.0.0.1, or 0 for a free one
     */
    public static EmbeddedRegistry start(String kafkaBootstrap, Path dir, int httpPort) {
        if (Runtime.version().feature() < 21) {
            throw new IllegalStateException("Apicurio Registry " + ApicurioDistribution.VERSION + " needs Java 21 or newer; this JVM ("
                    + System.getProperty("java.home") + ") is " + Runtime.version());
        }
        Path runJar = ApicurioDistribution.quarkusRunJar();
        int port = httpPort == 0 ? FreePorts.pick() : httpPort;
        int managementPort = FreePorts.pick();
        Path logFile = dir.resolve("registry.log");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create registry directory " + dir, e);
        }
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(SETPRIV)) {
            // KILL, not TERM: when this JVM dies its in-process broker dies too, and the registry's graceful
            // shutdown would wait forever for that broker.
            command.addAll(List.of(SETPRIV.toString(), "--pdeathsig", "KILL", "--"));
        }
        command.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // A small, quickly started JVM: the registry serves a handful of lookups, and the machine is shared.
                "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.management.host=127.0.0.1",
                "-Dquarkus.management.port=" + managementPort,
                "-Dapicurio.storage.kind=kafkasql",
                "-Dapicurio.kafkasql.bootstrap.servers=" + kafkaBootstrap,
                // At start the registry polls its snapshots topic until one poll comes back empty; with the default
                // 5 s per poll that wait is ~10 s of every start. A missed snapshot only means replaying the journal.
                "-Dapicurio.kafkasql.consumer.poll.timeout=1000",
                // BACKWARD from the first request, not only once start() has set it: services may register schemas
                // while this start still waits for the registry (EmbeddedPlatform.startKafka).
                "-Dapicurio.rules.global.compatibility=BACKWARD",
                "-jar", runJar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(runJar.getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        EmbeddedRegistry registry = new EmbeddedRegistry(port, launch(builder), logFile);
        try {
            registry.awaitReady();
            registry.setGlobalCompatibility("BACKWARD");
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
        return registry;
    }

    /** The Confluent Schema Registry compatible API, e.g. {@code http://127.0.0.1:8081/apis/ccompat/v7}. */
    public String confluentUrl() {
        return confluentUrl(port);
    }

    /** The Confluent-compatible API of a registry started on {@code port}, known before it answers. */
    public static String confluentUrl(int port) {
        return "http://127.0.0.1:" + port + "/apis/ccompat/v7";
    }

    public Path logFile() {
        return logFile;
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // The hook is running or about to; stopping twice is harmless.
        }
        stopProcess();
    }

    /**
     * Starts the child from a thread that lives exactly as long as the child: {@code --pdeathsig} fires when the
     * parent <em>thread</em> ends, so the launching thread must not be a short-lived caller's thread.
     */
    private static Process launch(ProcessBuilder builder) {
        CompletableFuture<Process> started = new CompletableFuture<>();
        Thread supervisor = new Thread(() -> {
            Process p;
            try {
                p = builder.start();
            } catch (IOException | RuntimeException e) {
                started.completeExceptionally(e);
                return;
            }
            started.complete(p);
            try {
                int exit = p.waitFor();
                log.debug("registry process exited with {}", exit);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "epic-registry-supervisor");
        supervisor.setDaemon(true);
        supervisor.start();
        try {
            return started.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot start the registry: " + String.join(" ", builder.command()), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the registry", e);
        }
    }

    private void stopProcess() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                log.warn("registry did not stop within {}; killing it", STOP_TIMEOUT);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** Waits until the API answers from its storage, which happens only after the journal in Kafka is replayed. */
    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(confluentUrl() + "/config")).timeout(Duration.ofSeconds(5)).build();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the registry exited with " + process.exitValue() + " while starting; its log "
                        + logFile + " ends with:\n" + logTail());
            }
            try {
                if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // Keep polling until the deadline.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the registry", e);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the registry did not answer on " + confluentUrl() + " within " + READY_TIMEOUT
                        + "; its log " + logFile + " ends with:\n" + logTail());
            }
            sleep(Duration.ofMillis(250));
        }
    }

    private void setGlobalCompatibility(String level) {
        String url = confluentUrl() + "/config";
        try {
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Content-Type", CONTENT_TYPE)
                    .PUT(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode().put("compatibility", level).toString()))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (put.statusCode() != 200) {
                throw new IllegalStateException("PUT " + url + " answered " + put.statusCode() + ": " + put.body());
            }
            String effective = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).path("compatibilityLevel").asText();
            if (!level.equals(effective)) {
                throw new IllegalStateException("the registry's global compatibility is " + effective + " after setting " + level);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set the registry's global compatibility at " + url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while configuring the registry", e);
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e + ")";
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
