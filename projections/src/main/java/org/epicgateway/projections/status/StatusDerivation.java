package org.epicgateway.projections.status;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.epicgateway.projections.envoy.Backends;
import org.epicgateway.projections.envoy.EnvoyDerivation;
import org.epicgateway.projections.gatewayapi.Attachments;
import org.epicgateway.projections.gatewayapi.GrpcRoutes;
import org.epicgateway.projections.gatewayapi.Mirrors;
import org.epicgateway.projections.gatewayapi.Certificates;
import org.epicgateway.schemas.avro.BackendRef;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.HttpRouteRule;
import org.epicgateway.schemas.avro.HttpRouteState;
import org.epicgateway.schemas.avro.Listener;
import org.epicgateway.schemas.avro.ParentRef;
import org.epicgateway.schemas.avro.TcpRouteRule;
import org.epicgateway.schemas.avro.TcpRouteState;
import org.epicgateway.schemas.avro.TlsRouteState;

/**
 * The Gateway API status of a gateway and of every route parentRef naming it, derived purely from the same
 * {@link GatewayView} (and the same attachment and backend resolution) the Envoy config comes from, so status never
 * disagrees with what the proxies serve.
 */
public final class StatusDerivation {

    /** A Gateway API condition: type (Accepted, ResolvedRefs), status, reason, human message. */
    public record Condition(String type, boolean status, String reason, String message) {}

    /** The status one gateway gives one parentRef of one route. */
    public record RouteParentStatus(String account, String kind, String namespace, String name, ParentRef parentRef,
                                    Condition accepted, Condition resolvedRefs) {}

    /** A gateway listener, how many routes it serves, and its Accepted/Conflicted/ResolvedRefs/Programmed conditions. */
    public record ListenerStatus(String name, int attachedRoutes, List<Condition> conditions) {
        public Condition condition(String type) {
            return conditions.stream().filter(c -> c.type().equals(type)).findFirst().orElseThrow();
        }
    }

    /** Everything a gateway reports: addresses, listeners, and its routes' parent statuses. */
    public record GatewayStatus(String gatewayId, List<String> addresses, List<ListenerStatus> listeners,
                                List<RouteParentStatus> routes) {}

    /**
     * What the proxies did with the configuration derived from a view: its revision (null with {@code problem} when
     * the view does not derive), and how many proxies run it or rejected it (ACK/NACK, as the xds-projector reports).
     */
    public record ProxyProgress(String version, String problem, int running, int rejected) {}

    private StatusDerivation() {}

    /**
     * The gateway's own Accepted and Programmed conditions. Programmed is True only once a proxy ACKed the revision
     * derived from this very view, so a gateway is not reported ready before its replicas serve what it says. While
     * no proxy runs it, {@code replicaProblem} (the provisioner's latest reason a replica does not run, e.g. "no envoy
     * binary on PATH", or null) is said in the message, so a tenant sees why it stays pending.
     */
    public static List<Condition> gatewayConditions(GatewayView view, ProxyProgress progress, String replicaProblem) {
        Condition accepted = view.getTemplate() == null
                ? new Condition("Accepted", false, "Invalid", "the gateway's template '" + view.getGateway().getTemplate()
                        + "' was removed")
                : new Condition("Accepted", true, "Accepted", "accepted by EPIC");
        Condition programmed;
        if (view.getGateway().getAddress() == null) {
            programmed = new Condition("Programmed", false, "AddressNotAssigned", "no address allocated yet");
        } else if (progress.version() == null) {
            programmed = new Condition("Programmed", false, "Invalid", "no Envoy configuration: " + progress.problem());
        } else if (progress.running() > 0) {
            programmed = new Condition("Programmed", true, "Programmed", progress.running()
                    + " proxies run revision " + progress.version());
        } else if (progress.rejected() > 0) {
            programmed = new Condition("Programmed", false, "Invalid", progress.rejected()
                    + " proxies rejected revision " + progress.version());
        } else {
            programmed = new Condition("Programmed", false, "Pending", "no proxy has acknowledged revision "
                    + progress.version() + " yet" + (replicaProblem == null ? "" : "; " + replicaProblem));
        }
        return List.of(accepted, programmed);
    }

    /** The route kinds a listener serves: by protocol, narrowed to its allowedRoutes.kinds when it lists any. */
    public static List<String> supportedKinds(Listener l) {
        List<String> byProtocol = switch (l.getProtocol()) {
            case HTTP, HTTPS -> List.of(Attachments.HTTP_ROUTE, Attachments.GRPC_ROUTE);
            case TCP -> List.of(Attachments.TCP_ROUTE);
            case TLS -> Certificates.terminates(l) ? List.of(Attachments.TLS_ROUTE, Attachments.TCP_ROUTE)
                    : List.of(Attachments.TLS_ROUTE);
        };
        if (l.getAllowedRoutes() == null || l.getAllowedRoutes().getKinds().isEmpty()) {
            return byProtocol;
        }
        return byProtocol.stream().filter(l.getAllowedRoutes().getKinds()::contains).toList();
    }

