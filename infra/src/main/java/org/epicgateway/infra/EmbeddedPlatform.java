package org.epicgateway.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.epicgateway.infra.kafka.EmbeddedKafka;
import org.epicgateway.infra.kafka.TopicSetup;
import org.epicgateway.infra.registry.EmbeddedRegistry;
import org.epicgateway.platform.KafkaConnection;
import org.epicgateway.platform.PlatformContext;

/**
 * EPIC's embedded default on one machine: a KRaft Kafka broker in this JVM, the Apicurio schema registry as a child
 * process storing into that broker, and every topic of {@link org.epicgateway.schemas.Topics} with its configs.
 *
 * <p>Everything lives under one data directory ({@code kafka/}, {@code registry/}, and {@code state/<service>} for the
 * services), so starting again on the same directory keeps all events, schemas and service state.
 *
 * <p>Integration tests use {@link #sharedForTests()}: one platform per test JVM, since the registry alone takes
 * 20-30 s to start.
 */
public final class EmbeddedPlatform implements AutoCloseable {

    private static EmbeddedPlatform shared;

    private final Path dataDir;
    private final EmbeddedKafka kafka;
    private final CompletableFuture<StartedRegistry> registry;
    private final String registryUrl;
    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final boolean sharedInstance;
    private boolean closed;

    /** The registry and how long after the platform's start it answered. */
    private record StartedRegistry(EmbeddedRegistry registry, Duration readyAfter) {
    }

    private EmbeddedPlatform(Path dataDir, EmbeddedKafka kafka, CompletableFuture<StartedRegistry> registry,
            int registryPort, boolean sharedInstance) {
        this.dataDir = dataDir;
        this.kafka = kafka;
        this.registry = registry;
        this.registryUrl = EmbeddedRegistry.confluentUrl(registryPort);
        this.sharedInstance = sharedInstance;
    }

    /** Starts the platform on free ports with its data under {@code dataDir}. */
    public static EmbeddedPlatform start(Path dataDir) {
        return start(dataDir, 0, 0);
    }

    /**
     * Starts the platform and returns once the broker serves, the topics exist and the registry answers.
     *
     * @param kafkaPort    the Kafka client port on 127.0.0.1, or 0 for a free one
     * @param registryPort the registry's HTTP port on 127.0.0.1, or 0 for a free one
     */
    public static EmbeddedPlatform start(Path dataDir, int kafkaPort, int registryPort) {
        return startKafka(dataDir, kafkaPort, registryPort, false).awaitRegistry();
    }

    /**
     * Starts the platform and returns once the broker serves and the topics exist, with the registry still starting
     * (most of the platform's start-up time is the registry's JVM): what needs only Kafka, such as restoring Kafka
     * Streams state, can start meanwhile. {@link #awaitRegistry()} waits for the registry; its URL is known at once.
     */
    public static EmbeddedPlatform startKafka(Path dataDir, int kafkaPort, int registryPort) {
        return startKafka(dataDir, kafkaPort, registryPort, false);
    }

    private static EmbeddedPlatform startKafka(Path dataDir, int kafkaPort, int registryPort, boolean sharedInstance) {
        long started = System.nanoTime();
        Path dir = dataDir.toAbsolutePath();
        int port = kafkaPort == 0 ? FreePorts.pick() : kafkaPort;
        int httpPort = registryPort == 0 ? FreePorts.pick() : registryPort;
        // The registry's JVM boots for most of its start-up time without needing Kafka (its client retries), so it
        // starts alongside the broker instead of after it.
        CompletableFuture<StartedRegistry> registry = CompletableFuture.supplyAsync(
                () -> new StartedRegistry(EmbeddedRegistry.start("127.0.0.1:" + port, dir.resolve("registry"), httpPort),
                        Duration.ofNanos(System.nanoTime() - started)),
                r -> new Thread(r, "epic-registry-start").start());
        EmbeddedKafka kafka;
        try {
            kafka = EmbeddedKafka.start(dir.resolve("kafka"), port);
            try (Admin admin = kafka.admin()) {
                EmbeddedRegistry.createStorageTopics(admin);
                TopicSetup.ensure(admin);
            }
        } catch (RuntimeException e) {
            registry.thenAccept(r -> r.registry().close());
            throw e;
        }
        return new EmbeddedPlatform(dir, kafka, registry, httpPort, sharedInstance);
    }

    /**
     * Waits until the registry answers (it started with the broker); if it failed to start, stops the broker and
     * throws why.
     *
     * @return this platform
     */
    public EmbeddedPlatform awaitRegistry() {
        try {
            registry.join();
            return this;
        } catch (CompletionException e) {
            kafka.close();
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** How long after the platform's start the registry answered; waits for it. */
    public Duration registryReadyAfter() {
        return awaitRegistry().registry.join().readyAfter();
    }

    /**
     * The platform every integration test of this JVM shares, started on first use in a temporary directory and
     * stopped (and deleted) when the JVM exits. Tests must not close it, and should use their own ids (aggregate
     * ids, consumer groups, Streams application ids) since they share the topics.
     */
    public static synchronized EmbeddedPlatform sharedForTests() {
        if (shared == null) {
            Path dir;
            try {
                dir = Files.createTempDirectory("epic-test-platform-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a temporary directory for the test platform", e);
            }
            EmbeddedPlatform platform = startKafka(dir, 0, 0, true).awaitRegistry();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                platform.stop();
                Directories.deleteRecursively(dir);
            }, "epic-test-platform-stop"));
            shared = platform;
        }
        return shared;
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** A Kafka client's configuration for this platform: plaintext, no principal. */
    public Map<String, Object> kafkaClient() {
        return KafkaConnection.plaintext(bootstrapServers()).client("test");
    }

    /** The Confluent-compatible schema registry API. */
    public String schemaRegistryUrl() {
        return registryUrl;
    }

    public Path dataDir() {
        return dataDir;
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    /** The registry, once started (waits for it). */
    public EmbeddedRegistry registry() {
        return awaitRegistry().registry.join().registry();
    }

    /** The platform's meter registry; {@code epic up} serves it for Prometheus. */
    public PrometheusMeterRegistry meters() {
        return meters;
    }

    /** What {@link PlatformService}s get: the addresses above, the data directory and the meter registry. */
    public PlatformContext context() {
        return new PlatformContext(bootstrapServers(), schemaRegistryUrl(), dataDir, meters);
    }

    /** Stops the registry, then the broker. The {@link #sharedForTests()} instance refuses: it stops at JVM exit. */
    @Override
    public void close() {
        if (sharedInstance) {
            throw new IllegalStateException("the shared test platform is stopped when the JVM exits; do not close it");
        }
        stop();
    }

    private synchronized void stop() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            // A registry still starting is stopped as soon as its start returns (or fails on the stopped broker).
            registry.thenAccept(r -> r.registry().close());
        } finally {
            kafka.close();
            meters.close();
        }
    }
}
