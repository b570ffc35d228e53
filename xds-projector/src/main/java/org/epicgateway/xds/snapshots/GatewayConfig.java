package org.epicgateway.xds.snapshots;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * One revision of a gateway's Envoy configuration as the projections derived it: everything except endpoints,
 * which travel per cluster on their own topic, and certificates, which the revision only names ({@code secretNames},
 * SDS names): their content comes from the certificate store when the revision is served. {@code version} is the
 * content hash; {@code sourceCommandIds} are the commands whose effects this revision contains (what receipts are
 * about).
 */
public record GatewayConfig(String gatewayId, String version, List<String> sourceCommandIds,
                            List<Listener> listeners, List<RouteConfiguration> routes,
                            List<Cluster> clusters, List<String> secretNames) {

  public GatewayConfig {
    Objects.requireNonNull(gatewayId, "gatewayId");
    Objects.requireNonNull(version, "version");
    sourceCommandIds = List.copyOf(sourceCommandIds);
    listeners = List.copyOf(listeners);
    routes = List.copyOf(routes);
    clusters = List.copyOf(clusters);
    secretNames = List.copyOf(secretNames);
  }

  /** A revision whose version is the content hash of its resources. */
  public static GatewayConfig of(String gatewayId, List<String> sourceCommandIds, List<Listener> listeners,
                                 List<RouteConfiguration> routes, List<Cluster> clusters, List<String> secretNames) {
    TreeMap<String, String> versions = new TreeMap<>();
    listeners.forEach(l -> versions.put("listener/" + l.getName(), ContentHash.of(l)));
    routes.forEach(r -> versions.put("route/" + r.getName(), ContentHash.of(r)));
    clusters.forEach(c -> versions.put("cluster/" + c.getName(), ContentHash.of(c)));
    secretNames.forEach(s -> versions.put("secret/" + s, ""));
    return new GatewayConfig(gatewayId, ContentHash.ofVersions(versions), sourceCommandIds, listeners, routes,
        clusters, secretNames);
  }

  /** The EDS resource names this revision's clusters ask for (service_name, or the cluster name). */
  public Set<String> endpointNames() {
    Set<String> names = new LinkedHashSet<>();
    for (Cluster c : clusters) {
      if (c.getType() == Cluster.DiscoveryType.EDS) {
        String service = c.getEdsClusterConfig().getServiceName();
        names.add(service.isEmpty() ? c.getName() : service);
      }
    }
    return names;
  }
}
