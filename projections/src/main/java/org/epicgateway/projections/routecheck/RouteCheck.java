package org.epicgateway.projections.routecheck;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.epicgateway.projections.envoy.ClusterName;
import org.epicgateway.projections.envoy.EnvoyConfig;
import org.epicgateway.projections.envoy.EnvoyDerivation;
import org.epicgateway.projections.envoy.SafeRegex;

/**
 * Evaluates a request against a derived {@link EnvoyConfig} the way Envoy would: the listener by port, the filter
 * chain by SNI, the connection manager's RDS RouteConfiguration, the virtual host by Host (port stripped when the
 * connection manager says so; exact, then longest suffix wildcard, then longest prefix wildcard, then {@code *}),
 * the first route whose match holds, and its action (direct response, redirect, or route with rewrites and header
 * changes). It reads only the Envoy protos, so it checks what Envoy is actually given, not the Gateway API objects.
 */
public final class RouteCheck {

    /**
     * One request: gateway "namespace/name" (optional with one gateway), port (optional), host, method, path?query,
     * and the TLS SNI the client sends (optional: the Host without its port, as browsers do).
     */
    public record Request(String gateway, Integer port, String host, String method, String path,
                          Map<String, String> headers, String sni) {}

    /**
     * A weighted backend as users name it ({@code namespace/service:port}), and the headers it gets when its weighted
     * cluster changes headers of its own (a backendRef's filters; null otherwise: the result's headers hold).
     */
    public record WeightedBackend(String backend, int weight, Map<String, String> requestHeaders,
                                  Map<String, String> responseHeaders, List<String> responseHeadersRemoved) {
        WeightedBackend(String backend, int weight) {
            this(backend, weight, null, null, null);
        }
    }

    /**
     * What Envoy does with the request: status, the backend (or weighted backends), the redirect Location, the
     * upstream Host and path after rewrites, the Envoy route that matched, and the header changes.
     */
    public record Result(Integer status, String backend, List<WeightedBackend> backends, String location, String host,
                         String path, String route, Map<String, String> requestHeaders,
                         Map<String, String> responseHeaders, List<String> responseHeadersRemoved, String error) {

        static Result status(int status, String route) {
            return new Result(status, null, List.of(), null, null, null, route, Map.of(), Map.of(), List.of(), null);
        }

        static Result error(String message) {
            return new Result(null, null, List.of(), null, null, null, null, Map.of(), Map.of(), List.of(), message);
        }
    }

    /**
     * What a matched route does beyond choosing a backend: its timeout (null: none, Envoy's default), each try's
     * timeout, retries (null when it has no retry policy) and the backends it mirrors to with the share copied.
     */
    public record Policies(String timeout, Retry retry, List<Mirror> mirrors) {}

    /** Envoy's retry policy in the Gateway API's words; perTryTimeout is the rule's timeouts.backendRequest. */
    public record Retry(String on, Integer attempts, List<Integer> codes, String backoff, String perTryTimeout) {}

    /** A mirror backend and the percentage of requests copied to it. */
    public record Mirror(String backend, double percent) {}

    private RouteCheck() {}

    /** The policies of the route named {@code routeName} (as in {@link Result#route()}), if it forwards. */
    public static Optional<Policies> policies(EnvoyConfig config, String routeName) {
        return config.routeConfigurations().stream().flatMap(rc -> rc.getVirtualHostsList().stream())
                .flatMap(vh -> vh.getRoutesList().stream())
                .filter(r -> r.getName().equals(routeName) && r.hasRoute()).findFirst()
                .map(r -> policies(r.getRoute()));
    }

