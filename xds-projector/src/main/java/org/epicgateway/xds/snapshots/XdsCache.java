package org.epicgateway.xds.snapshots;

import static io.envoyproxy.controlplane.cache.Resources.V3.ENDPOINT_TYPE_URL;

import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.Watch;
import io.envoyproxy.controlplane.cache.XdsRequest;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.epicgateway.xds.server.NodeIds;

/**
 * What the xDS server watches: listeners, routes, clusters and secrets from one java-control-plane snapshot per
 * gateway (they change together, per revision), endpoints from the per-resource {@link EndpointCache}.
 */
public final class XdsCache implements ConfigWatcher {
  private final SimpleCache<String> snapshots = new SimpleCache<>(NodeIds::gatewayOf);
  private final EndpointCache endpoints = new EndpointCache();

  public SimpleCache<String> snapshots() {
    return snapshots;
  }

  public EndpointCache endpoints() {
    return endpoints;
  }

  @Override
  public Watch createWatch(boolean ads, XdsRequest request, Set<String> knownResourceNames,
                           Consumer<Response> responseConsumer, boolean hasClusterChanged,
                           boolean allowDefaultEmptyEdsUpdate) {
    if (request.getTypeUrl().equals(ENDPOINT_TYPE_URL)) {
      return endpoints.sotwWatch(request, responseConsumer, hasClusterChanged);
    }
    return snapshots.createWatch(ads, request, knownResourceNames, responseConsumer, hasClusterChanged,
        allowDefaultEmptyEdsUpdate);
  }

  @Override
  public DeltaWatch createDeltaWatch(DeltaXdsRequest request, String requesterVersion,
                                     Map<String, String> resourceVersions, Set<String> pendingResources,
                                     boolean isWildcard, Consumer<DeltaResponse> responseConsumer,
                                     boolean hasClusterChanged) {
    if (request.getTypeUrl().equals(ENDPOINT_TYPE_URL)) {
      return endpoints.deltaWatch(request, requesterVersion, resourceVersions, pendingResources, isWildcard,
          responseConsumer);
    }
    return snapshots.createDeltaWatch(request, requesterVersion, resourceVersions, pendingResources, isWildcard,
        responseConsumer, hasClusterChanged);
  }
}
