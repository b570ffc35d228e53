package org.epicgateway.schemas.reports;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How what is observed outside the decider (an ACK, a placed replica, a heartbeat, a learned NAT address) reaches
 * epic.commands: sent without waiting for the decision, because the reporter (xds-projector, provisioner, agent) must
 * go on whatever the decider does. Reports carry deterministic ids, so a report made again after a crash or a lost
 * send is decided once.
 */
public final class ReportSender implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReportSender.class);

  private final KafkaProducer<String, CommandEnvelope> producer;

  /** @param kafkaClient the reporter's Kafka client settings (bootstrap servers, its principal) */
  public ReportSender(Map<String, Object> kafkaClient, SchemaRegistryClient registry) {
    Map<String, Object> config = new HashMap<>(kafkaClient);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    this.producer = new KafkaProducer<>(config, new StringSerializer(), new AvroSerializer<>(registry));
  }

  public void send(CommandEnvelope report) {
    producer.send(new ProducerRecord<>(Topics.COMMANDS, report.getTargetAggregateId(), report), (meta, error) -> {
      if (error != null) {
        LOG.error("could not send report {} ({}) to {}: {}", report.getCommandId(),
            report.getPayload().getClass().getSimpleName(), Topics.COMMANDS, error.getMessage());
      }
    });
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