    private static Policies policies(RouteAction a) {
        Retry retry = null;
        if (a.hasRetryPolicy()) {
            RetryPolicy p = a.getRetryPolicy();
            retry = new Retry(p.getRetryOn().isEmpty() ? null : p.getRetryOn(),
                    p.hasNumRetries() ? p.getNumRetries().getValue() : null, p.getRetriableStatusCodesList(),
                    p.hasRetryBackOff() ? duration(p.getRetryBackOff().getBaseInterval()) : null,
                    p.hasPerTryTimeout() ? duration(p.getPerTryTimeout()) : null);
        }
        List<Mirror> mirrors = a.getRequestMirrorPoliciesList().stream().map(m -> new Mirror(backend(m.getCluster()),
                m.hasRuntimeFraction() ? percent(m.getRuntimeFraction().getDefaultValue()) : 100.0)).toList();
        return new Policies(a.hasTimeout() ? duration(a.getTimeout()) : null, retry, mirrors);
    }

    private static double percent(FractionalPercent f) {
        double denominator = switch (f.getDenominator()) {
            case TEN_THOUSAND -> 10_000;
            case MILLION -> 1_000_000;
            default -> 100;
        };
        return Math.round(f.getNumerator() * 100.0 / denominator * 10_000) / 10_000.0;
    }

