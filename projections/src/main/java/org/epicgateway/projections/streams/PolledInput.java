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
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Kafka Streams' clients as Streams makes them, except that the main consumer notes the last offset each poll handed
 * over per partition and the producer when it last committed a transaction, so a processor can tell when committing
 * at once costs no batching ({@link #commitNow}). Streams commits when the commit interval has passed since it last
 * <em>checked</em>, idle or not, so a lone command waited up to a whole interval (5 ms) after it was decided.
 */
public final class PolledInput implements KafkaClientSupplier {

  private static final long INTERVAL_NANOS = Duration.ofMillis(StreamsApp.COMMIT_INTERVAL_MS).toNanos();

  private final Map<TopicPartition, Long> lastPolled = new ConcurrentHashMap<>();
  /** Starts an interval in the past: no commit yet. */
  private volatile long lastCommitNanos = System.nanoTime() - INTERVAL_NANOS;

  /**
   * Whether to commit right after the record at {@code metadata}: it is the last one polled for its partition
   * (Streams processes everything polled before it polls again, so no other record can join this transaction before
   * then) and no transaction was committed within the commit interval (under load the interval's commits go on
   * carrying everything that arrived in between, so transactions keep their size).
   */
  public boolean commitNow(RecordMetadata metadata) {
    Long last = lastPolled.get(new TopicPartition(metadata.topic(), metadata.partition()));
    return last != null && last == metadata.offset() && System.nanoTime() - lastCommitNanos >= INTERVAL_NANOS;
  }

  @Override
  public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer()) {
      @Override
      public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        ConsumerRecords<byte[], byte[]> records = super.poll(timeout);
        for (TopicPartition partition : records.partitions()) {
          lastPolled.put(partition, records.records(partition).getLast().offset());
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
