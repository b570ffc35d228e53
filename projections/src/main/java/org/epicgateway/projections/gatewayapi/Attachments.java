package org.epicgateway.projections.gatewayapi;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.epicgateway.schemas.avro.GatewayState;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.GrpcRouteState;
import org.epicgateway.schemas.avro.HttpRouteState;
import org.epicgateway.schemas.avro.Listener;
import org.epicgateway.schemas.avro.NamespacesFrom;
import org.epicgateway.schemas.avro.ParentRef;
import org.epicgateway.schemas.avro.TcpRouteState;
import org.epicgateway.schemas.avro.TlsRouteState;

/**
 * Which routes of a {@link GatewayView} attach to which listeners of its gateway, and why the others do not: the
 * parentRef (name, sectionName, port), the listener's protocol and allowedRoutes (kinds; namespaces Same, All, or
 * those whose labels its selector matches), and the hostname intersection.
 * Shared by the Envoy derivation (what to serve) and the status derivation (what to report).
 */
public final class Attachments {

    public static final String HTTP_ROUTE = "HTTPRoute";
    public static final String GRPC_ROUTE = "GRPCRoute";
    public static final String TCP_ROUTE = "TCPRoute";
    public static final String TLS_ROUTE = "TLSRoute";

    /**
     * An HTTPRoute on a listener with its effective hostnames (never empty); for a GRPCRoute, the HTTPRoute it stands
     * for ({@link GrpcRoutes#asHttpRoute}) and the GRPCRoute itself, whose precedence and backends differ.
     */
    public record HttpAttachment(HttpRouteState route, Listener listener, List<String> hostnames, GrpcRouteState grpc) {
        public String kind() {
            return grpc == null ? HTTP_ROUTE : GRPC_ROUTE;
        }
    }

    /** The TCPRoute served by a TCP or terminating TLS listener (the oldest of those attached). */
    public record TcpAttachment(TcpRouteState route, Listener listener) {}

    /** A TLSRoute on a TLS listener with its effective SNI names (never empty); oldest routes first. */
    public record TlsAttachment(TlsRouteState route, Listener listener, List<String> hostnames) {}

    /**
     * Outcome of one parentRef of one route that names this gateway: reason "Accepted" with the listeners it attached
     * to, or a Gateway API reason (NoMatchingParent, NotAllowedByListeners, NoMatchingListenerHostname, or
     * {@link #CONFLICTED}); {@code detail} says more where the reason alone does not (null otherwise). {@code account}
     * is the route's: a shared gateway's view holds routes of the accounts its owner granted.
     */
    public record Parent(String account, String kind, String namespace, String name, ParentRef parentRef,
                         String reason, List<Listener> listeners, String detail) {
        Parent(String account, String kind, String namespace, String name, ParentRef parentRef, String reason,
               List<Listener> listeners) {
            this(account, kind, namespace, name, parentRef, reason, listeners, null);
        }

        public boolean accepted() {
            return reason.equals("Accepted");
        }
    }

    /**
     * The reason of a route that lost every listener of its parentRef to an older route of the other kind
     * (HTTPRoute against GRPCRoute) with an intersecting hostname. The spec requires only Accepted=False there and
     * names no reason; "Conflicted" is the word GEP-1426 uses for the same HTTPRoute/GRPCRoute rule.
     */
    public static final String CONFLICTED = "Conflicted";

    private final List<HttpAttachment> http = new ArrayList<>();
    private final List<TcpAttachment> tcp = new ArrayList<>();
    private final List<TlsAttachment> tls = new ArrayList<>();
    private final List<Parent> parents = new ArrayList<>();
    /** Declared labels of the routes' namespaces, by name (the view carries them when a listener selects). */
    private final Map<String, Map<String, String>> namespaceLabels = new HashMap<>();

    private Attachments() {}

