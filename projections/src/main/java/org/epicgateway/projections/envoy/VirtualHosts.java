package org.epicgateway.projections.envoy;

import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.epicgateway.projections.gatewayapi.Attachments;
import org.epicgateway.projections.gatewayapi.Attachments.HttpAttachment;
import org.epicgateway.projections.gatewayapi.GrpcRoutes;
import org.epicgateway.schemas.avro.GrpcRouteState;
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

    /**
     * One route match served under one virtual host, through the route hostname that covers it; {@code grpc} is the
     * GRPCRoute the route stands for, if any.
     */
    private record Entry(HttpRouteState route, int rule, int match, HttpRouteMatch condition, String hostname,
                         GrpcRouteState grpc) {
        String kind() {
            return grpc == null ? Attachments.HTTP_ROUTE : Attachments.GRPC_ROUTE;
        }
    }

    /** Ties after the match (and, for gRPC, hostname) criteria: the oldest route, "{namespace}/{name}", rule, match. */
    private static final Comparator<Entry> AGE_AND_ORDER = Comparator
            .comparing((Entry e) -> e.route().getCreationTimestamp())
            .thenComparing(e -> e.route().getNamespace() + "/" + e.route().getName())
            .thenComparingInt(Entry::rule)
            .thenComparingInt(Entry::match);

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
            .thenComparing(AGE_AND_ORDER);

    /**
     * The spec's GRPCRoute precedence (grpcroute_types.go, GRPCRouteRule.Matches): characters in the matching
     * non-wildcard hostname, in the matching hostname, in the service, in the method, header matches; then age.
     */
    private static final Comparator<Entry> GRPC_PRECEDENCE = Comparator
            .comparingInt((Entry e) -> -Hostnames.exactLength(e.hostname()))
            .thenComparingInt(e -> -Hostnames.length(e.hostname()))
            .thenComparing(e -> GrpcRoutes.rank(e.grpc().getRules().get(e.rule()), e.match()),
                    Arrays::compare)
            .thenComparing(AGE_AND_ORDER);

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
                        .ifPresent(h -> addMatches(entries, a, h));
            }
            VirtualHost.Builder vh = VirtualHost.newBuilder().setName(domain).addDomains(domain);
            entries.stream().sorted(precedence(entries)).forEach(e -> vh.addRoutes(HttpRoutes.translate(e.kind(),
                    e.route(), e.rule(), e.match(), e.condition(), origin, backends, usedClusters)));
            out.add(vh.build());
        }
        return out;
    }

    private static void addMatches(Set<Entry> entries, HttpAttachment a, String hostname) {
        for (int r = 0; r < a.route().getRules().size(); r++) {
            List<HttpRouteMatch> matches = HttpRoutes.matches(a.route().getRules().get(r));
            for (int m = 0; m < matches.size(); m++) {
                entries.add(new Entry(a.route(), r, m, matches.get(m), hostname, a.grpc()));
            }
        }
    }

    /**
     * HTTPRoutes and GRPCRoutes are never merged: each kind is ordered by its own precedence. On one listener the two
     * kinds never share a hostname ({@code Attachments} keeps the older route); they still meet in one virtual host
     * when two listeners of one port have the same hostname, and then the kind whose oldest route is older goes first.
     */
    private static Comparator<Entry> precedence(Set<Entry> entries) {
        Map<String, Entry> oldest = new HashMap<>();
        entries.forEach(e -> oldest.merge(e.kind(), e, (x, y) -> AGE_AND_ORDER.compare(x, y) <= 0 ? x : y));
        Comparator<Entry> byKind = Comparator.comparing(e -> oldest.get(e.kind()), AGE_AND_ORDER);
        return byKind.thenComparing((x, y) -> x.grpc() == null ? PRECEDENCE.compare(x, y) : GRPC_PRECEDENCE.compare(x, y));
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
