package org.epicgateway.cli.audit;

import org.epicgateway.projections.audit.EventLog;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import picocli.CommandLine.Option;

/** Where the log is: by default, the platform {@code ./epic up} runs on this machine. */
public final class PlatformOptions {

  @Option(names = "--bootstrap-server", defaultValue = "127.0.0.1:9092",
      description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}, the embedded platform)")
  String bootstrapServers;

  @Option(names = "--schema-registry", defaultValue = "http://127.0.0.1:8081/apis/ccompat/v7",
      description = "Confluent-compatible schema registry URL (default: ${DEFAULT-VALUE})")
  String schemaRegistry;

  SchemaRegistryClient registry() {
    return new SchemaRegistryClient(schemaRegistry);
  }

  EventLog eventLog() {
    return new EventLog(bootstrapServers, registry());
  }
}