    public static Attachments of(GatewayView view) {
        Attachments a = new Attachments();
        view.getNamespaces().forEach(n -> a.namespaceLabels.put(n.getName(), n.getLabels()));
        GatewayState gateway = view.getGateway();
        for (HttpRouteState route : view.getHttpRoutes()) {
            for (ParentRef ref : route.getParentRefs()) {
                if (!names(gateway, route.getAccount(), route.getNamespace(), ref)) {
                    continue;
                }
                a.parents.add(a.attachHttp(gateway, route, null, ref));
            }
        }
        for (GrpcRouteState route : view.getGrpcRoutes()) {
            HttpRouteState served = GrpcRoutes.asHttpRoute(route);
            for (ParentRef ref : route.getParentRefs()) {
                if (names(gateway, route.getAccount(), route.getNamespace(), ref)) {
                    a.parents.add(a.attachHttp(gateway, served, route, ref));
                }
            }
        }
        a.keepOlderKindOnSharedHostnames();
        Map<Listener, TcpRouteState> oldest = new LinkedHashMap<>();
        Comparator<TcpRouteState> age = Comparator.comparing(TcpRouteState::getCreationTimestamp)
                .thenComparing(TcpRouteState::getNamespace).thenComparing(TcpRouteState::getName);
        for (TcpRouteState route : view.getTcpRoutes()) {
            for (ParentRef ref : route.getParentRefs()) {
                if (!names(gateway, route.getAccount(), route.getNamespace(), ref)) {
                    continue;
                }
                Parent parent = a.evaluate(gateway, TCP_ROUTE, route.getAccount(), route.getNamespace(),
                        route.getName(), ref);
                a.parents.add(parent);
                for (Listener l : parent.listeners()) {
                    oldest.merge(l, route, (x, y) -> age.compare(x, y) <= 0 ? x : y);
                }
            }
        }
        for (Listener l : gateway.getListeners()) {
            if (oldest.containsKey(l)) {
                a.tcp.add(new TcpAttachment(oldest.get(l), l));
            }
        }
        // Oldest first: where two TLSRoutes claim one SNI name, the spec gives it to the older.
        List<TlsRouteState> tlsRoutes = new ArrayList<>(view.getTlsRoutes());
        tlsRoutes.sort(Comparator.comparing(TlsRouteState::getCreationTimestamp)
                .thenComparing(TlsRouteState::getNamespace).thenComparing(TlsRouteState::getName));
        for (TlsRouteState route : tlsRoutes) {
            for (ParentRef ref : route.getParentRefs()) {
                if (names(gateway, route.getAccount(), route.getNamespace(), ref)) {
                    a.parents.add(a.attachByHostname(gateway, TLS_ROUTE, route.getAccount(), route.getNamespace(),
                            route.getName(), ref,
                            route.getHostnames(), (l, hostnames) -> a.tls.add(new TlsAttachment(route, l, hostnames))));
                }
            }
        }
        return a;
    }

    public List<HttpAttachment> http() {
        return http;
    }

    public List<TcpAttachment> tcp() {
        return tcp;
    }

    public List<TlsAttachment> tls() {
        return tls;
    }

    public List<Parent> parents() {
        return parents;
    }

