package org.epicgateway.edge.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddress;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteGroupKind;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TCPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TCPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TLSRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TLSRouteStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.epicgateway.edge.api.EpicApi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes Gateway API status as the spec defines it: GatewayClass Accepted; Gateway addresses, Accepted and Programmed,
 * per-listener conditions, supportedKinds and attachedRoutes; each route's {@code status.parents[]} entry for our
 * gateways, Accepted and ResolvedRefs with the spec's reasons. Conditions carry the observedGeneration of the object
 * whose EPIC version the status was derived from: a status EPIC derived before it saw the newest generation is not
 * written (the next round writes it). A status is written only when it differs (transition times kept), so a quiet
 * cluster gets no writes.
 */
final class StatusWriter {
    private static final Logger LOG = LoggerFactory.getLogger(StatusWriter.class);
    static final ObjectMapper JSON = new ObjectMapper();

    /** The kinds whose status this writer keeps; a problem of any other kind can only be logged. */
    private static final java.util.Set<String> WITH_STATUS = java.util.Set.of("Gateway", "HTTPRoute", "GRPCRoute",
        "TCPRoute", "TLSRoute");

    private final KubernetesClient client;
    private final String controllerName;
    /** key -> resourceVersion last logged of an object without status, so each version is logged once. */
    private final Map<String, String> logged = new HashMap<>();

    StatusWriter(KubernetesClient client, String controllerName) {
        this.client = client;
        this.controllerName = controllerName;
    }

    static String key(HasMetadata o) {
        return HasMetadata.getKind(o.getClass()) + "/" + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }

    /** The key of a cluster-scoped Namespace, as {@link #key} gives it. */
    private static String namespaceKey(String name) {
        return "Namespace/null/" + name;
    }

    /**
     * A problem of an object that could not go to EPIC. An object of a kind without status (a Namespace, a Service, an
     * EndpointSlice, a ReferenceGrant) has nowhere else to show it, so it is logged, once per version of the object:
     * it comes back every round until the object changes.
     */
    void notSent(HasMetadata object, String problem) {
        String kind = HasMetadata.getKind(object.getClass());
        if (WITH_STATUS.contains(kind)) {
            return;
        }
        // By version alone: EPIC's answer names the object's place in the batch, which changes between rounds.
        String version = object.getMetadata().getResourceVersion();
        if (!Objects.equals(version, logged.put(key(object), version))) {
            LOG.warn("{} {} (resourceVersion {}) is not in EPIC: {}", kind, object.getMetadata().getNamespace() == null
                ? object.getMetadata().getName() : object.getMetadata().getNamespace() + "/"
                + object.getMetadata().getName(), object.getMetadata().getResourceVersion(), problem);
        }
    }

    /** The object went to EPIC: a later problem of it is logged again. */
    void accepted(HasMetadata object) {
        logged.remove(key(object));
    }

    void gatewayClass(GatewayClass c, boolean accepted, String reason, String message) {
        List<Condition> conditions = List.of(condition("Accepted", accepted, reason, message,
            c.getMetadata().getGeneration(), c.getStatus() == null ? null : c.getStatus().getConditions()));
        if (c.getStatus() != null && same(c.getStatus().getConditions(), conditions)) {
            return;
        }
        GatewayClass copy = copy(c, GatewayClass.class);
        copy.setStatus(new GatewayClassStatus(conditions, copy.getStatus() == null ? null : copy.getStatus().getSupportedFeatures()));
        replaceStatus(copy);
    }

    void ensureFinalizer(Gateway g, String finalizer) {
        if (g.getMetadata().getFinalizers() == null || !g.getMetadata().getFinalizers().contains(finalizer)) {
            edit(g, x -> x.getMetadata().getFinalizers().add(finalizer));
        }
    }

    void removeFinalizer(Gateway g, String finalizer) {
        edit(g, x -> x.getMetadata().getFinalizers().remove(finalizer));
    }

