package org.epicgateway.projections.envoytopology;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.epicgateway.infra.PlatformContext;
import org.epicgateway.infra.PlatformService;
import org.epicgateway.schemas.registry.SchemaRegistryClient;

/** Runs the Envoy projection (gateway state -> envoy config + endpoints) on the platform. */
public final class EnvoyProjectionService implements PlatformService {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private KafkaStreams streams;

  @Override
  public String name() {
    return "envoy-projection";
  }

  @Override
  public void start(PlatformContext context) throws Exception {
    streams = new KafkaStreams(EnvoyTopology.build(new SchemaRegistryClient(context.schemaRegistryUrl())),
        EnvoyTopology.config(context.bootstrapServers(), context.stateDir(name())));
    CountDownLatch running = new CountDownLatch(1);
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.RUNNING) {
        running.countDown();
      }
    });
    streams.setUncaughtExceptionHandler(e ->
        StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD);
    streams.start();
    if (!running.await(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      KafkaStreams.State state = streams.state();
      streams.close(Duration.ofSeconds(10));
      throw new IllegalStateException("the envoy projection did not reach RUNNING within " + START_TIMEOUT
          + " (state " + state + ")");
    }
  }

  @Override
  public void close() {
    if (streams != null) {
      streams.close(Duration.ofSeconds(30));
    }
  }
}
