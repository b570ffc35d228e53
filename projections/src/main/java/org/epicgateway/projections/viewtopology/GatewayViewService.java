package org.epicgateway.projections.viewtopology;

import java.util.Optional;
import org.epicgateway.projections.streams.StreamsService;
import org.epicgateway.projections.view.ViewStore;

/** Runs the gateway view projection (epic.events -> epic.gateway-state) on the platform. */
public final class GatewayViewService extends StreamsService {
  public GatewayViewService() {
    super("gateway-view", "the gateway view projection", GatewayViewTopology.APPLICATION_ID,
        GatewayViewTopology::build);
  }

  /**
   * The projection's stores as they are now, read-only (the gateway status query assembles views from them); empty
   * until the projection runs. Every partition of this process answers, so one instance holds every account.
   */
  public Optional<ViewStore> views() {
    return app() == null ? Optional.empty() : Optional.of(QueryViewStore.of(app().streams()));
  }
}
