package org.epicgateway.xds.acks;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.epicgateway.platform.KafkaConnection;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends reports as commands to epic.commands (keyed by target aggregate, like every command) without waiting for
 * their result: the projector's ACK handling must not wait on the decider. Nothing is lost by not waiting: a report
 * that never reached Kafka is made again when the proxy reconnects and ACKs again, under the same command id.
 */
public final class CommandReports implements ConfigReports, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CommandReports.class);

  private final KafkaProducer<String, CommandEnvelope> producer;
  private final Clock clock;

  public CommandReports(Map<String, Object> kafkaClient, SchemaRegistryClient registry, Clock clock) {
    this.producer = new KafkaProducer<>(KafkaConnection.with(kafkaClient, Map.of(
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.LINGER_MS_CONFIG, 5)),
        new StringSerializer(), new AvroSerializer<>(registry));
    this.clock = clock;
  }

  @Override
  public void applied(String gatewayId, String nodeId, String version, List<String> sourceCommandIds) {
    send(() -> ReportCommands.applied(gatewayId, nodeId, version, sourceCommandIds, now()));
  }

  @Override
  public void rejected(String gatewayId, String nodeId, String version, String typeUrl, String errorDetail) {
    send(() -> ReportCommands.rejected(gatewayId, nodeId, version, typeUrl, errorDetail, now()));
  }

  @Override
  public void rolledBack(String gatewayId, String fromVersion, String toVersion, String reason) {
    send(() -> ReportCommands.rolledBack(gatewayId, fromVersion, toVersion, reason, now()));
  }

  private Instant now() {
    return Instant.ofEpochMilli(clock.millis());
  }

  private void send(Supplier<CommandEnvelope> report) {
    CommandEnvelope command;
    try {
      command = report.get();
    } catch (IllegalArgumentException e) {
      LOG.warn("not reporting: {}", e.getMessage()); // a node that names no gateway id cannot be reported on
      return;
    }
    producer.send(new ProducerRecord<>(Topics.COMMANDS, command.getTargetAggregateId(), command), (meta, error) -> {
      if (error != null) {
        LOG.error("could not send report {} ({}) to {}: {}", command.getCommandId(),
            command.getPayload().getClass().getSimpleName(), Topics.COMMANDS, error.getMessage());
      }
    });
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
