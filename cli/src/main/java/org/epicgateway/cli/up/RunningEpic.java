package org.epicgateway.cli.up;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.platform.PlatformContext;
import org.epicgateway.platform.PlatformService;

/** The embedded platform, the JVM meters and the services, started together and stopped in reverse. */
final class RunningEpic implements AutoCloseable {

    private final EmbeddedPlatform platform;
    private final List<AutoCloseable> running = new ArrayList<>();
    private final Map<String, String> urls = new LinkedHashMap<>();
    private final Map<String, Duration> startTimes = new LinkedHashMap<>();
    private boolean closed;

    private RunningEpic(EmbeddedPlatform platform) {
        this.platform = platform;
    }

    /** Starts everything; if any part fails, stops what already runs and throws naming the part. */
    static RunningEpic start(Path dataDir, int kafkaPort, int registryPort, List<PlatformService> services) {
        long t0 = System.nanoTime();
        RunningEpic epic = new RunningEpic(EmbeddedPlatform.start(dataDir, kafkaPort, registryPort));
        epic.startTimes.put("Kafka + registry", Duration.ofNanos(System.nanoTime() - t0));
        try {
            epic.running.add(JvmMeters.bind(epic.platform.meters()));
            epic.urls.put("Kafka bootstrap", epic.platform.bootstrapServers());
            epic.urls.put("Schema registry", epic.platform.schemaRegistryUrl());
            PlatformContext context = epic.platform.context();
            for (PlatformService service : services) {
                long started = System.nanoTime();
                try {
                    service.start(context);
                } catch (Exception e) {
                    throw new IllegalStateException("service " + service.name() + " failed to start: " + e.getMessage(), e);
                }
                epic.running.add(service);
                epic.startTimes.put(service.name(), Duration.ofNanos(System.nanoTime() - started));
                service.urls().forEach((label, url) -> epic.urls.put(service.name() + " " + label, url));
            }
        } catch (RuntimeException e) {
            epic.close();
            throw e;
        }
        return epic;
    }

    /** What is served, label to URL, in start order. */
    Map<String, String> urls() {
        return Collections.unmodifiableMap(urls);
    }

    /** How long each part took to start, in start order: where the time-to-ready goes. */
    Map<String, Duration> startTimes() {
        return Collections.unmodifiableMap(startTimes);
    }

    EmbeddedPlatform platform() {
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
        platform.close();
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
