package org.epicgateway.projections.envoy;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption.HeaderAppendAction;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteAction.RequestMirrorPolicy;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.epicgateway.projections.gatewayapi.Attachments;
import org.epicgateway.projections.gatewayapi.GatewayDurations;
import org.epicgateway.projections.gatewayapi.Mirrors;
import org.epicgateway.schemas.avro.BackendRef;
import org.epicgateway.schemas.avro.BackendRefFilter;
import org.epicgateway.schemas.avro.Header;
import org.epicgateway.schemas.avro.HeaderModifier;
import org.epicgateway.schemas.avro.HttpRouteFilter;
import org.epicgateway.schemas.avro.HttpRouteFilterType;
import org.epicgateway.schemas.avro.HttpRouteMatch;
import org.epicgateway.schemas.avro.HttpRouteRetry;
import org.epicgateway.schemas.avro.HttpRouteRule;
import org.epicgateway.schemas.avro.HttpRouteTimeouts;
import org.epicgateway.schemas.avro.RequestMirror;
import org.epicgateway.schemas.avro.HttpRouteState;
import org.epicgateway.schemas.avro.PathMatch;
import org.epicgateway.schemas.avro.PathMatchType;
import org.epicgateway.schemas.avro.PathModifier;
import org.epicgateway.schemas.avro.PathModifierType;
import org.epicgateway.schemas.avro.RequestRedirect;
import org.epicgateway.schemas.avro.StringMatchType;

/**
 * Translates one HTTPRoute match (of one rule) into one Envoy {@link Route}: the match, then a redirect, a 500 for
 * unresolved backends, or a route to the (weighted) clusters with rewrites and header changes.
 */
final class HttpRoutes {

    /**
     * A rule with no matches matches every request, as PathPrefix "/". Built with the all-fields constructor: a builder
     * would deserialize the schema defaults, which needs Avro's trusted-packages property in every JVM using this.
     */
    static final HttpRouteMatch MATCH_ALL = new HttpRouteMatch(new PathMatch(PathMatchType.PATH_PREFIX, "/"),
            List.of(), List.of(), null);

    /**
     * The weighted-cluster entry standing for a rule's unresolvable backendRefs: no such cluster exists, and the route's
     * {@code cluster_not_found_response_code} makes Envoy answer 500 for that share of the traffic, as the spec asks.
     */
    public static final String UNRESOLVED_CLUSTER = "unresolved-backend";

    /** Where a route is served: the listener scheme and port decide redirect defaults. */
    record Origin(String scheme, int port) {}

    private HttpRoutes() {}

    /** The rule's matches with spec defaults applied (no matches = PathPrefix "/", no path = PathPrefix "/"). */
    static List<HttpRouteMatch> matches(HttpRouteRule rule) {
        if (rule.getMatches().isEmpty()) {
            return List.of(MATCH_ALL);
        }
        return rule.getMatches().stream()
                .map(m -> m.getPath() != null ? m : HttpRouteMatch.newBuilder(m).setPath(MATCH_ALL.getPath()).build())
                .toList();
    }

