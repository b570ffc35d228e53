package org.epicgateway.projections.topology;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
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
import org.epicgateway.platform.KafkaConnection;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.CommandResult;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.epicgateway.schemas.serde.AvroSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submits commands and completes their futures with the decider's results. A future completes only when the result
 * is committed (read_committed, so the events are durable on epic.events); no thread waits meanwhile, so many
 * commands are in flight at once and one decider transaction carries all that arrived since the last. The decider
 * puts the new state in its store before it forwards the result, and the result is visible only after that
 * transaction commits, so when a future completes this process's store already has the version: the caller reads
 * its own write right away.
 *
 * <p>At most {@code maxInFlight} commands wait at a time; beyond that a submit fails at once with {@link Overloaded}
 * (nothing is sent), and while the decider is not running with {@link DeciderUnavailable}. Submitting a command id
 * again (a client's retry, perhaps while the first still waits) is safe: the decider answers every copy with the
 * first decision's result.
 */
public final class CommandBus implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CommandBus.class);

  /** Too many commands in flight: nothing was sent, the caller may retry later. */
  public static final class Overloaded extends RuntimeException {
    Overloaded(String message) {
      super(message, null, false, false);
    }
  }

  /** The decider is not running (starting, rebalancing away, failed): nothing was sent. */
  public static final class DeciderUnavailable extends RuntimeException {
    DeciderUnavailable(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Two producers of epic.commands, so a command's linger suits the moment (docs/benchmarks.md, issue 9): a single
   * command alone in flight has nothing to share a batch with and leaves at once ({@code linger.ms} 0: 0.5 ms less
   * per serial command); while others are in flight, commands wait up to 1 ms to share a batch (5-7 % more
   * commands/s at 64 connections than with 0). The decider takes commands in their order on the one partition,
   * whichever producer sent them: a request's commands go through one producer, and a client that waits for each
   * answer before its next command has them decided in its order.
   */
  private final KafkaProducer<String, CommandEnvelope> alone;
  private final KafkaProducer<String, CommandEnvelope> shared;
  private final KafkaConsumer<String, CommandResult> results;
  private final BooleanSupplier deciderRunning;
  private final int maxInFlight;
  private final AtomicInteger inFlight = new AtomicInteger();
  /** Everyone waiting, by command id; several submits of one id (retries) all get its result. */
  private final Map<String, Set<CompletableFuture<CommandResult>>> pending = new ConcurrentHashMap<>();
  /** Completes futures off the reader thread, so what callers chain on them never delays reading results. */
  private final ExecutorService completions = Executors.newVirtualThreadPerTaskExecutor();
  private final Thread reader;
  private volatile boolean closed;

  /**
   * @param deciderRunning whether the decider can decide now (else submits fail with {@link DeciderUnavailable})
   * @param maxInFlight commands waiting for a result at most (else submits fail with {@link Overloaded})
   */
  public CommandBus(Map<String, Object> kafkaClient, SchemaRegistryClient registry, BooleanSupplier deciderRunning,
      int maxInFlight) {
    this.deciderRunning = deciderRunning;
    this.maxInFlight = maxInFlight;
    this.alone = commandProducer(kafkaClient, registry, 0);
    this.shared = commandProducer(kafkaClient, registry, 1);
    this.results = new KafkaConsumer<>(KafkaConnection.with(kafkaClient, Map.of(
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString(),
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)),
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

  private static KafkaProducer<String, CommandEnvelope> commandProducer(Map<String, Object> kafkaClient,
      SchemaRegistryClient registry, int lingerMs) {
    return new KafkaProducer<>(KafkaConnection.with(kafkaClient, Map.of(
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.LINGER_MS_CONFIG, lingerMs)),
        new StringSerializer(), new AvroSerializer<>(registry));
  }

  /**
   * Sends the command (acks=all). The future completes with the committed result, or fails with a
   * {@link TimeoutException} naming the command when none came within {@code timeout} (the command may still be
   * decided later), {@link Overloaded} or {@link DeciderUnavailable} (not sent), or the send's error.
   */
  public CompletableFuture<CommandResult> submit(CommandEnvelope command, Duration timeout) {
    return submitAll(List.of(command), timeout).getFirst();
  }

  /**
   * Sends every command, or none: when they do not all fit in the in-flight bound, each future fails with
   * {@link Overloaded} and nothing is sent. One future per command, in order.
   */
  public List<CompletableFuture<CommandResult>> submitAll(List<CommandEnvelope> commands, Duration timeout) {
    if (closed) {
      throw new IllegalStateException("the command bus is closed");
    }
    RuntimeException refused = admit(commands.size());
    if (refused != null) {
      return commands.stream().map(c -> CompletableFuture.<CommandResult>failedFuture(refused)).toList();
    }
    // One producer for all of a request's commands, so they stay in their order on the partition.
    KafkaProducer<String, CommandEnvelope> producer = commands.size() == 1 && inFlight.get() == 1 ? alone : shared;
    return commands.stream().map(c -> send(producer, c, timeout)).toList();
  }

  /** Takes {@code n} in-flight slots, or says why not. */
  private RuntimeException admit(int n) {
    if (!deciderRunning.getAsBoolean()) {
      return new DeciderUnavailable("the decider is not running");
    }
    int now;
    do {
      now = inFlight.get();
      if (now + n > maxInFlight) {
        return new Overloaded(now + " commands are in flight, at most " + maxInFlight + " may be");
      }
    } while (!inFlight.compareAndSet(now, now + n));
    return null;
  }

  private CompletableFuture<CommandResult> send(KafkaProducer<String, CommandEnvelope> producer,
      CommandEnvelope command, Duration timeout) {
    String id = command.getCommandId();
    CompletableFuture<CommandResult> outcome = new CompletableFuture<>();
    pending.compute(id, (key, waiting) -> {
      Set<CompletableFuture<CommandResult>> all = waiting == null ? ConcurrentHashMap.newKeySet() : waiting;
      all.add(outcome);
      return all;
    });
    CompletableFuture<CommandResult> answer = outcome
        .orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(e instanceof TimeoutException
            ? timeout(command, timeout, e) : e))
        .whenComplete((result, error) -> {
          inFlight.decrementAndGet();
          pending.computeIfPresent(id, (key, waiting) -> {
            waiting.remove(outcome);
            return waiting.isEmpty() ? null : waiting;
          });
        });
    try {
      producer.send(new ProducerRecord<>(Topics.COMMANDS, command.getTargetAggregateId(), command), (md, e) -> {
        if (e != null) {
          completions.execute(() -> outcome.completeExceptionally(notSent(id, e)));
        }
      });
    } catch (RuntimeException e) {
      outcome.completeExceptionally(notSent(id, e));
    }
    return answer;
  }

  private static IllegalStateException notSent(String commandId, Exception e) {
    return new IllegalStateException("command " + commandId + " could not be sent: " + e.getMessage(), e);
  }

  private static TimeoutException timeout(CommandEnvelope command, Duration timeout, Throwable cause) {
    TimeoutException t = new TimeoutException("no result for command " + command.getCommandId() + " ("
        + command.getTargetAggregateId() + ") within " + timeout);
    t.initCause(cause);
    return t;
  }

  /** Commands sent and not yet answered (or timed out). */
  public int inFlight() {
    return inFlight.get();
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
            CommandResult result = r.value();
            waiting.forEach(outcome -> completions.execute(() -> outcome.complete(result)));
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
    alone.close(Duration.ofSeconds(10));
    shared.close(Duration.ofSeconds(10));
    completions.shutdown();
  }
}
