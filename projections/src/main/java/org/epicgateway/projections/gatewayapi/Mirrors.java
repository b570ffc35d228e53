package org.epicgateway.projections.gatewayapi;

import java.util.List;
import org.epicgateway.schemas.avro.BackendRef;
import org.epicgateway.schemas.avro.HttpRouteFilter;
import org.epicgateway.schemas.avro.HttpRouteRule;

/**
 * RequestMirror backends are backends of a rule too: the view indexes them (their Services and EndpointSlices change
 * the gateway), status resolves them (ResolvedRefs) and the Envoy derivation builds their clusters.
 */
public final class Mirrors {
    private Mirrors() {}

    /** The mirror backendRefs of a rule, in filter order. */
    public static List<BackendRef> backendRefs(HttpRouteRule rule) {
        return rule.getFilters().stream().filter(f -> f.getRequestMirror() != null)
                .map(HttpRouteFilter::getRequestMirror).map(m -> m.getBackendRef()).toList();
    }
}
