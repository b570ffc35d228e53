package org.epicgateway.projections.envoytopology;

import org.epicgateway.projections.streams.StreamsService;

/** Runs the Envoy projection (gateway state -> envoy config + endpoints) on the platform. */
public final class EnvoyProjectionService extends StreamsService {
  public EnvoyProjectionService() {
    super("envoy-projection", "the envoy projection", EnvoyTopology.APPLICATION_ID, EnvoyTopology::build);
  }
}
