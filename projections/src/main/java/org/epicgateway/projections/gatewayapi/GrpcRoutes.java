package org.epicgateway.projections.gatewayapi;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.epicgateway.schemas.avro.GrpcMethodMatch;
import org.epicgateway.schemas.avro.GrpcRouteMatch;
import org.epicgateway.schemas.avro.GrpcRouteRule;
import org.epicgateway.schemas.avro.GrpcRouteState;
import org.epicgateway.schemas.avro.HttpRouteFilterType;
import org.epicgateway.schemas.avro.HttpRouteMatch;
import org.epicgateway.schemas.avro.HttpRouteRule;
import org.epicgateway.schemas.avro.HttpRouteState;
import org.epicgateway.schemas.avro.PathMatch;
import org.epicgateway.schemas.avro.PathMatchType;
import org.epicgateway.schemas.avro.StringMatchType;

/**
 * GRPCRoute semantics. A gRPC call is an HTTP/2 POST to {@code /<service>/<method>}, so a GRPCRoute is served as the
 * HTTPRoute it stands for ({@link #asHttpRoute}: the intermediate form the Envoy derivation, status and route-check
 * share), its method matches becoming path matches; only precedence ({@link #rank}) and backend protocol differ.
 */
public final class GrpcRoutes {

    /** The filter types the GRPCRoute CRD allows (ExtensionRef aside, which nothing here implements). */
    public static final Set<HttpRouteFilterType> FILTER_TYPES = Set.of(HttpRouteFilterType.REQUEST_HEADER_MODIFIER,
            HttpRouteFilterType.RESPONSE_HEADER_MODIFIER, HttpRouteFilterType.REQUEST_MIRROR);

    /** The CRD's CEL patterns for Exact matches. */
    private static final Pattern SERVICE = Pattern.compile("(?i)\\.?[a-z_][a-z_0-9]*(\\.[a-z_][a-z_0-9]*)*");
    private static final Pattern METHOD = Pattern.compile("[A-Za-z_][A-Za-z_0-9]*");
    /** One path segment: what an absent service or method matches. */
    private static final String ANY_SEGMENT = "[^/]+";

    /** A method match the CRD refuses: the field under {@code method} ("" for the match itself) and why. */
    public record Problem(String field, String message) {}

    private GrpcRoutes() {}

    /** The CRD's rules on a method match (x-kubernetes-validations); regexes are the caller's to compile. */
    public static Optional<Problem> problem(GrpcMethodMatch m) {
        if (m.getService() == null && m.getMethod() == null) {
            return Optional.of(new Problem("", "one or both of 'service' or 'method' must be specified"));
        }
        if (m.getType() == StringMatchType.EXACT) {
            if (m.getService() != null && !SERVICE.matcher(m.getService()).matches()) {
                return Optional.of(new Problem(".service", "service must only contain valid characters (matching "
                        + "^(?i)\\.?[a-z_][a-z_0-9]*(\\.[a-z_][a-z_0-9]*)*$)"));
            }
            if (m.getMethod() != null && !METHOD.matcher(m.getMethod()).matches()) {
                return Optional.of(new Problem(".method",
                        "method must only contain valid characters (matching ^[A-Za-z_][A-Za-z_0-9]*$)"));
            }
        }
        return Optional.empty();
    }

    /**
     * The path a method match stands for: service and method Exact is the Exact path {@code /s/m}; every other form
     * is an anchored RE2 regex over both segments, an absent one matching any segment (a regex, not a segment
     * prefix, for a service alone too: proxyless gRPC clients know prefix, path and safe_regex only). No method:
     * every call.
     */
    public static PathMatch pathMatch(GrpcMethodMatch m) {
        if (m == null) {
            return new PathMatch(PathMatchType.PATH_PREFIX, "/");
        }
        if (m.getType() == StringMatchType.EXACT) {
            if (m.getService() != null && m.getMethod() != null) {
                return new PathMatch(PathMatchType.EXACT, "/" + m.getService() + "/" + m.getMethod());
            }
            if (m.getService() != null) {
                return new PathMatch(PathMatchType.REGULAR_EXPRESSION,
                        "/" + m.getService().replace(".", "\\.") + "/" + ANY_SEGMENT);
            }
            return new PathMatch(PathMatchType.REGULAR_EXPRESSION, "/" + ANY_SEGMENT + "/" + m.getMethod());
        }
        return new PathMatch(PathMatchType.REGULAR_EXPRESSION, "/" + group(m.getService()) + "/" + group(m.getMethod()));
    }

    private static String group(String regex) {
        return regex == null ? ANY_SEGMENT : "(?:" + regex + ")";
    }

    /** The HTTPRoute a GRPCRoute stands for (same names, parents, hostnames, filters and backends). */
    public static HttpRouteState asHttpRoute(GrpcRouteState g) {
        List<HttpRouteRule> rules = g.getRules().stream().map(GrpcRoutes::asHttpRule).toList();
        return new HttpRouteState(g.getAccount(), g.getNamespace(), g.getName(), g.getParentRefs(), g.getHostnames(),
                rules, g.getCreationTimestamp());
    }

    private static HttpRouteRule asHttpRule(GrpcRouteRule r) {
        // All-fields constructors: builders would read schema defaults, which needs Avro's trusted packages.
        List<HttpRouteMatch> matches = r.getMatches().stream()
                .map(m -> new HttpRouteMatch(pathMatch(m.getMethod()), m.getHeaders(), List.of(), null)).toList();
        return new HttpRouteRule(r.getName(), matches, r.getFilters(), r.getBackendRefs(), null, null);
    }

    /**
     * The spec's GRPCRoute precedence after the hostname (GRPCRouteRule.Matches) for match {@code index} of a rule (a
     * rule without matches matches everything): the most characters in a matching service, then in a matching
     * method, then the most header matches; smaller ranks first.
     */
    public static int[] rank(GrpcRouteRule rule, int index) {
        if (rule.getMatches().isEmpty()) {
            return new int[] {0, 0, 0};
        }
        GrpcRouteMatch m = rule.getMatches().get(index);
        GrpcMethodMatch method = m.getMethod();
        int service = method == null || method.getService() == null ? 0 : method.getService().length();
        int name = method == null || method.getMethod() == null ? 0 : method.getMethod().length();
        return new int[] {-service, -name, -m.getHeaders().size()};
    }
}