    /** One match of one rule of an HTTPRoute, or of the HTTPRoute a GRPCRoute stands for ({@code kind} GRPCRoute). */
    static Route translate(String kind, HttpRouteState route, int ruleIndex, int matchIndex, HttpRouteMatch match, Origin origin,
                           Backends backends, Set<ClusterName> usedClusters) {
        HttpRouteRule rule = route.getRules().get(ruleIndex);
        Route.Builder out = Route.newBuilder()
                .setName(route.getNamespace() + "/" + route.getName() + "/rule/" + ruleIndex + "/match/" + matchIndex)
                .setMatch(match(match));
        RequestRedirect redirect = null;
        for (HttpRouteFilter f : rule.getFilters()) {
            switch (f.getType()) {
                case REQUEST_REDIRECT -> redirect = f.getRequestRedirect();
                case REQUEST_HEADER_MODIFIER -> {
                    HeaderModifier m = f.getRequestHeaderModifier();
                    out.addAllRequestHeadersToAdd(headerOptions(m)).addAllRequestHeadersToRemove(removed(m));
                }
                case RESPONSE_HEADER_MODIFIER -> {
                    HeaderModifier m = f.getResponseHeaderModifier();
                    out.addAllResponseHeadersToAdd(headerOptions(m)).addAllResponseHeadersToRemove(removed(m));
                }
                case CORS -> out.putTypedPerFilterConfig(Cors.FILTER, Any.pack(Cors.policy(f.getCors())));
                case URL_REWRITE, REQUEST_MIRROR -> { } // applied with the route action below
            }
        }
        if (redirect != null) {
            return out.setRedirect(redirect(redirect, match.getPath(), origin)).build();
        }
        List<Backends.Resolution> resolved = backends.routable(kind, route.getAccount(), route.getNamespace(),
                rule.getBackendRefs());
        if (resolved.isEmpty()) {
            // No backendRefs, none resolvable, or all weighted 0: the spec asks for 500.
            return out.setDirectResponse(DirectResponseAction.newBuilder().setStatus(500)).build();
        }
        int unresolvedWeight = rule.getBackendRefs().stream().filter(ref -> ref.getWeight() > 0
                && !backends.resolve(kind, route.getAccount(), route.getNamespace(), ref).resolved())
                .mapToInt(BackendRef::getWeight).sum();
        RouteAction.Builder action = RouteAction.newBuilder();
        // A backend with filters is a weighted cluster even when alone: its header changes sit where they sit with
        // several backends (Envoy applies them before the rule's), so adding a backendRef never changes what they do.
        if (resolved.size() == 1 && unresolvedWeight == 0 && resolved.get(0).ref().getFilters().isEmpty()) {
            action.setCluster(resolved.get(0).cluster().toString());
        } else {
            WeightedCluster.Builder weighted = WeightedCluster.newBuilder();
            for (Backends.Resolution r : resolved) {
                weighted.addClusters(backendFilters(r.ref(), WeightedCluster.ClusterWeight.newBuilder()
                        .setName(r.cluster().toString()).setWeight(UInt32Value.of(r.ref().getWeight()))));
            }
            if (unresolvedWeight > 0) {
                weighted.addClusters(WeightedCluster.ClusterWeight.newBuilder().setName(UNRESOLVED_CLUSTER)
                        .setWeight(UInt32Value.of(unresolvedWeight)));
                action.setClusterNotFoundResponseCode(RouteAction.ClusterNotFoundResponseCode.INTERNAL_SERVER_ERROR);
            }
            action.setWeightedClusters(weighted);
        }
        resolved.forEach(r -> usedClusters.add(r.cluster()));
        for (HttpRouteFilter f : rule.getFilters()) {
            if (f.getRequestMirror() != null) {
                Backends.Resolution mirror = backends.resolve(kind, route.getAccount(), route.getNamespace(),
                        f.getRequestMirror().getBackendRef());
                if (mirror.resolved()) { // an unresolved mirror is reported in status (ResolvedRefs) and left out
                    action.addRequestMirrorPolicies(mirrorPolicy(mirror.cluster(), f.getRequestMirror()));
                    usedClusters.add(mirror.cluster());
                }
            }
        }
        timeoutsAndRetry(rule, action);
        if (kind.equals(Attachments.GRPC_ROUTE)) {
            // A gRPC client's deadline (grpc-timeout) bounds the call, without a cap of ours.
            action.setMaxStreamDuration(RouteAction.MaxStreamDuration.newBuilder()
                    .setGrpcTimeoutHeaderMax(com.google.protobuf.Duration.getDefaultInstance()));
        }
        rule.getFilters().stream().filter(f -> f.getUrlRewrite() != null).map(HttpRouteFilter::getUrlRewrite)
                .findFirst().ifPresent(rewrite -> {
                    if (rewrite.getHostname() != null) {
                        action.setHostRewriteLiteral(rewrite.getHostname());
                    }
                    if (rewrite.getPath() != null) {
                        PathRewrite p = pathRewrite(rewrite.getPath(), match.getPath());
                        if (p.prefix() != null) {
                            action.setPrefixRewrite(p.prefix());
                        } else {
                            action.setRegexRewrite(p.regex());
                        }
                    }
                });
        return out.setRoute(action).build();
    }

