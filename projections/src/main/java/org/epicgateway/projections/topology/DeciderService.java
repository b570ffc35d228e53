package org.epicgateway.projections.topology;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.epicgateway.infra.PlatformContext;
import org.epicgateway.infra.PlatformService;
import org.epicgateway.schemas.registry.SchemaRegistryClient;

/**
 * Runs the decider topology on the platform and offers the {@link CommandBus} and {@link AggregateQueries} that the
 * command API uses in the same process. Its store lives under {@code <dataDir>/state/decider}, so a restart resumes
 * from the local RocksDB state plus the changelog instead of a full replay.
 */
public final class DeciderService implements PlatformService {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  private KafkaStreams streams;
  private AggregateQueries queries;
  private CommandBus commandBus;

  @Override
  public String name() {
    return "decider";
  }

  @Override
  public void start(PlatformContext context) throws Exception {
    SchemaRegistryClient registry = new SchemaRegistryClient(context.schemaRegistryUrl());
    streams = new KafkaStreams(DeciderTopology.build(registry),
        DeciderTopology.config(context.bootstrapServers(), context.stateDir(name())));
    CountDownLatch running = new CountDownLatch(1);
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.RUNNING) {
        running.countDown();
      }
    });
    // A thread that dies is replaced, so one failure does not stop every later command.
    streams.setUncaughtExceptionHandler(e ->
        StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD);
    streams.start();
    if (!running.await(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      KafkaStreams.State state = streams.state();
      streams.close(Duration.ofSeconds(10));
      throw new IllegalStateException("the decider did not reach RUNNING within " + START_TIMEOUT + " (state " + state
          + ")");
    }
    queries = new AggregateQueries(streams);
    commandBus = new CommandBus(context.bootstrapServers(), registry, queries);
  }

  /** Submits commands; available once {@link #start} returned. */
  public CommandBus commandBus() {
    if (commandBus == null) {
      throw new IllegalStateException("the decider is not started");
    }
    return commandBus;
  }

  /** Reads aggregate states and gateway views; available once {@link #start} returned. */
  public AggregateQueries queries() {
    if (queries == null) {
      throw new IllegalStateException("the decider is not started");
    }
    return queries;
  }

  @Override
  public void close() throws Exception {
    if (commandBus != null) {
      commandBus.close();
    }
    if (streams != null) {
      streams.close(Duration.ofSeconds(30));
    }
  }
}
