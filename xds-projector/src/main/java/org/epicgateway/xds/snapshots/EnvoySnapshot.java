package org.epicgateway.xds.snapshots;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.SnapshotResources;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A java-control-plane snapshot whose versions are content hashes: every resource carries the hash of its bytes
 * (so delta xDS sends only what changed), and a type's version is the hash of the requested names' versions (so
 * SotW resends a type only when something in it changed). It holds no endpoints: EDS is served per resource by
 * {@link EndpointCache}, so an endpoint change never touches a snapshot.
 */
public final class EnvoySnapshot extends Snapshot {
  private final GatewayConfig config;
  private final SnapshotResources<Cluster> clusters;
  private final SnapshotResources<Listener> listeners;
  private final SnapshotResources<RouteConfiguration> routes;
  private final SnapshotResources<Secret> secrets;

  private static final SnapshotResources<ClusterLoadAssignment> NO_ENDPOINTS = versioned(List.of());

  private EnvoySnapshot(GatewayConfig config, SnapshotResources<Cluster> clusters,
                        SnapshotResources<Listener> listeners, SnapshotResources<RouteConfiguration> routes,
                        SnapshotResources<Secret> secrets) {
    this.config = config;
    this.clusters = clusters;
    this.listeners = listeners;
    this.routes = routes;
    this.secrets = secrets;
  }

  /** A revision as served before its certificates are known: no secrets. */
  public static EnvoySnapshot assemble(GatewayConfig config) {
    return new EnvoySnapshot(config, hashed(config.clusters()), hashed(config.listeners()), hashed(config.routes()),
        versioned(List.of()));
  }

  /**
   * The same revision with these certificates (those of its {@code secretNames} the store has). Listeners, routes
   * and clusters keep their versions, so a rotated certificate is an SDS push alone.
   */
  public EnvoySnapshot withSecrets(List<Secret> certificates) {
    return new EnvoySnapshot(config, clusters, listeners, routes, hashed(certificates));
  }

  public GatewayConfig config() {
    return config;
  }

  @Override public SnapshotResources<Cluster> clusters() { return clusters; }
  @Override public SnapshotResources<ClusterLoadAssignment> endpoints() { return NO_ENDPOINTS; }
  @Override public SnapshotResources<Listener> listeners() { return listeners; }
  @Override public SnapshotResources<RouteConfiguration> routes() { return routes; }
  @Override public SnapshotResources<Secret> secrets() { return secrets; }

  private static <T extends Message> SnapshotResources<T> hashed(Collection<T> messages) {
    List<VersionedResource<T>> resources = new ArrayList<>(messages.size());
    for (T m : messages) {
      resources.add(VersionedResource.create(m, ContentHash.of(m)));
    }
    return versioned(resources);
  }

  private static <T extends Message> SnapshotResources<T> versioned(List<VersionedResource<T>> resources) {
    Map<String, String> byName = new TreeMap<>();
    Function<VersionedResource<T>, String> name = r -> io.envoyproxy.controlplane.cache.Resources.getResourceName(
        r.resource());
    resources.forEach(r -> byName.put(name.apply(r), r.version()));
    String all = ContentHash.ofVersions(new TreeMap<>(byName));
    return SnapshotResources.create(resources, names -> {
      if (names.isEmpty()) {
        return all;
      }
      // While a requested name is missing (a certificate not stored yet), the version is that of a request nothing
      // answered yet: java-control-plane then keeps the watch open, where a new version would make its setSnapshot
      // try to answer, fail (ADS answers only all requested names) and drop the watch, so the proxy would never
      // hear of the certificate once stored (several certificates stored one by one, or a route change meanwhile).
      if (!byName.keySet().containsAll(names)) {
        return "";
      }
      TreeMap<String, String> requested = new TreeMap<>();
      names.forEach(n -> requested.put(n, byName.get(n)));
      return ContentHash.ofVersions(requested);
    });
  }
}
