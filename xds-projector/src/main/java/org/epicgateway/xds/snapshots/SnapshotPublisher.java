package org.epicgateway.xds.snapshots;

import io.envoyproxy.controlplane.cache.v3.Snapshot;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Keeps the snapshot each gateway's proxies are served and hands endpoints to the per-resource {@link EndpointCache}:
 * a new revision replaces the gateway's snapshot (listeners, routes, clusters, secrets) and the EDS names it may
 * get; an endpoint change goes to the endpoint cache alone. Not thread-safe: the projector calls it under its lock.
 */
public final class SnapshotPublisher {
  private final XdsCache cache;
  private final Map<String, EnvoySnapshot> published = new HashMap<>();

  public SnapshotPublisher(XdsCache cache) {
    this.cache = cache;
  }

  /** The snapshot a revision is served as. */
  public EnvoySnapshot assemble(GatewayConfig config) {
    return EnvoySnapshot.assemble(config);
  }

  public void publish(EnvoySnapshot snapshot) {
    String gatewayId = snapshot.config().gatewayId();
    published.put(gatewayId, snapshot);
    // EDS names first, so a proxy asking for a new cluster's endpoints after the CDS push finds them served.
    cache.endpoints().serve(gatewayId, snapshot.config().endpointNames());
    cache.snapshots().setSnapshot(gatewayId, snapshot);
  }

  public void endpointsChanged(EndpointAssignment assignment) {
    cache.endpoints().changed(assignment);
  }

  public void endpointsRemoved(String cluster) {
    cache.endpoints().removed(cluster);
  }

  public void remove(String gatewayId) {
    published.remove(gatewayId);
    cache.endpoints().serve(gatewayId, Set.of());
    // An empty snapshot, not a cleared one: connected proxies drop the gateway's listeners instead of keeping them.
    cache.snapshots().setSnapshot(gatewayId, Snapshot.createEmpty(""));
  }

  public EnvoySnapshot published(String gatewayId) {
    return published.get(gatewayId);
  }
}
