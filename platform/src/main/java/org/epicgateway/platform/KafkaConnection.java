package org.epicgateway.platform;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * How the platform's services reach Kafka: the bootstrap servers and the client settings every client of a service
 * gets (security protocol, TLS trust, SASL mechanism and credentials). In production each service is its own Kafka
 * principal, so a key {@code service.<name>.<setting>} applies to the service of that {@link PlatformService#name()}
 * only (for example {@code service.decider.sasl.jaas.config}); other keys apply to all. The file format is the one of
 * Kafka's own tools' {@code --command-config}: a properties file of client settings.
 *
 * @param bootstrapServers the Kafka bootstrap servers
 * @param settings         client settings, as read from the file (keys {@code service.<name>.*} included)
 */
public record KafkaConnection(String bootstrapServers, Map<String, String> settings) {

    private static final String SERVICE_PREFIX = "service.";

    public KafkaConnection {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("Kafka bootstrap servers are missing");
        }
        settings = Map.copyOf(settings);
        for (String key : settings.keySet()) {
            if (key.equals("bootstrap.servers") || key.endsWith(".bootstrap.servers")) {
                throw new IllegalArgumentException("Kafka client settings: '" + key + "' is not allowed here: the bootstrap "
                        + "servers are given once, as " + bootstrapServers + " (--bootstrap-servers)");
            }
            if (key.startsWith(SERVICE_PREFIX) && key.indexOf('.', SERVICE_PREFIX.length()) < 0) {
                throw new IllegalArgumentException("Kafka client settings: '" + key + "' names no setting: write "
                        + "service.<service name>.<client setting>, e.g. service.decider.sasl.jaas.config");
            }
        }
    }

    /** No settings: plaintext, unauthenticated, as the embedded platform runs. */
    public static KafkaConnection plaintext(String bootstrapServers) {
        return new KafkaConnection(bootstrapServers, Map.of());
    }

    /** The bootstrap servers with the client settings of a properties file. */
    public static KafkaConnection load(String bootstrapServers, Path settingsFile) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(settingsFile)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Kafka client settings " + settingsFile + ": " + e.getMessage(), e);
        }
        Map<String, String> settings = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> settings.put(k, p.getProperty(k).strip()));
        return new KafkaConnection(bootstrapServers, settings);
    }

    /**
     * The configuration of a client of the service {@code service}: the bootstrap servers, the common settings, then
     * the service's own, which win. Callers add their client's own settings (acks, isolation level, ...) on top.
     */
    public Map<String, Object> client(String service) {
        Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", bootstrapServers);
        String own = SERVICE_PREFIX + service + ".";
        settings.forEach((key, value) -> {
            if (!key.startsWith(SERVICE_PREFIX)) {
                config.put(key, value);
            }
        });
        settings.forEach((key, value) -> {
            if (key.startsWith(own)) {
                config.put(key.substring(own.length()), value);
            }
        });
        return config;
    }

    /** A client's configuration: the service's {@code kafkaClient} with the client's own settings on top. */
    public static Map<String, Object> with(Map<String, Object> kafkaClient, Map<String, ?> own) {
        Map<String, Object> config = new HashMap<>(kafkaClient);
        config.putAll(own);
        return config;
    }

    /** The settings with secrets (passwords, JAAS configs, keys) masked, for logs and start-up listings. */
    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>();
        settings.forEach((k, v) -> shown.put(k, k.contains("password") || k.contains("jaas") || k.contains(".key") ? "(hidden)" : v));
        return "KafkaConnection[" + bootstrapServers + ", " + shown + "]";
    }
}
