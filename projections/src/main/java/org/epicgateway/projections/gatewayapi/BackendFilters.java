package org.epicgateway.projections.gatewayapi;

import java.util.Set;
import org.epicgateway.schemas.avro.HttpRouteFilterType;

/**
 * Filters on a backendRef (HTTPRoute and GRPCRoute {@code rules[].backendRefs[].filters}, implementation-specific in
 * the spec): EPIC applies what Envoy can apply to one weighted cluster, its request and response header changes, and
 * refuses every other type by this one message wherever a route comes in (REST, decider, manifests).
 */
public final class BackendFilters {

    /** The filter types a backendRef may carry. */
    public static final Set<HttpRouteFilterType> TYPES = Set.of(HttpRouteFilterType.REQUEST_HEADER_MODIFIER,
            HttpRouteFilterType.RESPONSE_HEADER_MODIFIER);

    private BackendFilters() {}

    /** Why a backendRef filter of {@code type} (as the caller's input names it) is refused. */
    public static String unsupported(String type) {
        return "a " + type + " filter cannot be applied per backend: Envoy changes only request and response headers"
                + " per backend (RequestHeaderModifier, ResponseHeaderModifier); a filter for every backend of the rule"
                + " goes in the rule's filters";
    }
}