    /** A backendRef's filters as the header changes of its weighted cluster (the decider allows no other type). */
    private static WeightedCluster.ClusterWeight.Builder backendFilters(BackendRef ref,
                                                                         WeightedCluster.ClusterWeight.Builder cluster) {
        for (BackendRefFilter f : ref.getFilters()) {
            if (f.getRequestHeaderModifier() != null) {
                cluster.addAllRequestHeadersToAdd(headerOptions(f.getRequestHeaderModifier()))
                        .addAllRequestHeadersToRemove(removed(f.getRequestHeaderModifier()));
            }
            if (f.getResponseHeaderModifier() != null) {
                cluster.addAllResponseHeadersToAdd(headerOptions(f.getResponseHeaderModifier()))
                        .addAllResponseHeadersToRemove(removed(f.getResponseHeaderModifier()));
            }
        }
        return cluster;
    }

    /**
     * The clusters a rule sends traffic to: its routable backends and, when it routes at all, its resolved mirrors.
     * The EDS keys come from here, so they are exactly the clusters {@link #translate} uses.
     */
    static List<ClusterName> clusters(String kind, String account, String namespace, HttpRouteRule rule,
                                      Backends backends) {
        if (redirects(rule)) {
            return List.of();
        }
        List<Backends.Resolution> routable = backends.routable(kind, account, namespace, rule.getBackendRefs());
        if (routable.isEmpty()) {
            return List.of();
        }
        return java.util.stream.Stream.concat(routable.stream(), Mirrors.backendRefs(rule).stream()
                        .map(ref -> backends.resolve(kind, account, namespace, ref))
                        .filter(Backends.Resolution::resolved))
                .map(Backends.Resolution::cluster).toList();
    }

    /**
     * A mirror without percent or fraction copies every request; otherwise the share as Envoy's fractional percent
     * (denominators of 100, 10,000 and 1,000,000 exactly, any other one converted to parts per million).
     */
    private static RequestMirrorPolicy mirrorPolicy(ClusterName cluster, RequestMirror mirror) {
        RequestMirrorPolicy.Builder b = RequestMirrorPolicy.newBuilder().setCluster(cluster.toString());
        FractionalPercent share = null;
        if (mirror.getPercent() != null && mirror.getPercent() < 100) {
            share = FractionalPercent.newBuilder().setNumerator(mirror.getPercent())
                    .setDenominator(FractionalPercent.DenominatorType.HUNDRED).build();
        } else if (mirror.getFraction() != null
                && mirror.getFraction().getNumerator() < mirror.getFraction().getDenominator()) {
            int n = mirror.getFraction().getNumerator();
            int d = mirror.getFraction().getDenominator();
            share = switch (d) {
                case 100 -> FractionalPercent.newBuilder().setNumerator(n)
                        .setDenominator(FractionalPercent.DenominatorType.HUNDRED).build();
                case 10_000 -> FractionalPercent.newBuilder().setNumerator(n)
                        .setDenominator(FractionalPercent.DenominatorType.TEN_THOUSAND).build();
                default -> FractionalPercent.newBuilder().setNumerator((int) (n * 1_000_000L / d))
                        .setDenominator(FractionalPercent.DenominatorType.MILLION).build();
            };
        }
        if (share != null) {
            b.setRuntimeFraction(RuntimeFractionalPercent.newBuilder().setDefaultValue(share));
        }
        return b.build();
    }

