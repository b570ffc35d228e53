package org.epicgateway.cli.up;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.platform.PlatformContext;
import org.epicgateway.platform.PlatformService;

/**
 * The services with what they run on, started together and stopped in reverse: the embedded platform and the JVM
 * meters ({@code epic up}), or a Kafka and registry that run elsewhere ({@code epic run}).
 */
final class RunningEpic implements AutoCloseable {

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

    /** Starts the embedded platform, then the services; if any part fails, stops what runs and throws naming it. */
    static RunningEpic start(Path dataDir, int kafkaPort, int registryPort, List<PlatformService> services) {
        long t0 = System.nanoTime();
        EmbeddedPlatform platform = EmbeddedPlatform.start(dataDir, kafkaPort, registryPort);
        RunningEpic epic = new RunningEpic(platform, platform.meters());
        epic.startTimes.put("Kafka + registry", Duration.ofNanos(System.nanoTime() - t0));
        return epic.startServices(platform.context(), services);
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
            for (PlatformService service : services) {
                long started = System.nanoTime();
                try {
                    service.start(context);
                } catch (Exception e) {
                    throw new IllegalStateException("service " + service.name() + " failed to start: " + e.getMessage(), e);
                }
                running.add(service);
                startTimes.put(service.name(), Duration.ofNanos(System.nanoTime() - started));
                service.urls().forEach((label, url) -> urls.put(service.name() + " " + label, url));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        return this;
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