    private void edit(Gateway g, java.util.function.Consumer<Gateway> change) {
        try {
            client.resources(Gateway.class).inNamespace(g.getMetadata().getNamespace()).withName(g.getMetadata().getName())
                .edit(x -> {
                    if (x.getMetadata().getFinalizers() == null) {
                        x.getMetadata().setFinalizers(new ArrayList<>());
                    }
                    change.accept(x);
                    return x;
                });
        } catch (KubernetesClientException e) {
            LOG.info("finalizer of gateway {}: {}; next round retries", key(g), e.getMessage());
        }
    }

    /**
     * Gateway and route status from what EPIC derived, or from why an object could not go to EPIC; a Gateway in
     * {@code sharedAs} (namespace/name -> the EPIC gateway it joined by sharing key, possibly another account's) shows
     * that gateway's status, and its routes' parents are read from it; a route whose Gateway has a problem (such as a
     * sharing key no gateway shares with the account any more) is not Accepted, naming that problem. A
     * listener in {@code certificateProblems} ({@code namespace/gateway/listener} -> what is wrong with its Secrets)
     * is not ResolvedRefs nor Programmed, with that message: EPIC only knows that no certificate was uploaded.
     */
    void write(KubernetesController controller, Map<String, ClassParameters> ours, List<Gateway> gateways,
               List<HasMetadata> routes, Map<String, String> problems, Map<String, EpicApi.Result> refused,
               Map<String, EpicApi.GatewayRef> sharedAs, Map<String, String> certificateProblems) {
        // (gateway namespace/name) -> EPIC's status of it, for the routes below
        Map<String, JsonNode> epic = new HashMap<>();
        Map<String, ClassParameters> classOf = new HashMap<>();
        Map<String, String> gatewayProblems = new HashMap<>();
        for (Gateway g : gateways) {
            ClassParameters p = ours.get(g.getSpec().getGatewayClassName());
            if (p == null || g.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            String name = g.getMetadata().getNamespace() + "/" + g.getMetadata().getName();
            classOf.put(name, p);
            String problem = problem(key(g), problems, refused);
            long generation = Objects.requireNonNullElse(g.getMetadata().getGeneration(), 0L);
            List<Condition> old = g.getStatus() == null ? null : g.getStatus().getConditions();
            if (problem != null) {
                gatewayProblems.put(name, problem);
                gateway(g, new GatewayStatus(List.of(), List.of(
                    condition("Accepted", false, "Invalid", problem, generation, old),
                    condition("Programmed", false, "Invalid", problem, generation, old)), List.of()));
                continue;
            }
            EpicApi.GatewayRef epicName = sharedAs.getOrDefault(name, new EpicApi.GatewayRef(p.connection().account(),
                g.getMetadata().getNamespace(), g.getMetadata().getName()));
            Optional<JsonNode> status;
            try {
                status = controller.api(p).gatewayStatus(epicName);
            } catch (EpicApi.Unavailable e) {
                continue;
            }
            if (status.isEmpty()) {
                continue;
            }
            epic.put(name, status.get());
            // A joined gateway's spec is not this Gateway's: EPIC's status of it holds for every generation.
            Long observed = sharedAs.containsKey(name) ? Long.valueOf(generation) : controller.acknowledgedGeneration(
                p.connection().account(), "Gateway", g.getMetadata().getNamespace(), g.getMetadata().getName(),
                status.get().path("gatewayVersion").asLong());
            if (observed == null) {
                continue; // EPIC has not derived from what we sent last yet
            }
            List<GatewayStatusAddress> addresses = new ArrayList<>();
            status.get().path("addresses").forEach(a -> addresses.add(new GatewayStatusAddress("IPAddress", a.asText())));
            List<ListenerStatus> listeners = new ArrayList<>();
            for (JsonNode l : status.get().path("listeners")) {
                List<RouteGroupKind> kinds = new ArrayList<>();
                l.path("supportedKinds").forEach(k -> kinds.add(new RouteGroupKind("gateway.networking.k8s.io", k.asText())));
                List<Condition> oldListener = g.getStatus() == null || g.getStatus().getListeners() == null ? null
                    : g.getStatus().getListeners().stream().filter(x -> x.getName().equals(l.path("name").asText()))
                        .findFirst().map(ListenerStatus::getConditions).orElse(null);
                List<Condition> conditions = conditions(l.path("conditions"), observed, oldListener);
                String certificate = certificateProblems.get(name + "/" + l.path("name").asText());
                if (certificate != null) {
                    conditions = certificateProblem(conditions, certificate, observed, oldListener);
                }
                listeners.add(new ListenerStatus(l.path("attachedRoutes").asInt(), conditions, l.path("name").asText(),
                    kinds));
            }
            gateway(g, new GatewayStatus(addresses, conditions(status.get().path("conditions"), observed, old), listeners));
        }
        Map<String, Gateway> byName = new HashMap<>();
        gateways.forEach(g -> byName.put(g.getMetadata().getNamespace() + "/" + g.getMetadata().getName(), g));
        for (HasMetadata route : routes) {
            route(controller, route, classOf, epic, problem(key(route), problems, refused), gatewayProblems, sharedAs,
                byName, problem(namespaceKey(route.getMetadata().getNamespace()), problems, refused));
        }
    }

    private void route(KubernetesController controller, HasMetadata route, Map<String, ClassParameters> classOf,
                       Map<String, JsonNode> epic, String problem, Map<String, String> gatewayProblems,
                       Map<String, EpicApi.GatewayRef> sharedAs,
                       Map<String, Gateway> gateways, String namespaceProblem) {
        String ns = route.getMetadata().getNamespace();
        String kind = HasMetadata.getKind(route.getClass());
        long generation = Objects.requireNonNullElse(route.getMetadata().getGeneration(), 0L);
        List<RouteParentStatus> before = parents(route);
        List<RouteParentStatus> after = new ArrayList<>(before.stream()
            .filter(p -> !controllerName.equals(p.getControllerName())).toList());
        boolean complete = true;
        for (ParentReference ref : KubernetesController.parentRefs(route)) {
            String gateway = (ref.getNamespace() == null ? ns : ref.getNamespace()) + "/" + ref.getName();
            ClassParameters p = classOf.get(gateway);
            if (p == null || (ref.getKind() != null && !ref.getKind().equals("Gateway"))) {
                continue; // not one of our gateways: another controller's business
            }
            List<Condition> old = before.stream().filter(s -> controllerName.equals(s.getControllerName())
                && sameRef(s.getParentRef(), ref, ns)).findFirst().map(RouteParentStatus::getConditions).orElse(null);
            List<Condition> conditions;
            if (problem != null) {
                conditions = List.of(condition("Accepted", false, "UnsupportedValue", problem, generation, old),
                    condition("ResolvedRefs", false, "UnsupportedValue", problem, generation, old));
            } else if (gatewayProblems.containsKey(gateway)) {
                // The parent is not in EPIC as this cluster means it (invalid, or a key no gateway shares with the
                // account): whether the route's refs resolve there is unknown, so Accepted only.
                conditions = List.of(condition("Accepted", false, "NoMatchingParent", "Gateway " + gateway
                    + " is not accepted: " + gatewayProblems.get(gateway), generation, old));
            } else {
                JsonNode entry = null;
                EpicApi.GatewayRef joined = sharedAs.get(gateway);
                ParentReference asSent = joined == null ? ref : new io.fabric8.kubernetes.api.model.gatewayapi.v1
                    .ParentReferenceBuilder(ref).withNamespace(joined.namespace()).withName(joined.name()).build();
                for (JsonNode r : epic.getOrDefault(gateway, JSON.createObjectNode()).path("routes")) {
                    if (r.path("kind").asText().equals(kind) && r.path("namespace").asText().equals(ns)
                        && r.path("name").asText().equals(route.getMetadata().getName())
                        && sameRef(r.path("parentRef"), asSent, ns)) {
                        entry = r;
                    }
                }
                Long observed = entry == null ? null : controller.acknowledgedGeneration(p.connection().account(), kind,
                    ns, route.getMetadata().getName(), entry.path("version").asLong());
                if (observed == null) {
                    complete = false;
                    continue;
                }
                conditions = conditions(entry.path("conditions"), observed, old);
                if (namespaceProblem != null && selectsByLabel(gateways.get(gateway), ref)) {
                    // EPIC matched the selector without the Namespace's labels: say why they are missing.
                    conditions = conditions.stream().map(c -> !c.getType().equals("Accepted") ? c
                        : condition("Accepted", c.getStatus().equals("True"), c.getReason(), c.getMessage()
                            + "; Namespace " + ns + " is not in EPIC, its labels unknown there: " + namespaceProblem,
                            observed, old)).toList();
                }
            }
            after.add(new RouteParentStatus(conditions, controllerName, ref));
        }
        if (!complete || same(before, after)) {
            return;
        }
        switch (route) {
            case HTTPRoute r -> {
                HTTPRoute copy = copy(r, HTTPRoute.class);
                copy.setStatus(new HTTPRouteStatus(after));
                replaceStatus(copy);
            }
            case GRPCRoute r -> {
                GRPCRoute copy = copy(r, GRPCRoute.class);
                copy.setStatus(new GRPCRouteStatus(after));
                replaceStatus(copy);
            }
            case TCPRoute r -> {
                TCPRoute copy = copy(r, TCPRoute.class);
                copy.setStatus(new TCPRouteStatus(after));
                replaceStatus(copy);
            }
            case TLSRoute r -> {
                TLSRoute copy = copy(r, TLSRoute.class);
                copy.setStatus(new TLSRouteStatus(after));
                replaceStatus(copy);
            }
            default -> { }
        }
    }

    /** Whether a listener the parentRef may attach to admits routes by their Namespace's labels. */
    private static boolean selectsByLabel(Gateway g, ParentReference ref) {
        return g != null && g.getSpec().getListeners() != null && g.getSpec().getListeners().stream()
            .filter(l -> ref.getSectionName() == null || ref.getSectionName().equals(l.getName()))
            .filter(l -> ref.getPort() == null || ref.getPort().equals(l.getPort()))
            .anyMatch(l -> l.getAllowedRoutes() != null && l.getAllowedRoutes().getNamespaces() != null
                && "Selector".equals(l.getAllowedRoutes().getNamespaces().getFrom()));
    }

    /** Writes the Gateway's status unless it already is that; true when it wrote. */
    boolean gateway(Gateway g, GatewayStatus status) {
        if (g.getStatus() != null && withoutTimes(g.getStatus()).equals(withoutTimes(status))) {
            return false;
        }
        Gateway copy = copy(g, Gateway.class);
        copy.setStatus(status);
        replaceStatus(copy);
        return true;
    }

    /**
     * Replaces the status subresource, locked to the resourceVersion the status was computed from (a merge patch
     * would merge lists, which status must not do); a conflict means the object moved on and the next round retries.
     */
    private void replaceStatus(HasMetadata object) {
        try {
            client.resource(object).updateStatus();
        } catch (KubernetesClientException e) {
            LOG.info("status of {}: {}; next round retries", key(object), e.getMessage());
        }
    }

    private static String problem(String key, Map<String, String> problems, Map<String, EpicApi.Result> refused) {
        if (problems.containsKey(key)) {
            return problems.get(key);
        }
        EpicApi.Result r = refused.get(key);
        return r == null ? null : "EPIC refused it: " + r.problem();
    }

    private static List<RouteParentStatus> parents(HasMetadata route) {
        List<RouteParentStatus> parents = switch (route) {
            case HTTPRoute r -> r.getStatus() == null ? null : r.getStatus().getParents();
            case GRPCRoute r -> r.getStatus() == null ? null : r.getStatus().getParents();
            case TCPRoute r -> r.getStatus() == null ? null : r.getStatus().getParents();
            case TLSRoute r -> r.getStatus() == null ? null : r.getStatus().getParents();
            default -> null;
        };
        return parents == null ? List.of() : parents;
    }

    private static boolean sameRef(ParentReference a, ParentReference b, String routeNamespace) {
        return a != null && Objects.equals(a.getName(), b.getName())
            && Objects.equals(a.getNamespace() == null ? routeNamespace : a.getNamespace(),
                b.getNamespace() == null ? routeNamespace : b.getNamespace())
            && Objects.equals(a.getSectionName(), b.getSectionName()) && Objects.equals(a.getPort(), b.getPort());
    }

    private static boolean sameRef(JsonNode epic, ParentReference ref, String routeNamespace) {
        return epic.path("name").asText().equals(ref.getName())
            && epic.path("namespace").asText(routeNamespace).equals(ref.getNamespace() == null ? routeNamespace : ref.getNamespace())
            && Objects.equals(epic.hasNonNull("sectionName") ? epic.get("sectionName").asText() : null, ref.getSectionName())
            && Objects.equals(epic.hasNonNull("port") ? epic.get("port").asInt() : null, ref.getPort());
    }

    /**
     * A listener's conditions when its certificate Secrets cannot be used: ResolvedRefs False (EPIC's reason when it
     * has one already, such as RefNotPermitted, else InvalidCertificateRef) and Programmed False, naming the problem.
     */
    private static List<Condition> certificateProblem(List<Condition> conditions, String problem, long observed,
                                                      List<Condition> old) {
        List<Condition> out = new ArrayList<>();
        for (Condition c : conditions) {
            out.add(switch (c.getType()) {
                case "ResolvedRefs" -> condition("ResolvedRefs", false, c.getStatus().equals("False") ? c.getReason()
                    : "InvalidCertificateRef", problem, observed, old);
                case "Programmed" -> condition("Programmed", false, "Invalid", problem, observed, old);
                default -> c;
            });
        }
        return out;
    }

    private static List<Condition> conditions(JsonNode epic, long observedGeneration, List<Condition> old) {
        List<Condition> out = new ArrayList<>();
        epic.forEach(c -> out.add(condition(c.path("type").asText(), c.path("status").asText().equals("True"),
            c.path("reason").asText(), c.path("message").asText(), observedGeneration, old)));
        return out;
    }

    /** A condition; its lastTransitionTime is kept from {@code old} unless its status changed. */
    private static Condition condition(String type, boolean status, String reason, String message,
                                       Long observedGeneration, List<Condition> old) {
        String value = status ? "True" : "False";
        String since = old == null ? null : old.stream().filter(c -> c.getType().equals(type) && value.equals(c.getStatus()))
            .map(Condition::getLastTransitionTime).filter(Objects::nonNull).findFirst().orElse(null);
        return new Condition(since != null ? since : Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
            message, observedGeneration, reason, value, type);
    }

    private static boolean same(List<?> a, List<?> b) {
        return a != null && JSON.valueToTree(withoutTimes(a)).equals(JSON.valueToTree(withoutTimes(b)));
    }

    /** A status as a tree without lastTransitionTime, for "has anything changed". */
    private static JsonNode withoutTimes(Object status) {
        JsonNode tree = JSON.valueToTree(status);
        strip(tree);
        return tree;
    }

    private static void strip(JsonNode node) {
        if (node.isObject()) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) node).remove("lastTransitionTime");
        }
        node.forEach(StatusWriter::strip);
    }

    private static <T> T copy(T object, Class<T> type) {
        return JSON.convertValue(object, type);
    }
}
