package org.epicgateway.transport.agent;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.epicgateway.platform.KafkaConnection;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.NodeAdverts;
import org.epicgateway.schemas.avro.NodeBpf;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows one node's key on the two compacted per-node topics, without a consumer group: only the partition its key
 * hashes to (Kafka's default partitioner, which every producer of these topics uses), from the beginning. Nothing is
 * handed on before both partitions are read to the end offsets they had at start, and then only the latest value of
 * the node's key in each topic, so an agent never applies an intermediate or half-read spec; afterwards each poll
 * hands on the latest value per topic it saw. A value that does not decode is reported and skipped.
 */
public final class NodeTopicsReader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeTopicsReader.class);

  /** A value of the node's key: {@code value} null is a tombstone; {@code writtenAtMs} is the record's timestamp. */
  public record Update<T>(T value, long writtenAtMs, long offset) {}

  public interface Listener {
    void nodeBpf(Update<NodeBpf> update);

    void nodeAdverts(Update<NodeAdverts> update);

    /** A record of the node's key that could not be decoded (what = bpf or bgp). */
    void undecodable(String what, long offset, RuntimeException error);
  }

  private final String node;
  private final KafkaConsumer<String, byte[]> consumer;
  private final AvroDeserializer<NodeBpf> bpfs;
  private final AvroDeserializer<NodeAdverts> adverts;
  private final Listener listener;
  private final Thread thread;
  private volatile boolean closing;

  /** {@code kafkaClient}: the agent's Kafka client settings ({@code KafkaConnection.client}). */
  public NodeTopicsReader(Map<String, Object> kafkaClient, SchemaRegistryClient registry, String node, Listener listener) {
    this.consumer = new KafkaConsumer<>(KafkaConnection.with(kafkaClient, Map.of(
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.CLIENT_ID_CONFIG, "epic-agent-" + node)), new StringDeserializer(), new ByteArrayDeserializer());
    this.bpfs = new AvroDeserializer<>(NodeBpf.class, registry);
    this.adverts = new AvroDeserializer<>(NodeAdverts.class, registry);
    this.node = node;
    this.listener = listener;
    this.thread = new Thread(this::run, "epic-agent-topics-" + node);
    thread.setDaemon(true);
  }

  /** Assigns the node's partitions and starts reading on the reader's thread. */
  public void start() {
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : List.of(Topics.NODE_BPF, Topics.NODE_ADVERTS)) partitions.add(partitionOf(topic));
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    thread.start();
  }

  private TopicPartition partitionOf(String topic) {
    int count = consumer.partitionsFor(topic).size();
    if (count == 0) throw new IllegalStateException("topic " + topic + " does not exist");
    // What the default partitioner does with a key: murmur2 of its bytes, positive, modulo the partition count.
    return new TopicPartition(topic, Utils.toPositive(Utils.murmur2(node.getBytes(StandardCharsets.UTF_8))) % count);
  }

  private void run() {
    try {
      Map<TopicPartition, Long> endAtStart = consumer.endOffsets(consumer.assignment());
      ConsumerRecord<String, byte[]> bpf = null, advert = null;
      boolean caughtUp = false;
      while (!closing) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (!node.equals(r.key())) continue;
          if (r.topic().equals(Topics.NODE_BPF)) bpf = r;
          else advert = r;
        }
        if (!caughtUp) {
          caughtUp = endAtStart.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
          if (!caughtUp) continue;
        }
        if (bpf != null) deliver(bpf);
        if (advert != null) deliver(advert);
        bpf = advert = null;
      }
    } catch (WakeupException e) {
      if (!closing) throw e;
    } catch (RuntimeException e) {
      LOG.error("agent for node {}: reading {} and {} stopped: {}", node, Topics.NODE_BPF, Topics.NODE_ADVERTS, e.toString(), e);
      throw e;
    } finally {
      consumer.close();
    }
  }

  private void deliver(ConsumerRecord<String, byte[]> r) {
    boolean isBpf = r.topic().equals(Topics.NODE_BPF);
    Object value;
    try {
      value = r.value() == null ? null : (isBpf ? bpfs : adverts).deserialize(r.topic(), r.value());
    } catch (RuntimeException e) {
      listener.undecodable(isBpf ? "bpf" : "bgp", r.offset(), e);
      return;
    }
    if (isBpf) listener.nodeBpf(new Update<>((NodeBpf) value, r.timestamp(), r.offset()));
    else listener.nodeAdverts(new Update<>((NodeAdverts) value, r.timestamp(), r.offset()));
  }

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
