package org.epicgateway.xds.acks;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.epicgateway.schemas.AggregateId;
import org.epicgateway.schemas.AggregateIds;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.EventHashes;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.Actor;
import org.epicgateway.schemas.avro.ActorKind;
import org.epicgateway.schemas.avro.ConfigApplied;
import org.epicgateway.schemas.avro.ConfigRejected;
import org.epicgateway.schemas.avro.ConfigRolledBack;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.epicgateway.schemas.serde.AvroSerializer;
import org.epicgateway.schemas.serde.WireFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports as events on epic.events, on the aggregate {@code gatewayconfig/<account>/<namespace>/<name>} of which the
 * projector is the single writer (the gateway aggregate itself stays the decider's). Events chain like every other
 * aggregate's (sequence, previous hash); the chain heads are recovered from the log at start. Actor: AGENT
 * {@code xds-projector}; correlation id: {@code revision/<version>}, since no command caused an observation.
 */
public final class EventLogReports implements ConfigReports, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventLogReports.class);
  public static final String AGENT_ID = "xds-projector";

  private record Head(long sequence, ByteBuffer hash) {}

  private final KafkaProducer<String, EventEnvelope> producer;
  private final Map<String, Head> heads = new HashMap<>();
  /** {@code <gatewayId>@<version>} of revisions the log says some proxy ran / that were rolled back. */
  private final Set<String> appliedRevisions = new HashSet<>();
  private final Set<String> rolledBackRevisions = new HashSet<>();
  private final Clock clock;

  private EventLogReports(KafkaProducer<String, EventEnvelope> producer, Clock clock) {
    this.producer = producer;
    this.clock = clock;
  }

  /** Recovers the chain heads of the gatewayconfig aggregates from epic.events, then reports. */
  public static EventLogReports start(String bootstrapServers, SchemaRegistryClient registry, Clock clock) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    EventLogReports reports = new EventLogReports(
        new KafkaProducer<>(p, new StringSerializer(), new AvroSerializer<>(registry)), clock);
    reports.recover(bootstrapServers, registry);
    return reports;
  }

  private void recover(String bootstrapServers, SchemaRegistryClient registry) {
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
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          // Only our own aggregates are decoded; the rest of the log is skipped by key.
          if (r.key() != null && r.key().startsWith(prefix)) {
            EventEnvelope e = events.deserialize(r.topic(), r.value());
            // The chain hashes the datum as stored, whatever schema version wrote it.
            byte[] hash = EventHashes.hashOfDatum(r.value(), WireFormat.HEADER_LENGTH,
                r.value().length - WireFormat.HEADER_LENGTH);
            heads.put(e.getAggregateId(), new Head(e.getSequence(), ByteBuffer.wrap(hash)));
            if (e.getPayload() instanceof ConfigApplied a) {
              appliedRevisions.add(a.getGatewayId() + "@" + a.getVersion());
            } else if (e.getPayload() instanceof ConfigRolledBack rb) {
              rolledBackRevisions.add(rb.getGatewayId() + "@" + rb.getFromVersion());
            }
          }
        }
      }
    }
  }

  /** Whether, by the log read at start, some proxy ran this revision. */
  public synchronized boolean everApplied(String gatewayId, String version) {
    return appliedRevisions.contains(gatewayId + "@" + version);
  }

  /** Whether, by the log read at start, this revision was rolled back. */
  public synchronized boolean rolledBack(String gatewayId, String version) {
    return rolledBackRevisions.contains(gatewayId + "@" + version);
  }

  @Override
  public void applied(String gatewayId, String nodeId, String version, List<String> sourceCommandIds) {
    emit(gatewayId, version, new ConfigApplied(gatewayId, nodeId, version, List.copyOf(sourceCommandIds)));
  }

  @Override
  public void rejected(String gatewayId, String nodeId, String version, String typeUrl, String errorDetail) {
    emit(gatewayId, version, new ConfigRejected(gatewayId, nodeId, version, typeUrl, errorDetail));
  }

  @Override
  public void rolledBack(String gatewayId, String fromVersion, String toVersion, String reason) {
    emit(gatewayId, fromVersion, new ConfigRolledBack(gatewayId, fromVersion, toVersion, reason));
  }

  /** The aggregate id of a gateway's configuration reports: {@code gatewayconfig/<account>/<namespace>/<name>}. */
  public static String aggregateId(String gatewayId) {
    AggregateId gateway = AggregateIds.parse(gatewayId);
    if (gateway.type() != AggregateType.GATEWAY) {
      throw new IllegalArgumentException("not a gateway id: " + gatewayId);
    }
    return AggregateIds.gatewayConfig(gateway.account(), gateway.namespace(), gateway.name());
  }

  private synchronized void emit(String gatewayId, String version, Object payload) {
    String aggregateId;
    AggregateId gateway;
    try {
      aggregateId = aggregateId(gatewayId);
      gateway = AggregateIds.parse(gatewayId);
    } catch (IllegalArgumentException e) {
      LOG.warn("not reporting {} for '{}': {}", payload.getClass().getSimpleName(), gatewayId, e.getMessage());
      return;
    }
    Head head = heads.getOrDefault(aggregateId, new Head(0, EventHashes.genesis()));
    EventEnvelope event = EventEnvelope.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setAggregateType(AggregateType.GATEWAY_CONFIG.prefix())
        .setAggregateId(aggregateId)
        .setSequence(head.sequence() + 1)
        .setTimestamp(Instant.ofEpochMilli(clock.millis()))
        .setAccount(gateway.account())
        .setActor(new Actor(ActorKind.AGENT, AGENT_ID, null))
        .setCorrelationId("revision/" + version)
        .setCausationId(null)
        .setPreviousHash(head.hash())
        .setPayload(payload)
        .build();
    heads.put(aggregateId, new Head(event.getSequence(), ByteBuffer.wrap(EventHashes.hash(event))));
    producer.send(new ProducerRecord<>(Topics.EVENTS, aggregateId, event), (meta, error) -> {
      if (error != null) {
        LOG.error("could not write {} of {} to {}: {}", payload.getClass().getSimpleName(), aggregateId,
            Topics.EVENTS, error.getMessage());
      }
    });
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
