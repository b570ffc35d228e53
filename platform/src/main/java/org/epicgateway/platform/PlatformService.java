package org.epicgateway.platform;

import java.util.Map;

/**
 * A long-running part of EPIC that {@code epic up} starts on the platform (the decider, the projections, the REST
 * API, ...). {@code epic up} starts services in its list order and closes them in reverse order.
 */
public interface PlatformService extends AutoCloseable {

    /** A short product name for the start-up listing, e.g. "decider" or "command-api". */
    String name();

    /** Starts the service and returns once it serves (for Kafka Streams: once RUNNING). */
    void start(PlatformContext context) throws Exception;

    /**
     * Whether {@link #start} can run while the schema registry still starts: true for a service that only needs
     * Kafka to start (Kafka Streams restores its stores from changelogs as bytes) and reaches the registry later,
     * through a client that waits for it. {@code epic up} starts such services alongside the registry (consecutive ones
     * together), the others only once the registry answers.
     */
    default boolean startsBeforeRegistry() {
        return false;
    }

    /** What the service serves once started, label to URL, printed by {@code epic up}; empty when it serves nothing. */
    default Map<String, String> urls() {
        return Map.of();
    }

    /**
     * The Kafka topics, groups and transactional ids this service uses: in production its principal is granted these
     * and nothing more ({@code epic kafka-acls}).
     */
    KafkaAccess kafkaAccess();

    /** Whether the service serves right now (for Kafka Streams: RUNNING), read by {@code /healthz}; down before {@link #start}. */
    Health health();
}
