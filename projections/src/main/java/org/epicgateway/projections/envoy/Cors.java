package org.epicgateway.projections.envoy;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.List;
import org.epicgateway.schemas.avro.HttpCors;

/**
 * The HTTPRoute CORS filter as Envoy's CORS filter: a per-route {@link CorsPolicy} (typed_per_filter_config), and the
 * filter itself in the connection manager of a listener only when one of its routes has a policy, so every other
 * listener stays as it was. Envoy answers preflights itself and echoes a matching Origin (never '*' with credentials).
 */
final class Cors {

    static final String FILTER = "envoy.filters.http.cors";
    /** The spec's default preflight cache time (maxAge), seconds. */
    private static final int DEFAULT_MAX_AGE = 5;
    /** What '*' stands for in an origin's host: one or more labels. */
    private static final String ANY_LABELS = "[a-zA-Z0-9.-]+";

    private Cors() {}

    static CorsPolicy policy(HttpCors cors) {
        CorsPolicy.Builder b = CorsPolicy.newBuilder()
                .setMaxAge(Integer.toString(cors.getMaxAge() == null ? DEFAULT_MAX_AGE : cors.getMaxAge()));
        cors.getAllowOrigins().forEach(o -> b.addAllowOriginStringMatch(origin(o)));
        if (!cors.getAllowMethods().isEmpty()) {
            b.setAllowMethods(String.join(",", cors.getAllowMethods()));
        }
        if (!cors.getAllowHeaders().isEmpty()) {
            b.setAllowHeaders(String.join(",", cors.getAllowHeaders()));
        }
        if (!cors.getExposeHeaders().isEmpty()) {
            b.setExposeHeaders(String.join(",", cors.getExposeHeaders()));
        }
        if (cors.getAllowCredentials() != null) {
            b.setAllowCredentials(BoolValue.of(cors.getAllowCredentials()));
        }
        return b.build();
    }

    /** '*' is any origin; a '*' in the host any labels there; anything else the exact origin. */
    static StringMatcher origin(String origin) {
        if (origin.equals("*")) {
            return StringMatcher.newBuilder().setSafeRegex(HttpRoutes.regex(".*")).build();
        }
        if (!origin.contains("*")) {
            return StringMatcher.newBuilder().setExact(origin).build();
        }
        StringBuilder regex = new StringBuilder();
        for (char c : origin.toCharArray()) {
            regex.append(c == '*' ? ANY_LABELS : "\\.+?()|[]{}^$".indexOf(c) >= 0 ? "\\" + c : String.valueOf(c));
        }
        return StringMatcher.newBuilder().setSafeRegex(HttpRoutes.regex(regex.toString())).build();
    }

    /** Whether any route of these virtual hosts carries a CORS policy. */
    static boolean used(List<VirtualHost> hosts) {
        return hosts.stream().flatMap(h -> h.getRoutesList().stream())
                .anyMatch(r -> r.containsTypedPerFilterConfig(FILTER));
    }

    /** The CORS filter with no policy of its own: each route's policy applies, other routes are untouched. */
    static HttpFilter httpFilter() {
        return HttpFilter.newBuilder().setName(FILTER)
                .setTypedConfig(Any.pack(io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors.getDefaultInstance()))
                .build();
    }
}
