package org.epicgateway.xds.snapshots;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.EnvoyConfigSnapshot;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.epicgateway.xds.XdsProjector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the projector from the two compacted topics. Every instance reads every partition from the beginning
 * without a consumer group: the latest value per key is the state, so a restart rebuilds all snapshots (with the same
 * content-hash versions) before it reports ready. Within a poll only the last value per key is applied.
 */
public final class EnvoyTopicsReader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EnvoyTopicsReader.class);

  private final KafkaConsumer<String, byte[]> consumer;
  private final AvroDeserializer<EnvoyConfigSnapshot> configs;
  private final AvroDeserializer<org.epicgateway.schemas.avro.EndpointAssignment> endpoints;
  private final XdsProjector projector;
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean closing;
  /** End offsets when the reader started: reaching them means every snapshot present then is served. */
  private volatile Map<TopicPartition, Long> endAtStart;

  public EnvoyTopicsReader(Map<String, Object> kafkaClient, SchemaRegistryClient registry, XdsProjector projector) {
    Properties p = new Properties();
    p.putAll(kafkaClient);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    this.configs = new AvroDeserializer<>(EnvoyConfigSnapshot.class, registry);
    this.endpoints = new AvroDeserializer<>(org.epicgateway.schemas.avro.EndpointAssignment.class, registry);
    this.projector = projector;
    this.thread = new Thread(this::run, "xds-topics-reader");
    thread.setDaemon(true);
  }

  /** Starts reading and waits until everything present at start is applied. */
  public void start(Duration timeout) throws InterruptedException {
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : List.of(Topics.ENVOY_CONFIG, Topics.ENVOY_ENDPOINTS)) {
      consumer.partitionsFor(topic).forEach(pi -> partitions.add(new TopicPartition(topic, pi.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    endAtStart = consumer.endOffsets(partitions);
    thread.start();
    if (!caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("xDS projector: did not read " + Topics.ENVOY_CONFIG + " and "
          + Topics.ENVOY_ENDPOINTS + " to their end within " + timeout);
    }
  }

  private void run() {
    try {
      while (!closing) {
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
        Map<String, ConsumerRecord<String, byte[]>> latest = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> r : records) {
          latest.remove(r.topic() + "\n" + r.key());
          latest.put(r.topic() + "\n" + r.key(), r);
        }
        latest.values().forEach(this::apply);
        if (caughtUp.getCount() > 0 && reachedStartEnd()) {
          caughtUp.countDown();
        }
      }
    } catch (WakeupException e) {
      if (!closing) {
        throw e;
      }
    } finally {
      consumer.close();
    }
  }

  private boolean reachedStartEnd() {
    return endAtStart.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
  }

  private void apply(ConsumerRecord<String, byte[]> r) {
    try {
      if (r.topic().equals(Topics.ENVOY_CONFIG)) {
        SpecificRecord value = configs.deserialize(r.topic(), r.value());
        if (value == null) {
          projector.gatewayRemoved(r.key());
        } else {
          projector.configChanged(EnvoyRecordCodec.config((EnvoyConfigSnapshot) value));
        }
      } else {
        var value = endpoints.deserialize(r.topic(), r.value());
        if (value == null) {
          projector.endpointsRemoved(r.key());
        } else {
          projector.endpointsChanged(EnvoyRecordCodec.endpoints(value));
        }
      }
    } catch (RuntimeException e) {
      // One bad record must not stop every gateway's configuration; it stays visible in the log.
      LOG.error("xDS projector: skipping {} offset {} key {}: {}", r.topic(), r.offset(), r.key(), e.getMessage(), e);
    }
  }

  /** Whether the reading thread still runs (it stops only when closed or on an error it cannot skip). */
  public boolean reading() {
    return thread.isAlive();
  }

  @Override
  public void close() throws InterruptedException {
    closing = true;
    consumer.wakeup();
    thread.join(10_000);
  }
}
