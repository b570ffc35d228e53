package org.epicgateway.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * What a {@link PlatformService} gets from the platform it runs on.
 *
 * @param kafka             how to reach Kafka: bootstrap servers and each service's client settings
 * @param schemaRegistryUrl the Confluent-compatible schema registry API (the serde's {@code schema.registry.url})
 * @param dataDir           the platform's data directory; a service keeps its local state under {@link #stateDir}
 * @param meters            the process-wide meter registry that {@code epic up} serves for Prometheus
 */
public record PlatformContext(KafkaConnection kafka, String schemaRegistryUrl, Path dataDir, MeterRegistry meters) {

    /** A plaintext, unauthenticated Kafka, as the embedded platform runs it. */
    public PlatformContext(String bootstrapServers, String schemaRegistryUrl, Path dataDir, MeterRegistry meters) {
        this(KafkaConnection.plaintext(bootstrapServers), schemaRegistryUrl, dataDir, meters);
    }

    /** The configuration every Kafka client of {@code service} starts from (its principal, TLS, SASL). */
    public Map<String, Object> kafkaClient(PlatformService service) {
        return kafka.client(service.name());
    }

    /** {@code <dataDir>/state/<service>}, created if missing, e.g. a Kafka Streams {@code state.dir}. */
    public Path stateDir(String service) {
        Path dir = dataDir.resolve("state").resolve(service);
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create state directory " + dir, e);
        }
    }
}
