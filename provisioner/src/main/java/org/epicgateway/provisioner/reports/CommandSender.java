package org.epicgateway.provisioner.reports;

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
 * Sends reports to epic.commands without waiting for their results, like the xds-projector's reports: a report that
 * never arrived is made again on the next reconcile (the state it is about has not moved), under the same id.
 */
public final class CommandSender implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CommandSender.class);
  private final KafkaProducer<String, CommandEnvelope> producer;

  /** @param kafkaClient the service's Kafka client settings (bootstrap servers, principal) */
  public CommandSender(Map<String, Object> kafkaClient, SchemaRegistryClient registry) {
    this.producer = new KafkaProducer<>(KafkaConnection.with(kafkaClient, Map.of(
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.LINGER_MS_CONFIG, 5)),
        new StringSerializer(), new AvroSerializer<>(registry));
  }

  public void send(CommandEnvelope command) {
    producer.send(new ProducerRecord<>(Topics.COMMANDS, command.getTargetAggregateId(), command), (meta, error) -> {
      if (error != null) {
        LOG.error("could not send {} ({}): {}", command.getCommandId(),
            command.getPayload().getClass().getSimpleName(), error.getMessage());
      }
    });
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
