package org.epicgateway.transport.report;

import java.time.Duration;
import java.util.Map;
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
 * Sends an agent's reports to epic.commands without waiting for their results: the agent must keep its node's data
 * path going whatever the decider does. A report lost with a crash is made again (heartbeats every few seconds,
 * apply failures on the next apply, a learned remote on the tunnel's next move).
 */
public final class CommandProducer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CommandProducer.class);

  private final KafkaProducer<String, CommandEnvelope> producer;

  /** {@code kafkaClient}: the agent's Kafka client settings ({@code KafkaConnection.client}). */
  public CommandProducer(Map<String, Object> kafkaClient, SchemaRegistryClient registry) {
    this.producer = new KafkaProducer<>(KafkaConnection.with(kafkaClient, Map.of(
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.LINGER_MS_CONFIG, 5)),
        new StringSerializer(), new AvroSerializer<>(registry));
  }

  public void send(CommandEnvelope command) {
    producer.send(new ProducerRecord<>(Topics.COMMANDS, command.getTargetAggregateId(), command), (meta, error) -> {
      if (error != null) {
        LOG.error("could not send report {} ({}) to {}: {}", command.getCommandId(),
            command.getPayload().getClass().getSimpleName(), Topics.COMMANDS, error.getMessage());
      }
    });
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
