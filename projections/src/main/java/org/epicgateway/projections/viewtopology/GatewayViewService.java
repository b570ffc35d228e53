package org.epicgateway.projections.viewtopology;

import org.epicgateway.platform.Health;
import org.epicgateway.platform.PlatformContext;
import org.epicgateway.platform.PlatformService;
import org.epicgateway.projections.streams.StreamsApp;
import org.epicgateway.schemas.registry.SchemaRegistryClient;

/** Runs the gateway view projection (epic.events -> epic.gateway-state) on the platform. */
public final class GatewayViewService implements PlatformService {
  private StreamsApp app;

  @Override
  public String name() {
    return "gateway-view";
  }

  @Override
  public void start(PlatformContext context) throws Exception {
    app = StreamsApp.start("the gateway view projection",
        GatewayViewTopology.build(new SchemaRegistryClient(context.schemaRegistryUrl())),
        StreamsApp.config(GatewayViewTopology.APPLICATION_ID, context.bootstrapServers(), context.stateDir(name())));
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