    /**
     * timeouts.request bounds the whole request, retries included (Envoy's route timeout; 0s disables it, as in the
     * spec); unset, the template's route timeout stays. timeouts.backendRequest bounds each try (per_try_timeout).
     * retry: the spec requires connection errors to be retried whenever a retry stanza is present, plus the listed
     * codes; attempts is num_retries; backoff the base interval (Envoy's minimum is 1 ms, so 0s becomes 1 ms).
     */
    private static void timeoutsAndRetry(HttpRouteRule rule, RouteAction.Builder action) {
        HttpRouteTimeouts timeouts = rule.getTimeouts();
        if (timeouts != null && timeouts.getRequest() != null) {
            action.setTimeout(protoDuration(GatewayDurations.parse(timeouts.getRequest())));
        }
        boolean perTry = timeouts != null && timeouts.getBackendRequest() != null;
        HttpRouteRetry retry = rule.getRetry();
        if (retry == null && !perTry) {
            return;
        }
        RetryPolicy.Builder policy = RetryPolicy.newBuilder();
        if (retry != null) {
            policy.setRetryOn(retry.getCodes().isEmpty() ? RETRY_ON_CONNECTION_ERRORS
                    : RETRY_ON_CONNECTION_ERRORS + ",retriable-status-codes");
            policy.addAllRetriableStatusCodes(retry.getCodes());
            if (retry.getAttempts() != null) {
                policy.setNumRetries(UInt32Value.of(retry.getAttempts()));
            }
            if (retry.getBackoff() != null) {
                java.time.Duration backoff = GatewayDurations.parse(retry.getBackoff());
                policy.setRetryBackOff(RetryPolicy.RetryBackOff.newBuilder().setBaseInterval(
                        protoDuration(backoff.isZero() ? java.time.Duration.ofMillis(1) : backoff)));
            }
        } else {
            policy.setNumRetries(UInt32Value.of(0)); // a per-try bound only: no retries were asked for
        }
        if (perTry) {
            policy.setPerTryTimeout(protoDuration(GatewayDurations.parse(timeouts.getBackendRequest())));
        }
        action.setRetryPolicy(policy);
    }

    /** What Envoy calls connection errors: refused or failed connections and resets (including per-try timeouts). */
    static final String RETRY_ON_CONNECTION_ERRORS = "connect-failure,refused-stream,reset";

    private static com.google.protobuf.Duration protoDuration(java.time.Duration d) {
        return com.google.protobuf.Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
    }

    /** A redirecting rule sends nothing to its backendRefs. */
    static boolean redirects(HttpRouteRule rule) {
        return rule.getFilters().stream().anyMatch(f -> f.getType() == HttpRouteFilterType.REQUEST_REDIRECT);
    }

    static RouteMatch match(HttpRouteMatch m) {
        RouteMatch.Builder b = RouteMatch.newBuilder();
        PathMatch path = m.getPath();
        switch (path.getType()) {
            case EXACT -> b.setPath(path.getValue());
            case REGULAR_EXPRESSION -> b.setSafeRegex(regex(path.getValue()));
            case PATH_PREFIX -> {
                String prefix = trimSlash(path.getValue());
                if (prefix.equals("/")) {
                    b.setPrefix("/");
                } else {
                    b.setPathSeparatedPrefix(prefix);
                }
            }
        }
        if (m.getMethod() != null) {
            b.addHeaders(HeaderMatcher.newBuilder().setName(":method")
                    .setStringMatch(StringMatcher.newBuilder().setExact(m.getMethod())));
        }
        m.getHeaders().forEach(h -> b.addHeaders(HeaderMatcher.newBuilder().setName(h.getName().toLowerCase(Locale.ROOT))
                .setStringMatch(string(h.getType(), h.getValue()))));
        m.getQueryParams().forEach(q -> b.addQueryParameters(QueryParameterMatcher.newBuilder().setName(q.getName())
                .setStringMatch(string(q.getType(), q.getValue()))));
        return b.build();
    }

    private static StringMatcher string(StringMatchType type, String value) {
        return type == StringMatchType.EXACT ? StringMatcher.newBuilder().setExact(value).build()
                : StringMatcher.newBuilder().setSafeRegex(regex(value)).build();
    }

    static RegexMatcher regex(String pattern) {
        return RegexMatcher.newBuilder().setRegex(pattern).build();
    }

    private static List<HeaderValueOption> headerOptions(HeaderModifier m) {
        return java.util.stream.Stream.concat(
                m.getSet().stream().map(h -> option(h, HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD)),
                m.getAdd().stream().map(h -> option(h, HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD))).toList();
    }

