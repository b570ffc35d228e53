package org.epicgateway.xds.snapshots;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps the snapshot each gateway's proxies are served and the current endpoints of every cluster. A new gateway
 * revision is assembled with the current endpoints; an endpoint change rebuilds only the EDS part of the gateways
 * that use that cluster (listener, route and cluster versions stay, so nothing else is resent). Not thread-safe:
 * the projector calls it under its lock.
 */
public final class SnapshotPublisher {
  private final SimpleCache<String> cache;
  private final Map<String, EndpointAssignment> assignments = new HashMap<>();
  private final Map<String, EnvoySnapshot> published = new HashMap<>();
  private final Map<String, Set<String>> gatewaysByEndpointName = new HashMap<>();

  public SnapshotPublisher(SimpleCache<String> cache) {
    this.cache = cache;
  }

  /** The snapshot a revision would be served as, with today's endpoints. */
  public EnvoySnapshot assemble(GatewayConfig config) {
    return EnvoySnapshot.assemble(config, assignments);
  }

  public void publish(EnvoySnapshot snapshot) {
    String gatewayId = snapshot.config().gatewayId();
    EnvoySnapshot previous = published.get(gatewayId);
    if (previous != null) {
      previous.config().endpointNames().forEach(n -> unindex(n, gatewayId));
    }
    snapshot.config().endpointNames().forEach(
        n -> gatewaysByEndpointName.computeIfAbsent(n, k -> new HashSet<>()).add(gatewayId));
    // Assignments may have changed since the revision was assembled (a rollback republishes an old one).
    EnvoySnapshot current = snapshot.withEndpoints(assignments);
    published.put(gatewayId, current);
    cache.setSnapshot(gatewayId, current);
  }

  /** Returns the gateways whose proxies get the new endpoints. */
  public List<String> endpointsChanged(EndpointAssignment assignment) {
    assignments.put(assignment.cluster(), assignment);
    return republishEndpoints(assignment.cluster());
  }

  public List<String> endpointsRemoved(String cluster) {
    assignments.remove(cluster);
    return republishEndpoints(cluster);
  }

  public void remove(String gatewayId) {
    EnvoySnapshot previous = published.remove(gatewayId);
    if (previous != null) {
      previous.config().endpointNames().forEach(n -> unindex(n, gatewayId));
    }
    // An empty snapshot, not a cleared one: connected proxies drop the gateway's listeners instead of keeping them.
    cache.setSnapshot(gatewayId, Snapshot.createEmpty(""));
  }

  public EnvoySnapshot published(String gatewayId) {
    return published.get(gatewayId);
  }

  public EndpointAssignment assignment(String cluster) {
    return assignments.get(cluster);
  }

  private List<String> republishEndpoints(String cluster) {
    Set<String> gateways = gatewaysByEndpointName.getOrDefault(cluster, Set.of());
    for (String gatewayId : gateways) {
      EnvoySnapshot next = published.get(gatewayId).withEndpoints(assignments);
      published.put(gatewayId, next);
      cache.setSnapshot(gatewayId, next);
    }
    return List.copyOf(gateways);
  }

  private void unindex(String endpointName, String gatewayId) {
    Set<String> gateways = gatewaysByEndpointName.get(endpointName);
    if (gateways != null) {
      gateways.remove(gatewayId);
      if (gateways.isEmpty()) {
        gatewaysByEndpointName.remove(endpointName);
      }
    }
  }
}