    public static GatewayStatus derive(GatewayView view) {
        Attachments attachments = Attachments.of(view);
        Backends backends = new Backends(view);
        Map<String, Condition> resolved = new LinkedHashMap<>();
        view.getHttpRoutes().forEach(r -> resolved.put(key(Attachments.HTTP_ROUTE, r.getAccount(), r.getNamespace(),
                r.getName()), httpResolvedRefs(backends, Attachments.HTTP_ROUTE, r)));
        view.getGrpcRoutes().forEach(r -> resolved.put(key(Attachments.GRPC_ROUTE, r.getAccount(), r.getNamespace(),
                r.getName()), httpResolvedRefs(backends, Attachments.GRPC_ROUTE, GrpcRoutes.asHttpRoute(r))));
        for (TcpRouteState r : view.getTcpRoutes()) {
            resolved.put(key(Attachments.TCP_ROUTE, r.getAccount(), r.getNamespace(), r.getName()),
                    resolvedRefs(backends,
                    Attachments.TCP_ROUTE, r.getAccount(), r.getNamespace(),
                    r.getRules().stream().map(TcpRouteRule::getBackendRefs).flatMap(List::stream).toList()));
        }
        for (TlsRouteState r : view.getTlsRoutes()) {
            resolved.put(key(Attachments.TLS_ROUTE, r.getAccount(), r.getNamespace(), r.getName()),
                    resolvedRefs(backends,
                    Attachments.TLS_ROUTE, r.getAccount(), r.getNamespace(),
                    r.getRules().stream().map(TcpRouteRule::getBackendRefs).flatMap(List::stream).toList()));
        }
        List<RouteParentStatus> routes = new ArrayList<>();
        for (Attachments.Parent p : attachments.parents()) {
            Condition accepted = p.accepted()
                    ? new Condition("Accepted", true, "Accepted", "attached to " + names(p.listeners()))
                    : new Condition("Accepted", false, p.reason(), p.detail() != null ? p.detail() : message(p.reason()));
            routes.add(new RouteParentStatus(p.account(), p.kind(), p.namespace(), p.name(), p.parentRef(), accepted,
                    resolved.get(key(p.kind(), p.account(), p.namespace(), p.name()))));
        }
        List<ListenerStatus> listeners = new ArrayList<>();
        for (Listener l : view.getGateway().getListeners()) {
            Set<String> served = new HashSet<>();
            attachments.http().stream().filter(a -> a.listener().equals(l))
                    .forEach(a -> served.add(key(a.kind(), a.route().getAccount(), a.route().getNamespace(),
                            a.route().getName())));
            attachments.tcp().stream().filter(a -> a.listener().equals(l))
                    .forEach(a -> served.add(key(Attachments.TCP_ROUTE, a.route().getAccount(),
                            a.route().getNamespace(), a.route().getName())));
            attachments.tls().stream().filter(a -> a.listener().equals(l))
                    .forEach(a -> served.add(key(Attachments.TLS_ROUTE, a.route().getAccount(),
                            a.route().getNamespace(), a.route().getName())));
            listeners.add(new ListenerStatus(l.getName(), served.size(), listenerConditions(view, l)));
        }
        List<String> addresses = Stream.of(view.getGateway().getAddress(), view.getGateway().getAltAddress())
                .filter(Objects::nonNull).toList();
        return new GatewayStatus(view.getGatewayId(), addresses, listeners, routes);
    }

    private static List<Condition> listenerConditions(GatewayView view, Listener l) {
        boolean conflicted = Attachments.conflicted(view.getGateway(), l);
        String certificate = Certificates.terminates(l) ? Certificates.problem(view, l) : null;
        return List.of(
                new Condition("Accepted", true, "Accepted", "listener accepted"),
                conflicted ? new Condition("Conflicted", true, "ProtocolConflict",
                        "an earlier listener on port " + l.getPort() + " has another protocol")
                        : new Condition("Conflicted", false, "NoConflicts", "no conflict"),
                certificate == null ? new Condition("ResolvedRefs", true, "ResolvedRefs", "references resolved")
                        : new Condition("ResolvedRefs", false, certificate, certificate.equals("RefNotPermitted")
                                ? "a certificateRef into another namespace has no ReferenceGrant"
                                : "a certificateRef names no stored certificate (upload it first)"),
                !conflicted && certificate == null
                        ? new Condition("Programmed", true, "Programmed", "in the Envoy config")
                        : new Condition("Programmed", false, "Invalid", "not in the Envoy config"));
    }

    /** An HTTPRoute's (or the HTTPRoute a GRPCRoute stands for) backendRefs and mirror backends. */
    private static Condition httpResolvedRefs(Backends backends, String kind, HttpRouteState r) {
        return resolvedRefs(backends, kind, r.getAccount(), r.getNamespace(), r.getRules().stream().flatMap(rule ->
                Stream.concat(rule.getBackendRefs().stream(), Mirrors.backendRefs(rule).stream())).toList());
    }

    private static Condition resolvedRefs(Backends backends, String kind, String account, String namespace,
                                          List<BackendRef> refs) {
        List<String> problems = new ArrayList<>();
        Backends.Problem first = null;
        for (BackendRef ref : refs) {
            Backends.Resolution r = backends.resolve(kind, account, namespace, ref);
            if (!r.resolved()) {
                first = first == null ? r.problem() : first;
                problems.add(r.cluster().backend() + ": " + r.problem());
            }
        }
        return first == null ? new Condition("ResolvedRefs", true, "ResolvedRefs", "all backendRefs resolved")
                : new Condition("ResolvedRefs", false, first.name(), String.join("; ", problems));
    }

    private static String message(String reason) {
        return switch (reason) {
            case "NoMatchingParent" -> "no listener of the gateway has the parentRef's sectionName or port";
            case "NotAllowedByListeners" -> "the listeners do not allow this route's kind or namespace";
            case "NoMatchingListenerHostname" -> "no route hostname intersects a listener hostname";
            default -> reason;
        };
    }

    private static String names(List<Listener> listeners) {
        return String.join(", ", listeners.stream().map(Listener::getName).toList());
    }

    private static String key(String kind, String account, String namespace, String name) {
        return kind + "/" + account + "/" + namespace + "/" + name;
    }
}