    /**
     * The GRPCRoute spec (hostnames): when an HTTPRoute and a GRPCRoute attached to one listener have intersecting
     * hostnames, exactly one is accepted there, the older (creationTimestamp, then "{namespace}/{name}"). Taken
     * oldest first, so a route that lost serves nothing on that listener and cannot make a third route lose. A
     * parentRef left with no listener is Accepted=False {@link #CONFLICTED}, naming the route it lost to.
     */
    private void keepOlderKindOnSharedHostnames() {
        if (http.stream().map(HttpAttachment::kind).distinct().count() < 2) {
            return; // one kind only: nothing to decide (and no quadratic walk over thousands of routes)
        }
        Comparator<HttpAttachment> age = Comparator.comparing((HttpAttachment x) -> x.route().getCreationTimestamp())
                .thenComparing(x -> x.route().getNamespace() + "/" + x.route().getName())
                .thenComparing(HttpAttachment::kind);
        // Identity maps: attachments are distinct objects, and hashing Avro records deeply would cost more.
        Map<Listener, Map<String, List<HttpAttachment>>> kept = new IdentityHashMap<>();
        Map<HttpAttachment, HttpAttachment> lostTo = new IdentityHashMap<>();
        for (HttpAttachment x : http.stream().sorted(age).toList()) {
            Map<String, List<HttpAttachment>> byKind = kept.computeIfAbsent(x.listener(), l -> new HashMap<>());
            byKind.getOrDefault(x.kind().equals(HTTP_ROUTE) ? GRPC_ROUTE : HTTP_ROUTE, List.of()).stream()
                    .filter(k -> Hostnames.overlap(k.hostnames(), x.hostnames())).findFirst()
                    .ifPresentOrElse(winner -> lostTo.put(x, winner),
                            () -> byKind.computeIfAbsent(x.kind(), k -> new ArrayList<>()).add(x));
        }
        if (lostTo.isEmpty()) {
            return;
        }
        http.removeIf(lostTo::containsKey);
        parents.replaceAll(p -> {
            if (!p.accepted() || !(p.kind().equals(HTTP_ROUTE) || p.kind().equals(GRPC_ROUTE))) {
                return p;
            }
            List<HttpAttachment> lost = lostTo.keySet().stream().filter(x -> x.kind().equals(p.kind())
                    && x.route().getAccount().equals(p.account()) && x.route().getNamespace().equals(p.namespace()) && x.route().getName().equals(p.name())
                    && p.listeners().contains(x.listener())).toList();
            List<Listener> left = p.listeners().stream()
                    .filter(l -> lost.stream().noneMatch(x -> x.listener().equals(l))).toList();
            if (left.size() == p.listeners().size()) {
                return p;
            }
            if (!left.isEmpty()) {
                return new Parent(p.account(), p.kind(), p.namespace(), p.name(), p.parentRef(), p.reason(), left);
            }
            HttpAttachment winner = lostTo.get(lost.get(0));
            return new Parent(p.account(), p.kind(), p.namespace(), p.name(), p.parentRef(), CONFLICTED, List.of(),
                    "the older " + winner.kind() + " " + winner.route().getNamespace() + "/"
                            + winner.route().getName() + " serves an intersecting hostname on listener "
                            + winner.listener().getName() + " (an HTTPRoute and a GRPCRoute never share one)");
        });
    }

    private Parent attachHttp(GatewayState gateway, HttpRouteState route, GrpcRouteState grpc, ParentRef ref) {
        return attachByHostname(gateway, grpc == null ? HTTP_ROUTE : GRPC_ROUTE, route.getAccount(),
                route.getNamespace(), route.getName(), ref, route.getHostnames(), (l, hostnames) -> http.add(new HttpAttachment(route, l, hostnames, grpc)));
    }

    /**
     * Attaches a route with hostnames (HTTPRoute, GRPCRoute, TLSRoute) to each allowed listener its hostnames
     * intersect, handing each attachment with its effective hostnames to {@code attach}; NoMatchingListenerHostname
     * when none does.
     */
    private Parent attachByHostname(GatewayState gateway, String kind, String account, String namespace, String name,
                                    ParentRef ref, List<String> routeHostnames,
                                    BiConsumer<Listener, List<String>> attach) {
        Parent parent = evaluate(gateway, kind, account, namespace, name, ref);
        if (!parent.accepted()) {
            return parent;
        }
        List<Listener> matched = new ArrayList<>();
        for (Listener l : parent.listeners()) {
            List<String> hostnames = Hostnames.intersect(l.getHostname(), routeHostnames);
            if (!hostnames.isEmpty()) {
                attach.accept(l, hostnames);
                matched.add(l);
            }
        }
        return matched.isEmpty()
                ? new Parent(account, kind, namespace, name, ref, "NoMatchingListenerHostname", List.of())
                : new Parent(account, kind, namespace, name, ref, "Accepted", matched);
    }