    private static List<String> removed(HeaderModifier m) {
        return m.getRemove().stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
    }

    private static HeaderValueOption option(Header h, HeaderAppendAction action) {
        return HeaderValueOption.newBuilder().setAppendAction(action)
                .setHeader(HeaderValue.newBuilder().setKey(h.getName().toLowerCase(Locale.ROOT)).setValue(h.getValue()))
                .build();
    }

    private static RedirectAction redirect(RequestRedirect r, PathMatch matched, Origin origin) {
        RedirectAction.Builder b = RedirectAction.newBuilder();
        if (r.getScheme() != null) {
            b.setSchemeRedirect(r.getScheme());
        }
        if (r.getHostname() != null) {
            b.setHostRedirect(r.getHostname());
        }
        // Spec: without a port, a scheme redirect goes to the scheme's well-known port, otherwise to the listener
        // port; Envoy drops the port from Location when it is the default of the resulting scheme.
        int port = r.getPort() != null ? r.getPort()
                : r.getScheme() != null ? (r.getScheme().equals("https") ? 443 : 80) : origin.port();
        b.setPortRedirect(port);
        if (r.getPath() != null) {
            if (r.getPath().getType() == PathModifierType.REPLACE_FULL_PATH) {
                b.setPathRedirect(r.getPath().getValue());
            } else {
                PathRewrite p = pathRewrite(r.getPath(), matched);
                if (p.prefix() != null) {
                    b.setPrefixRewrite(p.prefix());
                } else {
                    b.setRegexRewrite(p.regex());
                }
            }
        }
        int status = r.getStatusCode() == null ? 302 : r.getStatusCode();
        b.setResponseCode(switch (status) {
            case 301 -> RedirectAction.RedirectResponseCode.MOVED_PERMANENTLY;
            case 303 -> RedirectAction.RedirectResponseCode.SEE_OTHER;
            case 307 -> RedirectAction.RedirectResponseCode.TEMPORARY_REDIRECT;
            case 308 -> RedirectAction.RedirectResponseCode.PERMANENT_REDIRECT;
            default -> RedirectAction.RedirectResponseCode.FOUND;
        });
        return b.build();
    }

    /** Either a plain prefix rewrite or a regex rewrite of the path (without query). */
    record PathRewrite(String prefix, RegexMatchAndSubstitute regex) {}

    /**
     * Envoy's prefix_rewrite replaces exactly the matched characters, which breaks segment semantics in two cases
     * the spec covers: a replacement ending in "/" ("/strip" + "/x" must give "/x", not "//x") and the "/" prefix
     * ("/" to "/new" must give "/new/x", not "/newx"). Those become anchored regex rewrites.
     */
    static PathRewrite pathRewrite(PathModifier modifier, PathMatch matched) {
        String value = modifier.getValue();
        if (modifier.getType() == PathModifierType.REPLACE_FULL_PATH) {
            return new PathRewrite(null, substitute("^.*$", value));
        }
        String prefix = trimSlash(matched.getValue());
        if (prefix.equals("/")) {
            return new PathRewrite(null, substitute("^/", value.endsWith("/") ? value : value + "/"));
        }
        if (value.endsWith("/")) {
            return new PathRewrite(null, substitute("^" + quote(prefix) + "/*", value));
        }
        return new PathRewrite(value, null);
    }

    private static RegexMatchAndSubstitute substitute(String pattern, String substitution) {
        return RegexMatchAndSubstitute.newBuilder().setPattern(regex(pattern)).setSubstitution(substitution).build();
    }

    private static String quote(String literal) {
        StringBuilder sb = new StringBuilder();
        for (char c : literal.toCharArray()) {
            if ("\\.+*?()|[]{}^$".indexOf(c) >= 0) {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /** PathPrefix ignores a trailing "/" (segment semantics), so "/abc/" and "/abc" are the same prefix. */
    static String trimSlash(String prefix) {
        return prefix.length() > 1 && prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    }
}
