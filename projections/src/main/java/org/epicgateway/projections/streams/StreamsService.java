package org.epicgateway.projections.streams;

import java.util.function.BiFunction;
import org.apache.kafka.streams.Topology;
import org.epicgateway.platform.Health;
import org.epicgateway.platform.KafkaAccess;
import org.epicgateway.platform.PlatformContext;
import org.epicgateway.platform.PlatformService;
import org.epicgateway.schemas.registry.SchemaRegistryClient;

/**
 * A projection run on the platform as a {@link PlatformService}: its topology through {@link StreamsApp}, state under
 * {@code <dataDir>/state/<name>}, healthy while RUNNING. Each projection names itself and its topology; the running
 * is the same for all.
 */
public abstract class StreamsService implements PlatformService {
  private final String name;
  private final String title;
  private final String applicationId;
  private final BiFunction<SchemaRegistryClient, PolledInput, Topology> topology;
  private StreamsApp app;

  /**
   * @param name          the service's name in {@code epic up}'s listing, e.g. "envoy-projection"
   * @param title         how errors name it, e.g. "the envoy projection"
   * @param applicationId the Streams application id (consumer group, changelog prefix)
   * @param topology      builds the topology with the platform's registry and the clients it runs with
   */
  protected StreamsService(String name, String title, String applicationId,
      BiFunction<SchemaRegistryClient, PolledInput, Topology> topology) {
    this.name = name;
    this.title = title;
    this.applicationId = applicationId;
    this.topology = topology;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void start(PlatformContext context) throws Exception {
    PolledInput clients = new PolledInput();
    app = StreamsApp.start(title, topology.apply(new SchemaRegistryClient(context.schemaRegistryUrl()), clients),
        StreamsApp.config(applicationId, context.kafkaClient(this), context.stateDir(name)), clients);
  }

  /** Restoring the stores copies changelog bytes; the serdes wait for the registry on first use. */
  @Override
  public boolean startsBeforeRegistry() {
    return true;
  }

  /** Read from the topology itself; building it contacts no registry (serdes look schemas up when first used). */
  @Override
  public KafkaAccess kafkaAccess() {
    return StreamsApp.access(applicationId,
        topology.apply(new SchemaRegistryClient("http://registry.unused"), new PolledInput()));
  }

  /** The running application (for interactive queries), or null before start. */
  protected StreamsApp app() {
    return app;
  }

  @Override
  public Health health() {
    return StreamsApp.health(app);
  }

  @Override
  public void close() {
    if (app != null) {
      app.close();
    }
  }
}