    private Parent evaluate(GatewayState gateway, String kind, String account, String namespace, String name,
                            ParentRef ref) {
        List<Listener> candidates = gateway.getListeners().stream()
                .filter(l -> ref.getSectionName() == null || ref.getSectionName().equals(l.getName()))
                .filter(l -> ref.getPort() == null || ref.getPort() == l.getPort())
                .toList();
        if (candidates.isEmpty()) {
            return new Parent(account, kind, namespace, name, ref, "NoMatchingParent", List.of());
        }
        boolean shared = !account.equals(gateway.getAccount());
        List<Listener> allowed = candidates.stream().filter(l -> shared ? allowsAll(l, kind)
                : allows(gateway, l, kind, namespace)).toList();
        if (allowed.isEmpty() && shared) {
            return new Parent(account, kind, namespace, name, ref, "NotAllowedByListeners", List.of(),
                    "a route of another account attaches only to listeners with allowedRoutes.namespaces.from All"
                            + " (its namespaces are never the gateway's, nor selected by its labels)");
        }
        return allowed.isEmpty()
                ? new Parent(account, kind, namespace, name, ref, "NotAllowedByListeners", List.of())
                : new Parent(account, kind, namespace, name, ref, "Accepted", allowed);
    }

    /**
     * Listeners on one port collapse when they share the protocol; the first listener declared on a port owns it and
     * a listener of another protocol there is conflicted (left out of the Envoy config, Conflicted in status).
     */
    public static boolean conflicted(GatewayState gateway, Listener l) {
        return gateway.getListeners().stream().filter(x -> x.getPort() == l.getPort()).findFirst()
                .map(first -> first.getProtocol() != l.getProtocol()).orElse(false);
    }

    /** Whether a listener of the gateway admits routes by their namespace's labels (then its view carries them). */
    public static boolean selectsNamespaces(GatewayState gateway) {
        return gateway.getListeners().stream().anyMatch(l -> l.getAllowedRoutes() != null
                && l.getAllowedRoutes().getNamespacesFrom() == NamespacesFrom.SELECTOR);
    }

    private static boolean names(GatewayState gateway, String routeAccount, String routeNamespace, ParentRef ref) {
        String account = ref.getAccount() == null ? routeAccount : ref.getAccount();
        String namespace = ref.getNamespace() == null ? routeNamespace : ref.getNamespace();
        return account.equals(gateway.getAccount()) && namespace.equals(gateway.getNamespace())
                && ref.getName().equals(gateway.getName());
    }

    /** For a route of another account: a listener of its protocol that admits routes of all namespaces. */
    private static boolean allowsAll(Listener l, String kind) {
        return carries(l, kind) && l.getAllowedRoutes() != null
                && l.getAllowedRoutes().getNamespacesFrom() == NamespacesFrom.ALL
                && (l.getAllowedRoutes().getKinds().isEmpty() || l.getAllowedRoutes().getKinds().contains(kind));
    }

    private static boolean carries(Listener l, String kind) {
        return switch (l.getProtocol()) {
            case HTTP, HTTPS -> kind.equals(HTTP_ROUTE) || kind.equals(GRPC_ROUTE);
            case TCP -> kind.equals(TCP_ROUTE);
            // A terminating TLS listener hands the decrypted stream on, so a TCPRoute may take it too.
            case TLS -> kind.equals(TLS_ROUTE) || kind.equals(TCP_ROUTE) && Certificates.terminates(l);
        };
    }

    private boolean allows(GatewayState gateway, Listener l, String kind, String routeNamespace) {
        if (!carries(l, kind)) {
            return false;
        }
        if (l.getAllowedRoutes() == null) {
            return routeNamespace.equals(gateway.getNamespace());
        }
        boolean namespaceAllowed = switch (l.getAllowedRoutes().getNamespacesFrom()) {
            case ALL -> true;
            case SAME -> routeNamespace.equals(gateway.getNamespace());
            // The decider refuses SELECTOR without a selector; a missing one selects nothing, as the API server's.
            case SELECTOR -> l.getAllowedRoutes().getNamespaceSelector() != null
                    && LabelSelectors.matches(l.getAllowedRoutes().getNamespaceSelector(),
                            LabelSelectors.namespaceLabels(routeNamespace, namespaceLabels.get(routeNamespace)));
        };
        List<String> kinds = l.getAllowedRoutes().getKinds();
        return namespaceAllowed && (kinds.isEmpty() || kinds.contains(kind));
    }
}
