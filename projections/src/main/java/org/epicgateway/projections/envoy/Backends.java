package org.epicgateway.projections.envoy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.epicgateway.projections.gatewayapi.ReferenceGrants;
import org.epicgateway.schemas.avro.BackendRef;
import org.epicgateway.schemas.avro.BackendService;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.ReferenceGrant;

/**
 * Resolves route backendRefs against the Services, EndpointSlices and ReferenceGrants of a {@link GatewayView}.
 * The same answer feeds the Envoy routes (cluster or 500) and the route status (ResolvedRefs and its reason). A route
 * resolves within its own account (a shared gateway carries routes of other accounts): their Services, slices and
 * grants, and clusters named with that account, so two accounts' Services of one name never meet.
 */
public final class Backends {

    /** Why a backendRef does not resolve, named as the Gateway API ResolvedRefs reasons. */
    public enum Problem { InvalidKind, RefNotPermitted, BackendNotFound }

    /** A backendRef resolved to its cluster, or the reason it did not resolve. */
    public record Resolution(BackendRef ref, ClusterName cluster, Problem problem) {
        public boolean resolved() {
            return problem == null;
        }
    }

    private final Map<String, BackendService> services = new HashMap<>();
    private final Set<String> slicedServices = new HashSet<>();
    private final Map<String, List<ReferenceGrant>> grants = new HashMap<>();

    public Backends(GatewayView view) {
        String gatewayAccount = view.getGateway().getAccount();
        view.getServices().forEach(s -> services.putIfAbsent(key(account(gatewayAccount, s.getAccount()),
                s.getNamespace(), s.getName()), s));
        view.getEndpointSlices().forEach(s -> slicedServices.add(key(s.getAccount(), s.getNamespace(),
                s.getServiceName())));
        view.getReferenceGrants().forEach(g -> grants.computeIfAbsent(account(gatewayAccount, g.getAccount()),
                a -> new ArrayList<>()).add(g));
    }

    private static String account(String gatewayAccount, String account) {
        return account == null ? gatewayAccount : account;
    }

    private static String key(String account, String namespace, String service) {
        return account + "/" + namespace + "/" + service;
    }

    /**
     * Resolves one backendRef of a route of {@code routeKind} ("HTTPRoute", "TCPRoute") of {@code routeAccount} in
     * {@code routeNamespace}.
     */
    public Resolution resolve(String routeKind, String routeAccount, String routeNamespace, BackendRef ref) {
        String namespace = ref.getNamespace() == null ? routeNamespace : ref.getNamespace();
        ClusterName cluster = new ClusterName(routeAccount, namespace, ref.getName(), ref.getPort());
        if (ref.getKind() != null && !ref.getKind().equals("Service") && !ref.getKind().equals("core/Service")) {
            return new Resolution(ref, cluster, Problem.InvalidKind);
        }
        if (!namespace.equals(routeNamespace) && !ReferenceGrants.permits(grants.getOrDefault(routeAccount, List.of()),
                routeKind, routeNamespace, namespace, "Service", ref.getName())) {
            return new Resolution(ref, cluster, Problem.RefNotPermitted);
        }
        return new Resolution(ref, cluster, exists(cluster) ? null : Problem.BackendNotFound);
    }

    /**
     * The backendRefs that carry traffic: resolved and with a positive weight. The Envoy routes and the EDS keys both
     * come from here, so every cluster with endpoints is a cluster some route uses.
     */
    public List<Resolution> routable(String routeKind, String routeAccount, String routeNamespace,
                                     List<BackendRef> refs) {
        return refs.stream().map(ref -> resolve(routeKind, routeAccount, routeNamespace, ref))
                .filter(r -> r.resolved() && r.ref().getWeight() > 0).toList();
    }

    /** The Service behind a cluster, when the view knows it (EndpointSlice-only backends have none). */
    public Optional<BackendService> service(ClusterName cluster) {
        return Optional.ofNullable(services.get(key(cluster.account(), cluster.namespace(), cluster.service())));
    }

    // A Service listed with ports must have the referenced port; without a Service record, EndpointSlices naming the
    // service stand for it (the workload controllers send slices, not Services).
    private boolean exists(ClusterName cluster) {
        Optional<BackendService> service = service(cluster);
        if (service.isPresent()) {
            return service.get().getPorts().stream().anyMatch(p -> p.getPort() == cluster.port());
        }
        return slicedServices.contains(key(cluster.account(), cluster.namespace(), cluster.service()));
    }
}
