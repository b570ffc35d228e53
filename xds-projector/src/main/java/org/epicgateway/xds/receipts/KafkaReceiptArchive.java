package org.epicgateway.xds.receipts;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.epicgateway.platform.KafkaConnection;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.ProxyReceipt;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.epicgateway.schemas.serde.AvroSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receipts on the compacted epic.envoy-receipts topic, one record per (command, proxy), key
 * {@code <commandId>@<proxy>}: a proxy ACKing the same command again overwrites nothing new, and the topic forgets
 * entries after the commands' own retention. Written without waiting: a receipt lost in a crash is the one ACK the
 * restarted projector has not seen yet either.
 */
public final class KafkaReceiptArchive implements ReceiptArchive, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaReceiptArchive.class);

  /** One kept receipt entry. */
  public record Kept(String commandId, Receipts.Ack ack) {}

  private final KafkaProducer<String, ProxyReceipt> producer;

  public KafkaReceiptArchive(Map<String, Object> kafkaClient, SchemaRegistryClient registry) {
    this.producer = new KafkaProducer<>(KafkaConnection.with(kafkaClient, Map.of(
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.LINGER_MS_CONFIG, 5)),
        new StringSerializer(), new AvroSerializer<>(registry));
  }

  /** Every kept entry, oldest ACK first. */
  public static List<Kept> readAll(Map<String, Object> kafkaClient, SchemaRegistryClient registry) {
    Map<String, ProxyReceipt> latest = new LinkedHashMap<>();
    try (KafkaConsumer<String, ProxyReceipt> consumer = new KafkaConsumer<>(KafkaConnection.with(kafkaClient, Map.of(
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")),
        new StringDeserializer(), new AvroDeserializer<>(ProxyReceipt.class, registry))) {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer.partitionsFor(Topics.ENVOY_RECEIPTS).forEach(pi -> partitions.add(
          new TopicPartition(Topics.ENVOY_RECEIPTS, pi.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<String, ProxyReceipt> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.value() != null) {
            latest.put(r.key(), r.value());
          }
        }
      }
    }
    return latest.values().stream()
        .sorted(Comparator.comparing(ProxyReceipt::getAckedAt))
        .map(r -> new Kept(r.getCommandId(), new Receipts.Ack(r.getProxy(), r.getGatewayId(), r.getConfiguration(),
            r.getAckedAt().toEpochMilli())))
        .toList();
  }

  @Override
  public void keep(String commandId, Receipts.Ack ack) {
    String key = commandId + "@" + ack.nodeId();
    ProxyReceipt value = new ProxyReceipt(commandId, ack.nodeId(), ack.gatewayId(), ack.configuration(),
        Instant.ofEpochMilli(ack.ackedAt()));
    producer.send(new ProducerRecord<>(Topics.ENVOY_RECEIPTS, null, ack.ackedAt(), key, value), (meta, error) -> {
      if (error != null) {
        LOG.error("could not keep receipt {}: {}", key, error.getMessage());
      }
    });
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