    /** A protobuf duration as a Gateway API duration: whole seconds as "Ns", otherwise milliseconds. */
    private static String duration(com.google.protobuf.Duration d) {
        long millis = d.getSeconds() * 1000 + d.getNanos() / 1_000_000;
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    public static Result evaluate(EnvoyConfig config, Request request) {
        Optional<Listener> listener = listener(config, request.port());
        if (listener.isEmpty()) {
            return Result.error(request.port() == null
                    ? "gateway has several listeners: give the request a port"
                    : "no listener on port " + request.port());
        }
        String host = request.host() == null ? "" : request.host();
        String sni = request.sni() != null ? request.sni() : hostOnly(host);
        FilterChain chain = chain(listener.get(), sni);
        if (chain == null) {
            return Result.error("no filter chain for " + (request.sni() != null ? "SNI " : "host ") + sni + " on "
                    + listener.get().getName() + " (the TLS handshake fails)");
        }
        try {
            for (Filter f : chain.getFiltersList()) {
                if (f.getName().equals(EnvoyDerivation.TCP_PROXY)) {
                    return tcp(f.getTypedConfig().unpack(TcpProxy.class));
                }
                if (f.getName().equals(EnvoyDerivation.HCM)) {
                    HttpConnectionManager hcm = f.getTypedConfig().unpack(HttpConnectionManager.class);
                    String scheme = chain.hasTransportSocket() ? "https" : "http";
                    return http(config, hcm, scheme, request);
                }
            }
        } catch (InvalidProtocolBufferException e) {
            return Result.error("listener " + listener.get().getName() + " has a filter that does not unpack: " + e.getMessage());
        }
        return Result.error("listener " + listener.get().getName() + " has no HTTP connection manager or TCP proxy");
    }

    private static Optional<Listener> listener(EnvoyConfig config, Integer port) {
        if (port != null) {
            return config.listeners().stream()
                    .filter(l -> l.getAddress().getSocketAddress().getPortValue() == port).findFirst();
        }
        if (config.listeners().size() == 1) {
            return Optional.of(config.listeners().get(0));
        }
        return config.listeners().stream().filter(l -> l.getAddress().getSocketAddress().getPortValue() == 80).findFirst();
    }

    private static FilterChain chain(Listener listener, String sni) {
        FilterChain fallback = null;
        FilterChain best = null;
        int bestLength = -1;
        for (FilterChain c : listener.getFilterChainsList()) {
            List<String> names = c.getFilterChainMatch().getServerNamesList();
            if (names.isEmpty()) {
                fallback = fallback == null ? c : fallback;
            }
            for (String n : names) {
                boolean match = n.startsWith("*.") ? sni.endsWith(n.substring(1)) : n.equalsIgnoreCase(sni);
                if (match && n.length() > bestLength) {
                    best = c;
                    bestLength = n.length();
                }
            }
        }
        return best != null ? best : fallback;
    }

    private static Result tcp(TcpProxy proxy) {
        if (proxy.hasWeightedClusters()) {
            return routed(null, proxy.getWeightedClusters().getClustersList().stream()
                    .map(c -> new WeightedBackend(backend(c.getName()), c.getWeight())).toList(), null, null, null,
                    Map.of(), Map.of(), List.of());
        }
        return routed(backend(proxy.getCluster()), List.of(), null, null, null, Map.of(), Map.of(), List.of());
    }

    private static Result http(EnvoyConfig config, HttpConnectionManager hcm, String scheme, Request request) {
        String rdsName = hcm.getRds().getRouteConfigName();
        RouteConfiguration rc = config.routeConfigurations().stream().filter(r -> r.getName().equals(rdsName))
                .findFirst().orElse(null);
        if (rc == null) {
            return Result.error("route configuration " + rdsName + " is missing");
        }
        String hostHeader = request.host() == null ? "" : request.host();
        String vhostKey = (hcm.getStripAnyHostPort() ? hostOnly(hostHeader) : hostHeader).toLowerCase(Locale.ROOT);
        VirtualHost vh = virtualHost(rc, vhostKey);
        if (vh == null) {
            return Result.status(404, null);
        }
        String method = request.method() == null ? "GET" : request.method();
        String fullPath = request.path() == null || request.path().isEmpty() ? "/" : request.path();
        int q = fullPath.indexOf('?');
        String path = q < 0 ? fullPath : fullPath.substring(0, q);
        String query = q < 0 ? "" : fullPath.substring(q);
        Map<String, String> headers = new TreeMap<>();
        if (request.headers() != null) {
            request.headers().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
        }
        for (Route route : vh.getRoutesList()) {
            if (!matches(route.getMatch(), method, hostHeader, path, query, headers)) {
                continue;
            }
            return switch (route.getActionCase()) {
                case DIRECT_RESPONSE -> Result.status(route.getDirectResponse().getStatus(), route.getName());
                case REDIRECT -> redirect(route, scheme, hostHeader, path, query);
                case ROUTE -> forward(config, route, hostHeader, path, query, headers);
                default -> Result.error("route " + route.getName() + " has an unsupported action " + route.getActionCase());
            };
        }
        return Result.status(404, null);
    }

    /** Envoy's virtual host choice: exact, longest suffix wildcard, longest prefix wildcard, then "*". */
    static VirtualHost virtualHost(RouteConfiguration rc, String host) {
        VirtualHost suffix = null;
        VirtualHost prefix = null;
        VirtualHost any = null;
        int suffixLength = -1;
        int prefixLength = -1;
        for (VirtualHost vh : rc.getVirtualHostsList()) {
            for (String raw : vh.getDomainsList()) {
                String d = raw.toLowerCase(Locale.ROOT);
                if (d.equals("*")) {
                    any = any == null ? vh : any;
                } else if (d.equals(host)) {
                    return vh;
                } else if (d.startsWith("*") && host.length() > d.length() - 1 && host.endsWith(d.substring(1))
                        && d.length() > suffixLength) {
                    suffix = vh;
                    suffixLength = d.length();
                } else if (d.endsWith("*") && host.length() > d.length() - 1
                        && host.startsWith(d.substring(0, d.length() - 1)) && d.length() > prefixLength) {
                    prefix = vh;
                    prefixLength = d.length();
                }
            }
        }
        return suffix != null ? suffix : prefix != null ? prefix : any;
    }

    static boolean matches(RouteMatch m, String method, String host, String path, String query,
                           Map<String, String> headers) {
        boolean caseSensitive = !m.hasCaseSensitive() || m.getCaseSensitive().getValue();
        String p = caseSensitive ? path : path.toLowerCase(Locale.ROOT);
        boolean pathOk = switch (m.getPathSpecifierCase()) {
            case PREFIX -> p.startsWith(caseSensitive ? m.getPrefix() : m.getPrefix().toLowerCase(Locale.ROOT));
            case PATH -> p.equals(caseSensitive ? m.getPath() : m.getPath().toLowerCase(Locale.ROOT));
            case SAFE_REGEX -> SafeRegex.compile(m.getSafeRegex().getRegex()).matches(path);
            case PATH_SEPARATED_PREFIX -> {
                String prefix = m.getPathSeparatedPrefix();
                yield p.equals(prefix) || p.startsWith(prefix + "/");
            }
            default -> false;
        };
        if (!pathOk) {
            return false;
        }
        for (HeaderMatcher h : m.getHeadersList()) {
            String value = switch (h.getName()) {
                case ":method" -> method;
                case ":authority", "host" -> host;
                case ":path" -> path + query;
                default -> headers.get(h.getName().toLowerCase(Locale.ROOT));
            };
            if (headerMatches(h, value) == h.getInvertMatch()) {
                return false;
            }
        }
        Map<String, String> params = queryParams(query);
        for (QueryParameterMatcher qp : m.getQueryParametersList()) {
            String value = params.get(qp.getName());
            boolean ok = qp.hasPresentMatch() ? (value != null) == qp.getPresentMatch()
                    : value != null && stringMatches(qp.getStringMatch(), value);
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean headerMatches(HeaderMatcher h, String value) {
        if (value == null) {
            return h.getTreatMissingHeaderAsEmpty() && h.hasStringMatch() && stringMatches(h.getStringMatch(), "");
        }
        return switch (h.getHeaderMatchSpecifierCase()) {
            case STRING_MATCH -> stringMatches(h.getStringMatch(), value);
            case EXACT_MATCH -> value.equals(h.getExactMatch());
            case SAFE_REGEX_MATCH -> SafeRegex.compile(h.getSafeRegexMatch().getRegex()).matches(value);
            case PRESENT_MATCH -> h.getPresentMatch();
            case PREFIX_MATCH -> value.startsWith(h.getPrefixMatch());
            case SUFFIX_MATCH -> value.endsWith(h.getSuffixMatch());
            case CONTAINS_MATCH -> value.contains(h.getContainsMatch());
            default -> true; // no specifier: presence is enough
        };
    }

    private static boolean stringMatches(StringMatcher s, String value) {
        String v = s.getIgnoreCase() ? value.toLowerCase(Locale.ROOT) : value;
        return switch (s.getMatchPatternCase()) {
            case EXACT -> v.equals(s.getIgnoreCase() ? s.getExact().toLowerCase(Locale.ROOT) : s.getExact());
            case PREFIX -> v.startsWith(s.getIgnoreCase() ? s.getPrefix().toLowerCase(Locale.ROOT) : s.getPrefix());
            case SUFFIX -> v.endsWith(s.getIgnoreCase() ? s.getSuffix().toLowerCase(Locale.ROOT) : s.getSuffix());
            case CONTAINS -> v.contains(s.getIgnoreCase() ? s.getContains().toLowerCase(Locale.ROOT) : s.getContains());
            case SAFE_REGEX -> SafeRegex.compile(s.getSafeRegex().getRegex()).matches(value);
            default -> false;
        };
    }

    /** First value of each name, as Envoy's query parameter matcher sees it. */
    private static Map<String, String> queryParams(String query) {
        Map<String, String> out = new LinkedHashMap<>();
        if (query.length() > 1) {
            for (String pair : query.substring(1).split("&")) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                out.putIfAbsent(name, eq < 0 ? "" : pair.substring(eq + 1));
            }
        }
        return out;
    }

    private static Result redirect(Route route, String scheme, String hostHeader, String path, String query) {
        RedirectAction r = route.getRedirect();
        String finalScheme = !r.getSchemeRedirect().isEmpty() ? r.getSchemeRedirect() : r.getHttpsRedirect() ? "https" : scheme;
        String host = !r.getHostRedirect().isEmpty() ? r.getHostRedirect() : hostOnly(hostHeader);
        String port = r.getPortRedirect() > 0 ? String.valueOf(r.getPortRedirect()) : portOf(hostHeader);
        String newPath = switch (r.getPathRewriteSpecifierCase()) {
            case PATH_REDIRECT -> r.getPathRedirect().contains("?") ? r.getPathRedirect() : r.getPathRedirect() + query;
            case PREFIX_REWRITE -> r.getPrefixRewrite() + path.substring(matchedPrefix(route.getMatch(), path)) + query;
            case REGEX_REWRITE -> regexRewrite(r.getRegexRewrite(), path) + query;
            default -> path + query;
        };
        if (r.getStripQuery()) {
            int q = newPath.indexOf('?');
            newPath = q < 0 ? newPath : newPath.substring(0, q);
        }
        boolean defaultPort = port == null || (finalScheme.equals("http") && port.equals("80"))
                || (finalScheme.equals("https") && port.equals("443"));
        String location = finalScheme + "://" + host + (defaultPort ? "" : ":" + port) + newPath;
        int status = switch (r.getResponseCode()) {
            case MOVED_PERMANENTLY -> 301;
            case SEE_OTHER -> 303;
            case TEMPORARY_REDIRECT -> 307;
            case PERMANENT_REDIRECT -> 308;
            default -> 302;
        };
        return new Result(status, null, List.of(), location, null, null, route.getName(), Map.of(), Map.of(), List.of(), null);
    }

    private static Result forward(EnvoyConfig config, Route route, String hostHeader, String path, String query,
                                  Map<String, String> headers) {
        RouteAction a = route.getRoute();
        String host = a.getHostRewriteLiteral().isEmpty() ? hostHeader : a.getHostRewriteLiteral();
        String upstreamPath;
        if (!a.getPrefixRewrite().isEmpty()) {
            upstreamPath = a.getPrefixRewrite() + path.substring(matchedPrefix(route.getMatch(), path)) + query;
        } else if (a.hasRegexRewrite()) {
            upstreamPath = regexRewrite(a.getRegexRewrite(), path) + query;
        } else {
            upstreamPath = path + query;
        }
        Map<String, String> upstream = new TreeMap<>(headers);
        upstream.put("host", host);
        Changes byRoute = Changes.of(upstream).apply(route.getRequestHeadersToAddList(),
                route.getRequestHeadersToRemoveList(), route.getResponseHeadersToAddList(),
                route.getResponseHeadersToRemoveList());
        if (a.hasWeightedClusters()) {
            // A cluster missing from the config is Envoy's cluster_not_found case: that share gets the route's
            // cluster_not_found_response_code (500 for unresolved backendRefs) and shows as backend null.
            Set<String> clusters = config.clusters().stream().map(Cluster::getName).collect(Collectors.toSet());
            List<WeightedCluster.ClusterWeight> entries = a.getWeightedClusters().getClustersList();
            if (entries.size() == 1 && clusters.contains(entries.get(0).getName())) {
                // One weighted cluster (a lone backend with filters) takes every request.
                Changes changes = forCluster(upstream, entries.get(0), route);
                return routed(backend(entries.get(0).getName()), List.of(), host, upstreamPath, route.getName(),
                        changes.request(), changes.response(), changes.responseRemoved());
            }
            List<WeightedBackend> weighted = entries.stream().map(c -> {
                        String name = clusters.contains(c.getName()) ? backend(c.getName()) : null;
                        if (!ownChanges(c)) {
                            return new WeightedBackend(name, c.getWeight().getValue());
                        }
                        Changes changes = forCluster(upstream, c, route);
                        return new WeightedBackend(name, c.getWeight().getValue(), changes.request(),
                                changes.response(), changes.responseRemoved());
                    })
                    .sorted(Comparator.comparing(WeightedBackend::backend, Comparator.nullsLast(Comparator.naturalOrder())))
                    .toList();
            return routed(null, weighted, host, upstreamPath, route.getName(), byRoute.request(), byRoute.response(),
                    byRoute.responseRemoved());
        }
        return routed(backend(a.getCluster()), List.of(), host, upstreamPath, route.getName(), byRoute.request(),
                byRoute.response(), byRoute.responseRemoved());
    }

    private static boolean ownChanges(WeightedCluster.ClusterWeight c) {
        return c.getRequestHeadersToAddCount() + c.getRequestHeadersToRemoveCount() + c.getResponseHeadersToAddCount()
                + c.getResponseHeadersToRemoveCount() > 0;
    }

    /** What a request sent to one weighted cluster gets: the cluster's header changes, then the route's (Envoy's order). */
    private static Changes forCluster(Map<String, String> upstream, WeightedCluster.ClusterWeight c, Route route) {
        return Changes.of(upstream)
                .apply(c.getRequestHeadersToAddList(), c.getRequestHeadersToRemoveList(),
                        c.getResponseHeadersToAddList(), c.getResponseHeadersToRemoveList())
                .apply(route.getRequestHeadersToAddList(), route.getRequestHeadersToRemoveList(),
                        route.getResponseHeadersToAddList(), route.getResponseHeadersToRemoveList());
    }

    /** The upstream request's headers, the headers added to the response, and those removed from it. */
    private record Changes(Map<String, String> request, Map<String, String> response, List<String> responseRemoved) {
        static Changes of(Map<String, String> upstream) {
            return new Changes(new TreeMap<>(upstream), new TreeMap<>(), new ArrayList<>());
        }

        /** One level's changes; as Envoy's header parser, it removes before it adds. */
        Changes apply(List<HeaderValueOption> requestAdd, List<String> requestRemove,
                      List<HeaderValueOption> responseAdd, List<String> responseRemove) {
            requestRemove.forEach(h -> request.remove(h.toLowerCase(Locale.ROOT)));
            requestAdd.forEach(o -> add(request, o.getHeader().getKey().toLowerCase(Locale.ROOT), o));
            // A removal at the route's level also takes what the backend's level added before it.
            responseRemove.forEach(h -> response.keySet().removeIf(k -> k.equalsIgnoreCase(h)));
            responseAdd.forEach(o -> add(response, o.getHeader().getKey(), o));
            responseRemoved.addAll(responseRemove);
            return this;
        }

        private static void add(Map<String, String> headers, String key, HeaderValueOption o) {
            headers.merge(key, o.getHeader().getValue(),
                    (old, add) -> o.getAppendAction() == HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD
                            ? old + "," + add : add);
        }
    }

    private static Result routed(String backend, List<WeightedBackend> backends, String host, String path, String route,
                                 Map<String, String> requestHeaders, Map<String, String> responseHeaders,
                                 List<String> responseRemoved) {
        return new Result(200, backend, backends, null, host, path, route, requestHeaders, responseHeaders,
                responseRemoved, null);
    }

    /** How many leading characters of the path the route's prefix (or exact path) match consumed. */
    private static int matchedPrefix(RouteMatch m, String path) {
        return switch (m.getPathSpecifierCase()) {
            case PREFIX -> m.getPrefix().length();
            case PATH_SEPARATED_PREFIX -> m.getPathSeparatedPrefix().length();
            case PATH -> path.length();
            default -> 0;
        };
    }

    /** Envoy's regex_rewrite: RE2 replace-all on the path; \N in the substitution names a capture group. */
    private static String regexRewrite(RegexMatchAndSubstitute rewrite, String path) {
        String substitution = rewrite.getSubstitution().replace("$", "\\$").replaceAll("\\\\(\\d)", "\\$$1");
        return SafeRegex.compile(rewrite.getPattern().getRegex()).matcher(path).replaceAll(substitution);
    }

    private static String backend(String cluster) {
        return ClusterName.parse(cluster).backend();
    }

    /** The Host header without its port (IPv6 literals keep their brackets). */
    static String hostOnly(String host) {
        int colon = host.lastIndexOf(':');
        return colon > host.lastIndexOf(']') && colon >= 0 ? host.substring(0, colon) : host;
    }

    private static String portOf(String host) {
        int colon = host.lastIndexOf(':');
        return colon > host.lastIndexOf(']') && colon >= 0 ? host.substring(colon + 1) : null;
    }

}
