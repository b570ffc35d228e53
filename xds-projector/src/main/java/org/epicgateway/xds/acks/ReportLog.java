package org.epicgateway.xds.acks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.ConfigApplied;
import org.epicgateway.schemas.avro.ConfigRolledBack;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroDeserializer;

/**
 * What the decided reports on epic.events say, read once at start: which revisions some proxy ran and which were
 * rolled back, so a restarted projector neither serves a rolled-back revision nor forgets a good one.
 */
public final class ReportLog {
  /** {@code <gatewayId>@<version>}. */
  private final Set<String> appliedRevisions = new HashSet<>();
  private final Set<String> rolledBackRevisions = new HashSet<>();

  private ReportLog() {}

  public static ReportLog read(String bootstrapServers, SchemaRegistryClient registry) {
    ReportLog log = new ReportLog();
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    String prefix = AggregateType.GATEWAY_CONFIG.prefix() + "/";
    AvroDeserializer<EventEnvelope> events = new AvroDeserializer<>(EventEnvelope.class, registry);
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer.partitionsFor(Topics.EVENTS).forEach(pi -> partitions.add(new TopicPartition(Topics.EVENTS,
          pi.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      var end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          // Only report aggregates are decoded; the rest of the log is skipped by key.
          if (r.key() != null && r.key().startsWith(prefix)) {
            log.accept(events.deserialize(r.topic(), r.value()));
          }
        }
      }
    }
    return log;
  }

  void accept(EventEnvelope event) {
    if (event.getPayload() instanceof ConfigApplied a) {
      appliedRevisions.add(a.getGatewayId() + "@" + a.getVersion());
    } else if (event.getPayload() instanceof ConfigRolledBack rb) {
      rolledBackRevisions.add(rb.getGatewayId() + "@" + rb.getFromVersion());
    }
  }

  /** Whether, by the log read at start, some proxy ran this revision. */
  public boolean everApplied(String gatewayId, String version) {
    return appliedRevisions.contains(gatewayId + "@" + version);
  }

  /** Whether, by the log read at start, this revision was rolled back. */
  public boolean rolledBack(String gatewayId, String version) {
    return rolledBackRevisions.contains(gatewayId + "@" + version);
  }
}
