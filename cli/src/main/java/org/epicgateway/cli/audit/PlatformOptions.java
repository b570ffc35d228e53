package org.epicgateway.cli.audit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.epicgateway.platform.KafkaConnection;
import org.epicgateway.projections.audit.EventLog;
import org.epicgateway.schemas.EventSeals;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import picocli.CommandLine.Option;

/** Where the log is: by default, the platform {@code ./epic up} runs on this machine. */
public final class PlatformOptions {

  @Option(names = "--bootstrap-server", defaultValue = "127.0.0.1:9092",
      description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}, the embedded platform)")
  String bootstrapServers;

  @Option(names = "--kafka-config", paramLabel = "FILE",
      description = "Kafka client settings (security.protocol, ssl.*, sasl.*) as for Kafka's own tools' --command-config")
  Path kafkaConfig;

  @Option(names = "--schema-registry", defaultValue = "http://127.0.0.1:8081/apis/ccompat/v7",
      description = "Confluent-compatible schema registry URL (default: ${DEFAULT-VALUE})")
  String schemaRegistry;

  @Option(names = "--chain-key", defaultValue = "${sys:epic.home:-.}/var/audit/chain.key",
      description = "the audit chain key file the decider seals events with (default: ${DEFAULT-VALUE})")
  Path chainKey;

  /** The key that verifies the seals; a missing file is an error, never a fresh key. */
  EventSeals seals() {
    if (!Files.isRegularFile(chainKey)) {
      throw new IllegalStateException("no audit chain key at " + chainKey + ": the seals of epic.events cannot be "
          + "verified without it (--chain-key <file>; `epic up` creates <data-dir>/audit/chain.key)");
    }
    return EventSeals.fromKeyFile(chainKey, Clock.systemUTC());
  }

  SchemaRegistryClient registry() {
    return new SchemaRegistryClient(schemaRegistry);
  }

  /** The operator's Kafka client configuration: the bootstrap servers and the settings of {@code --kafka-config}. */
  Map<String, Object> kafkaClient() {
    KafkaConnection kafka = kafkaConfig == null ? KafkaConnection.plaintext(bootstrapServers)
        : KafkaConnection.load(bootstrapServers, kafkaConfig);
    return kafka.client("operator");
  }

  EventLog eventLog() {
    return new EventLog(kafkaClient(), registry());
  }
}
