package org.epicgateway.projections.viewtopology;

import org.epicgateway.projections.streams.StreamsService;

/** Runs the gateway view projection (epic.events -> epic.gateway-state) on the platform. */
public final class GatewayViewService extends StreamsService {
  public GatewayViewService() {
    super("gateway-view", "the gateway view projection", GatewayViewTopology.APPLICATION_ID,
        GatewayViewTopology::build);
  }
}
