package org.epicgateway.projections.envoy;

import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.epicgateway.projections.gatewayapi.Attachments.HttpAttachment;
import org.epicgateway.projections.gatewayapi.Hostnames;
import org.epicgateway.schemas.avro.HttpRouteMatch;
import org.epicgateway.schemas.avro.HttpRouteState;
import org.epicgateway.schemas.avro.Listener;
import org.epicgateway.schemas.avro.PathMatchType;

/**
 * The virtual hosts of one port: one per effective hostname (listener hostname intersected with route hostnames),
 * each holding every route match that serves that hostname, ordered by the Gateway API precedence.
 */
final class VirtualHosts {

    /** One route match served under one virtual host, through the route hostname that covers it. */
    private record Entry(HttpRouteState route, int rule, int match, HttpRouteMatch condition, String hostname) {}

    /**
     * Spec precedence (httproute_types.go, HTTPRouteRule.Matches), continuing on ties, across all routes serving the
     * hostname: Exact path, then RegularExpression (implementation specific, placed between as Envoy Gateway does),
     * then PathPrefix; the longest path; a method match; most header matches; most query param matches. Then the
     * route hostname that matched (non-wildcard characters, then characters: an exact-host route beats a wildcard
     * one on otherwise equal matches; the conformance suite's MatchingAcrossRoutes shows matches rank first); the
     * oldest route; "{namespace}/{name}"; rule order; match order.
     */
    private static final Comparator<Entry> PRECEDENCE = Comparator
            .comparingInt((Entry e) -> pathRank(e.condition().getPath().getType()))
            .thenComparingInt(e -> -HttpRoutes.trimSlash(e.condition().getPath().getValue()).length())
            .thenComparingInt(e -> e.condition().getMethod() == null ? 1 : 0)
            .thenComparingInt(e -> -e.condition().getHeaders().size())
            .thenComparingInt(e -> -e.condition().getQueryParams().size())
            .thenComparingInt(e -> -Hostnames.exactLength(e.hostname()))
            .thenComparingInt(e -> -Hostnames.length(e.hostname()))
            .thenComparing(e -> e.route().getCreationTimestamp())
            .thenComparing(e -> e.route().getNamespace() + "/" + e.route().getName())
            .thenComparingInt(Entry::rule)
            .thenComparingInt(Entry::match);

    private VirtualHosts() {}

    static List<VirtualHost> build(List<Listener> portListeners, List<HttpAttachment> attachments,
                                   HttpRoutes.Origin origin, Backends backends, Set<ClusterName> usedClusters) {
        Set<String> domains = new TreeSet<>();
        attachments.forEach(a -> domains.addAll(a.hostnames()));
        // Index by effective hostname, so each virtual host looks only at the few patterns that can cover it
        // (linear in routes, not routes x hostnames, at 10k routes).
        Map<String, List<HttpAttachment>> byHostname = new HashMap<>();
        attachments.forEach(a -> a.hostnames().forEach(h -> byHostname.computeIfAbsent(h, k -> new ArrayList<>()).add(a)));
        List<VirtualHost> out = new ArrayList<>();
        for (String domain : domains) {
            // A request goes to the most specific listener whose hostname covers it; other listeners' routes
            // on the same port never see it.
            String listenerHost = portListeners.stream().map(VirtualHosts::hostname)
                    .filter(h -> Hostnames.covers(h, domain))
                    .max(Comparator.comparingInt(Hostnames::exactLength).thenComparingInt(Hostnames::length))
                    .orElseThrow();
            Set<Entry> entries = new LinkedHashSet<>();
            Set<HttpAttachment> candidates = new LinkedHashSet<>();
            Hostnames.coveringPatterns(domain).forEach(h -> candidates.addAll(byHostname.getOrDefault(h, List.of())));
            for (HttpAttachment a : candidates) {
                if (!hostname(a.listener()).equals(listenerHost)) {
                    continue;
                }
                a.hostnames().stream().filter(h -> Hostnames.covers(h, domain))
                        .max(Comparator.comparingInt(Hostnames::exactLength).thenComparingInt(Hostnames::length))
                        .ifPresent(h -> addMatches(entries, a.route(), h));
            }
            VirtualHost.Builder vh = VirtualHost.newBuilder().setName(domain).addDomains(domain);
            entries.stream().sorted(PRECEDENCE).forEach(e -> vh.addRoutes(HttpRoutes.translate(
                    e.route(), e.rule(), e.match(), e.condition(), origin, backends, usedClusters)));
            out.add(vh.build());
        }
        return out;
    }

    private static void addMatches(Set<Entry> entries, HttpRouteState route, String hostname) {
        for (int r = 0; r < route.getRules().size(); r++) {
            List<HttpRouteMatch> matches = HttpRoutes.matches(route.getRules().get(r));
            for (int m = 0; m < matches.size(); m++) {
                entries.add(new Entry(route, r, m, matches.get(m), hostname));
            }
        }
    }

    private static String hostname(Listener l) {
        return l.getHostname() == null ? Hostnames.ANY : l.getHostname().toLowerCase(java.util.Locale.ROOT);
    }

    private static int pathRank(PathMatchType type) {
        return switch (type) {
            case EXACT -> 0;
            case REGULAR_EXPRESSION -> 1;
            case PATH_PREFIX -> 2;
        };
    }
}
