package org.epicgateway.projections.topology;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.CommandResult;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.epicgateway.schemas.serde.AvroSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submits commands and waits for their outcome. {@link #submit} returns only when the decider's result is committed
 * (so any events are durable on epic.events) and the local aggregate-state store already holds the new version, so
 * the caller reads its own write right away. Submitting a command id again (a client's retry, perhaps while the first
 * submit still waits) is safe: the decider answers every copy with the first decision's result.
 */
public final class CommandBus implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CommandBus.class);

  private final KafkaProducer<String, CommandEnvelope> producer;
  private final KafkaConsumer<String, CommandResult> results;
  private final AggregateQueries queries;
  /** Everyone waiting, by command id; several submits of one id (retries) all get its result. */
  private final Map<String, Set<CompletableFuture<CommandResult>>> pending = new ConcurrentHashMap<>();
  private final Thread reader;
  private volatile boolean closed;

  public CommandBus(String bootstrapServers, SchemaRegistryClient registry, AggregateQueries queries) {
    this.queries = queries;
    this.producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.LINGER_MS_CONFIG, 0),
        new StringSerializer(), new AvroSerializer<>(registry));
    this.results = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString(),
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
        new StringDeserializer(), new AvroDeserializer<>(CommandResult.class, registry));
    // No consumer group: every bus reads every result from "now" and keeps the ones it waits for.
    List<TopicPartition> partitions = results.partitionsFor(Topics.COMMAND_RESULTS).stream()
        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    results.assign(partitions);
    results.seekToEnd(partitions);
    // Resolve the end offsets now, before any submit, so no result of a later command can be skipped.
    partitions.forEach(results::position);
    this.reader = Thread.ofPlatform().daemon().name("command-bus-results").start(this::readResults);
  }

  /**
   * Sends the command (acks=all) and waits for its result and for the store to reflect it.
   *
   * @throws TimeoutException naming the command when the outcome is not known within {@code timeout}; the command
   *     may still be decided later
   */
  public CommandResult submit(CommandEnvelope command, Duration timeout)
      throws TimeoutException, InterruptedException {
    if (closed) {
      throw new IllegalStateException("the command bus is closed");
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    CompletableFuture<CommandResult> outcome = new CompletableFuture<>();
    pending.compute(command.getCommandId(), (id, waiting) -> {
      Set<CompletableFuture<CommandResult>> all = waiting == null ? ConcurrentHashMap.newKeySet() : waiting;
      all.add(outcome);
      return all;
    });
    try {
      producer.send(new ProducerRecord<>(Topics.COMMANDS, command.getTargetAggregateId(), command))
          .get(remaining(deadline), TimeUnit.NANOSECONDS);
      CommandResult result = outcome.get(remaining(deadline), TimeUnit.NANOSECONDS);
      if (result.getAccepted() && result.getVersion() != null) {
        awaitStoreVersion(result.getAggregateId(), result.getVersion(), deadline);
      }
      return result;
    } catch (ExecutionException e) {
      throw new IllegalStateException("command " + command.getCommandId() + " could not be sent: "
          + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      TimeoutException t = new TimeoutException("no result for command " + command.getCommandId() + " ("
          + command.getTargetAggregateId() + ") within " + timeout);
      t.initCause(e);
      throw t;
    } finally {
      pending.computeIfPresent(command.getCommandId(), (id, waiting) -> {
        waiting.remove(outcome);
        return waiting.isEmpty() ? null : waiting;
      });
    }
  }

  /** The decider commits before this bus can read the result; a rebalance may still be restoring the store. */
  private void awaitStoreVersion(String aggregateId, long version, long deadline)
      throws TimeoutException, InterruptedException {
    while (queries.get(aggregateId).map(AggregateState::getVersion).orElse(0L) < version) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("the store did not reach version " + version + " of " + aggregateId);
      }
      Thread.sleep(5);
    }
  }

  private static long remaining(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
  }

  private void readResults() {
    try {
      while (!closed) {
        ConsumerRecords<String, CommandResult> batch;
        try {
          batch = results.poll(Duration.ofMillis(200));
        } catch (RecordDeserializationException e) {
          // Not a result this bus can wait on; skip it rather than stop answering every later command.
          LOG.warn("skipping unreadable record {}@{}: {}", e.topicPartition(), e.offset(), e.getMessage());
          results.seek(e.topicPartition(), e.offset() + 1);
          continue;
        }
        for (ConsumerRecord<String, CommandResult> r : batch) {
          Set<CompletableFuture<CommandResult>> waiting = r.value() == null ? null : pending.get(r.key());
          if (waiting != null) {
            waiting.forEach(outcome -> outcome.complete(r.value()));
          }
        }
      }
    } catch (WakeupException e) {
      if (!closed) {
        throw e;
      }
    } finally {
      results.close();
    }
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    results.wakeup();
    reader.join(Duration.ofSeconds(10));
    producer.close(Duration.ofSeconds(10));
  }
}
