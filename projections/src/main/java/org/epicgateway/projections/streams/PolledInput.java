package org.epicgateway.projections.streams;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Kafka Streams' clients as Streams makes them, except that the main consumer notes the last offset each poll handed
 * over per partition and the producer when it last committed a transaction, so a topology can commit as soon as
 * everything polled is processed ({@link #commitWhenDrained}). Streams commits when the commit interval has passed
 * since it last <em>checked</em>, idle or not, so a lone change waited up to a whole interval (5 ms) in every stage
 * it passed (decider, gateway view, Envoy and node projections), each stage reading the last one read_committed.
 * {@code -Depic.streams.commit-when-drained=false} turns it off, to measure against the interval alone.
 */
public final class PolledInput implements KafkaClientSupplier {

  private static final long INTERVAL_NANOS = Duration.ofMillis(StreamsApp.COMMIT_INTERVAL_MS).toNanos();
  static final boolean ENABLED =
      Boolean.parseBoolean(System.getProperty("epic.streams.commit-when-drained", "true"));

  /** Per partition, the last offset polled and not yet processed. */
  private final Map<TopicPartition, Long> unprocessed = new ConcurrentHashMap<>();
  /** Starts an interval in the past: no commit yet. */
  private volatile long lastCommitNanos = System.nanoTime() - INTERVAL_NANOS;

  /**
   * Whether to commit right after the record at {@code metadata}: it is the last one polled of its partition and with
   * it every record polled is processed (Streams processes, punctuates and then commits, so what a punctuation of this
   * loop writes joins the commit), and no transaction was committed within the commit interval (under load the
   * interval's commits go on carrying everything that arrived in between, so transactions keep their size). Never
   * when these clients do not run the topology (a TopologyTestDriver): nothing was polled through them.
   */
  private boolean commitNow(RecordMetadata metadata) {
    TopicPartition partition = new TopicPartition(metadata.topic(), metadata.partition());
    Long last = unprocessed.get(partition);
    if (last == null || metadata.offset() < last) {
      return false;
    }
    unprocessed.remove(partition, last);
    return ENABLED && unprocessed.isEmpty() && System.nanoTime() - lastCommitNanos >= INTERVAL_NANOS;
  }

  /**
   * A pass-through for a stream read from a topic: it forwards each record, which runs everything downstream of it in
   * its sub-topology, and then requests a commit ({@link ProcessorContext#commit}) if everything polled is processed
   * ({@link #commitNow}). Placed right after every source (repartition topics included), so the topology's own
   * processors stay free of it and a record a filter drops still counts as processed.
   */
  public <K, V> ProcessorSupplier<K, V, K, V> commitWhenDrained() {
    return () -> new Processor<>() {
      private ProcessorContext<K, V> context;

      @Override
      public void init(ProcessorContext<K, V> context) {
        this.context = context;
      }

      @Override
      public void process(Record<K, V> record) {
        context.forward(record);
        if (context.recordMetadata().filter(PolledInput.this::commitNow).isPresent()) {
          context.commit();
        }
      }
    };
  }

  @Override
  public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer()) {
      @Override
      public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        ConsumerRecords<byte[], byte[]> records = super.poll(timeout);
        for (TopicPartition partition : records.partitions()) {
          unprocessed.put(partition, records.records(partition).getLast().offset());
        }
        return records;
      }
    };
  }

  @Override
  public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
    return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer()) {
      @Override
      public void commitTransaction() {
        lastCommitNanos = System.nanoTime();
        super.commitTransaction();
      }
    };
  }

  @Override
  public Admin getAdmin(Map<String, Object> config) {
    return Admin.create(config);
  }

  @Override
  public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  @Override
  public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
