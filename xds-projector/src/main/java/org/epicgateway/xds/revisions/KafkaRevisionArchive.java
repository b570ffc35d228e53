package org.epicgateway.xds.revisions;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.EnvoyConfigSnapshot;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.epicgateway.schemas.serde.AvroSerializer;
import org.epicgateway.xds.snapshots.EnvoyRecordCodec;
import org.epicgateway.xds.snapshots.GatewayConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revisions on the compacted epic.envoy-revisions topic, key {@code <gatewayId>@<version>}, record timestamp = when
 * the projector first saw the revision (the history's order), headers {@code epic.applied} and
 * {@code epic.rolled-back} ("true") once some proxy ran it or it was rolled back. Forgotten revisions become
 * tombstones.
 */
public final class KafkaRevisionArchive implements RevisionArchive, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaRevisionArchive.class);

  static final String APPLIED_HEADER = "epic.applied";
  static final String ROLLED_BACK_HEADER = "epic.rolled-back";

  /** One archived revision. */
  public record Archived(GatewayConfig config, long createdAt, boolean everApplied, boolean rolledBack) {}

  private final KafkaProducer<String, EnvoyConfigSnapshot> producer;

  public KafkaRevisionArchive(Map<String, Object> kafkaClient, SchemaRegistryClient registry) {
    Properties p = new Properties();
    p.putAll(kafkaClient);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new AvroSerializer<>(registry));
  }

  /** Every archived revision, oldest first. */
  public static List<Archived> readAll(Map<String, Object> kafkaClient, SchemaRegistryClient registry) {
    Properties p = new Properties();
    p.putAll(kafkaClient);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    Map<String, ConsumerRecord<String, byte[]>> latest = new LinkedHashMap<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer.partitionsFor(Topics.ENVOY_REVISIONS).forEach(pi -> partitions.add(
          new TopicPartition(Topics.ENVOY_REVISIONS, pi.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.value() == null) {
            latest.remove(r.key());
          } else {
            latest.put(r.key(), r);
          }
        }
      }
    }
    List<Archived> out = new ArrayList<>();
    AvroDeserializer<EnvoyConfigSnapshot> snapshots = new AvroDeserializer<>(EnvoyConfigSnapshot.class, registry);
    for (ConsumerRecord<String, byte[]> r : latest.values()) {
      // One undecodable revision must not keep the projector from starting.
      try {
        out.add(new Archived(EnvoyRecordCodec.config(snapshots.deserialize(r.topic(), r.value())), r.timestamp(),
            flag(r, APPLIED_HEADER), flag(r, ROLLED_BACK_HEADER)));
      } catch (RuntimeException e) {
        LOG.error("skipping archived revision {} ({}@{}): {}", r.key(), r.topic(), r.offset(), e.getMessage());
      }
    }
    out.sort(Comparator.comparingLong(Archived::createdAt));
    return out;
  }

  @Override
  public void keep(GatewayConfig config, long createdAt, boolean everApplied, boolean rolledBack) {
    ProducerRecord<String, EnvoyConfigSnapshot> record = new ProducerRecord<>(Topics.ENVOY_REVISIONS, null, createdAt,
        key(config.gatewayId(), config.version()), EnvoyRecordCodec.record(config));
    if (everApplied) {
      record.headers().add(APPLIED_HEADER, TRUE);
    }
    if (rolledBack) {
      record.headers().add(ROLLED_BACK_HEADER, TRUE);
    }
    send(record);
  }

  private static final byte[] TRUE = "true".getBytes(StandardCharsets.UTF_8);

  private static boolean flag(ConsumerRecord<?, ?> record, String header) {
    Header h = record.headers().lastHeader(header);
    return h != null && Arrays.equals(h.value(), TRUE);
  }

  @Override
  public void forget(String gatewayId, String version) {
    send(new ProducerRecord<>(Topics.ENVOY_REVISIONS, key(gatewayId, version), null));
  }

  private void send(ProducerRecord<String, EnvoyConfigSnapshot> record) {
    producer.send(record, (meta, error) -> {
      if (error != null) {
        LOG.error("could not archive revision {}: {}", record.key(), error.getMessage());
      }
    });
  }

  static String key(String gatewayId, String version) {
    return gatewayId + "@" + version;
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
