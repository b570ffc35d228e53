package org.epicgateway.projections.audit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroDeserializer;

/**
 * Reads a topic from its beginning up to its end as it was when the read started (later records are not waited
 * for), committed records only, since the decider writes in transactions. No consumer group: audit reads leave no
 * trace in the cluster.
 */
public final class EventLog {

  private final Map<String, Object> kafkaClient;
  private final AvroDeserializer<EventEnvelope> events;

  /** @param kafkaClient the reader's Kafka client configuration (bootstrap servers, security) */
  public EventLog(Map<String, Object> kafkaClient, SchemaRegistryClient registry) {
    this.kafkaClient = Map.copyOf(kafkaClient);
    this.events = new AvroDeserializer<>(EventEnvelope.class, registry);
  }

  /** Every event of epic.events, in partition order (so each aggregate's events in sequence order). */
  public long readEvents(Progress progress, Consumer<LoggedEvent> sink) {
    return read(Topics.EVENTS, progress, record -> sink.accept(decode(record)));
  }

  /** The latest value of every key of a compacted topic; a tombstone removes its key. */
  public Map<String, byte[]> latestValues(String topic) {
    Map<String, byte[]> latest = new HashMap<>();
    read(topic, Progress.silent(), record -> {
      if (record.value() == null) {
        latest.remove(record.key());
      } else {
        latest.put(record.key(), record.value());
      }
    });
    return latest;
  }

  private LoggedEvent decode(ConsumerRecord<String, byte[]> record) {
    try {
      EventEnvelope event = events.deserialize(record.topic(), record.value());
      return new LoggedEvent(record.partition(), record.offset(), record.key(), record.value(), event, null);
    } catch (RuntimeException e) {
      return new LoggedEvent(record.partition(), record.offset(), record.key(), record.value(), null,
          e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }
  }

  private long read(String topic, Progress progress, Consumer<ConsumerRecord<String, byte[]>> sink) {
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo p : consumer.partitionsFor(topic)) {
        partitions.add(new TopicPartition(topic, p.partition()));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
      // Transaction markers take offsets too, so this is an upper bound: the bar may finish short of 100 %.
      progress.start(partitions.stream().mapToLong(tp -> end.get(tp) - begin.get(tp)).sum());
      long count = 0;
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))) {
            sink.accept(record);
            count++;
            progress.advance(1);
          }
        }
      }
      progress.finish();
      return count;
    }
  }

  private Properties config() {
    Properties p = new Properties();
    p.putAll(kafkaClient);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return p;
  }
}
