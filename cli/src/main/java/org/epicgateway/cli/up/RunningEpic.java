package org.epicgateway.cli.up;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.platform.PlatformContext;
import org.epicgateway.platform.PlatformService;

/**
 * The services with what they run on, started together and stopped in reverse: the embedded platform and the JVM
 * meters ({@code epic up}), or a Kafka and registry that run elsewhere ({@code epic run}).
 */
final class RunningEpic implements AutoCloseable {

    /** The registry's entry in {@link #startTimes}: from the platform's start, alongside the broker and services. */
    private static final String REGISTRY = "schema registry (alongside)";

    private final EmbeddedPlatform platform;
    private final PrometheusMeterRegistry meters;
    private final List<AutoCloseable> running = new ArrayList<>();
    private final Map<String, String> urls = new LinkedHashMap<>();
    private final Map<String, Duration> startTimes = new LinkedHashMap<>();
    private boolean closed;

    private RunningEpic(EmbeddedPlatform platform, PrometheusMeterRegistry meters) {
        this.platform = platform;
        this.meters = meters;
    }

    /**
     * Starts the embedded broker, then the services while the registry still starts: consecutive services that can
     * start before it start together, each other service once the registry answers. If any part fails, stops what
     * runs and throws naming it.
     */
    static RunningEpic start(Path dataDir, int kafkaPort, int registryPort, List<PlatformService> services) {
        long t0 = System.nanoTime();
        EmbeddedPlatform platform = EmbeddedPlatform.startKafka(dataDir, kafkaPort, registryPort);
        RunningEpic epic = new RunningEpic(platform, platform.meters());
        epic.startTimes.put("Kafka", Duration.ofNanos(System.nanoTime() - t0));
        try {
            epic.startServices(platform.context(), services);
            // Every service may have started before the registry; "up" includes the registry in any case.
            epic.awaitRegistry();
        } catch (RuntimeException e) {
            epic.close();
            throw e;
        }
        return epic;
    }

    /** Starts the services on a Kafka and registry that run elsewhere, as {@code context} names them. */
    static RunningEpic start(PlatformContext context, PrometheusMeterRegistry meters, List<PlatformService> services) {
        return new RunningEpic(null, meters).startServices(context, services);
    }

    private RunningEpic startServices(PlatformContext context, List<PlatformService> services) {
        try {
            running.add(JvmMeters.bind(meters));
            urls.put("Kafka bootstrap", context.kafka().bootstrapServers());
            urls.put("Schema registry", context.schemaRegistryUrl());
            for (int next = 0; next < services.size(); ) {
                int end = next;
                while (end < services.size() && services.get(end).startsBeforeRegistry()) {
                    end++;
                }
                if (end == next) {
                    awaitRegistry();
                    end = next + 1;
                }
                startTogether(context, services.subList(next, end));
                next = end;
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        return this;
    }

    /**
     * Starts the services at once, each on its own thread (the Streams services restore their stores in parallel
     * instead of one after the other), and records them in list order; throws the first failure once all returned.
     */
    private void startTogether(PlatformContext context, List<PlatformService> group) {
        List<CompletableFuture<Duration>> starts = group.stream().map(service -> CompletableFuture.supplyAsync(() -> {
            long started = System.nanoTime();
            try {
                service.start(context);
            } catch (Exception e) {
                throw new IllegalStateException("service " + service.name() + " failed to start: " + e.getMessage(), e);
            }
            return Duration.ofNanos(System.nanoTime() - started);
        }, task -> Thread.ofPlatform().name("epic-start-" + service.name()).start(task))).toList();
        RuntimeException failed = null;
        for (int i = 0; i < group.size(); i++) {
            PlatformService service = group.get(i);
            try {
                startTimes.put(service.name(), starts.get(i).join());
                running.add(service);
                service.urls().forEach((label, url) -> urls.put(service.name() + " " + label, url));
            } catch (CompletionException e) {
                if (failed == null) {
                    failed = e.getCause() instanceof RuntimeException r ? r : e;
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    /** Waits for the embedded registry (once; nothing to wait for on a registry elsewhere), recording when it answered. */
    private void awaitRegistry() {
        if (platform != null && !startTimes.containsKey(REGISTRY)) {
            platform.awaitRegistry();
            startTimes.put(REGISTRY, platform.registryReadyAfter());
        }
    }

    /** What is served, label to URL, in start order. */
    Map<String, String> urls() {
        return Collections.unmodifiableMap(urls);
    }

    /** How long each part took to start, in start order: where the time-to-ready goes. */
    Map<String, Duration> startTimes() {
        return Collections.unmodifiableMap(startTimes);
    }

    /** The embedded platform; {@code epic run} has none. */
    EmbeddedPlatform platform() {
        if (platform == null) {
            throw new IllegalStateException("no embedded platform: the services run on a Kafka elsewhere");
        }
        return platform;
    }

    /**
     * Services first, in reverse start order, then the registry and the broker they use.
     *
     * @return true if this call stopped everything, false if an earlier call already had
     */
    synchronized boolean stop() {
        if (closed) {
            return false;
        }
        closed = true;
        for (AutoCloseable c : running.reversed()) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("epic up: stopping " + c + " failed: " + e);
            }
        }
        if (platform != null) {
            platform.close();
        }
        return true;
    }

    synchronized boolean stopped() {
        return closed;
    }

    @Override
    public void close() {
        stop();
    }
}
