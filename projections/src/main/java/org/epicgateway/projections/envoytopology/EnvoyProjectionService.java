package org.epicgateway.projections.envoytopology;

import org.epicgateway.platform.Health;
import org.epicgateway.platform.PlatformContext;
import org.epicgateway.platform.PlatformService;
import org.epicgateway.projections.streams.StreamsApp;
import org.epicgateway.schemas.registry.SchemaRegistryClient;

/** Runs the Envoy projection (gateway state -> envoy config + endpoints) on the platform. */
public final class EnvoyProjectionService implements PlatformService {
  private StreamsApp app;

  @Override
  public String name() {
    return "envoy-projection";
  }

  @Override
  public void start(PlatformContext context) throws Exception {
    app = StreamsApp.start("the envoy projection",
        EnvoyTopology.build(new SchemaRegistryClient(context.schemaRegistryUrl())),
        StreamsApp.config(EnvoyTopology.APPLICATION_ID, context.bootstrapServers(), context.stateDir(name())));
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
