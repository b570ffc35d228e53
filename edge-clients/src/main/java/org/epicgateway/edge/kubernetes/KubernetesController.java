package org.epicgateway.edge.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TCPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TLSRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.epicgateway.edge.api.EpicApi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kubernetes Gateway API controller of a workload cluster. Shared informers watch GatewayClasses, Gateways,
 * HTTPRoutes, GRPCRoutes, TCPRoutes, TLSRoutes, ReferenceGrants, Services, EndpointSlices, Nodes, Namespaces and TLS Secrets
 * (uploaded to EPIC's certificate store when a listener of ours names them: {@link CertificateUploads}); any change marks the cluster dirty, and
 * one worker reconciles after an optional coalescing window (none by default: the changes that arrive while a round
 * runs are coalesced into the next, docs/benchmarks.md), so a burst of EndpointSlice churn is one round and a few
 * batch requests. A round is level-triggered: from the informers' caches it computes every EPIC object this cluster
 * should have (per account, from the classes' parameters), sends those whose idempotency key changed since it last
 * sent them (all of them after a start, which EPIC answers from its decided commands, appending nothing), deletes
 * those that went away, and writes the status EPIC derives back to the objects. Nothing an object holds can stop the
 * loop: an object that cannot be mapped gets a condition naming its field, an EPIC refusal too.
 */
public final class KubernetesController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesController.class);
    /** The controllerName of the GatewayClasses this controller serves. */
    public static final String CONTROLLER_NAME = "epic-gateway.org/epic-on-kafka";
    /** Keeps a Gateway until EPIC has deleted it and released its address. */
    public static final String FINALIZER = "epic-gateway.org/gateway";
    /**
     * On a Gateway: join the EPIC gateway of the account that carries this sharing key (made from a shareable
     * template, usually by another cluster) instead of making one; the Gateway's routes attach to that gateway.
     */
    public static final String SHARING_KEY = "epic-gateway.org/sharing-key";

    /**
     * @param window         how long a change waits for more before a round (coalesces churn)
     * @param statusInterval how often status is refreshed from EPIC without a change (Programmed follows ACKs)
     */
    public record Settings(String controllerName, Duration window, Duration statusInterval) {
        public static Settings defaults() {
            return new Settings(CONTROLLER_NAME, Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    /**
     * What was last sent for one EPIC object: the idempotency key, EPIC's version, the Kubernetes generation; or, with
     * no key, what EPIC listed as this cluster's at the start (deleted unless the cluster still has it).
     */
    private record Sent(String collection, String namespace, String name, String key, long version, long generation) {}

    /** The kinds a controller writes, by the collection EPIC lists them under. */
    private static final Map<String, String> KINDS = Map.of("gateways", "Gateway", "httproutes", "HTTPRoute",
        "grpcroutes", "GRPCRoute", "tcproutes", "TCPRoute", "tlsroutes", "TLSRoute", "services", "Service",
        "endpointslices", "EndpointSlice", "referencegrants", "ReferenceGrant", "namespaces", "Namespace");

    /** An object this round wants in EPIC, with what identifies its version in the cluster. */
    private record Desired(Specs.EpicObject object, HasMetadata source, String version) {}

    private final KubernetesClient client;
    private final Settings settings;
    private final Function<EpicApi.Connection, EpicApi> apis;
    private final Map<EpicApi.Connection, EpicApi> connected = new ConcurrentHashMap<>();
    /** account -> (EPIC object key -> what was sent); touched only by the worker. */
    private final Map<String, Map<String, Sent>> sent = new HashMap<>();
    /**
     * account -> (EPIC object key -> its incarnation in this run): how often this run deleted the object, or found
     * EPIC answering its create from the decided commands while the object is gone (deleted since, by an earlier
     * run within their retention). An object wanted again is unchanged in the cluster, so without the incarnation and
     * this run's id in its key it would be the first create's, which EPIC answers without creating it again.
     * Touched only by the worker.
     */
    private final Map<String, Map<String, Integer>> incarnations = new HashMap<>();
    /** This run, in the keys of re-created objects and of deletes, which no earlier run can have used. */
    private final String run = java.util.UUID.randomUUID().toString().substring(0, 8);
    /** GatewayClass uid -> its parameters as last checked; touched only by the worker. */
    private final Map<String, Checked> checkedClasses = new HashMap<>();
    private static final Duration CLASS_RECHECK = Duration.ofSeconds(30);
    private final StatusWriter status;
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private SharedIndexInformer<GatewayClass> classes;
    private SharedIndexInformer<Gateway> gateways;
    private SharedIndexInformer<HTTPRoute> httpRoutes;
    private SharedIndexInformer<GRPCRoute> grpcRoutes;
    private SharedIndexInformer<TCPRoute> tcpRoutes;
    private SharedIndexInformer<TLSRoute> tlsRoutes;
    private SharedIndexInformer<ReferenceGrant> grants;
    private SharedIndexInformer<Service> services;
    private SharedIndexInformer<EndpointSlice> slices;
    private SharedIndexInformer<Node> nodes;
    private SharedIndexInformer<Secret> secrets;
    private SharedIndexInformer<Namespace> namespaces;
    private final CertificateUploads certificates = new CertificateUploads(run);
    private final Object signal = new Object();
    private boolean dirty = true;
    private volatile boolean running;
    private Thread worker;
    private volatile long rounds;
    private volatile long batches;
    private volatile long items;

    public KubernetesController(KubernetesClient client, Settings settings, Function<EpicApi.Connection, EpicApi> apis) {
        this.client = client;
        this.settings = settings;
        this.apis = apis;
        this.status = new StatusWriter(client, settings.controllerName());
    }

    public KubernetesController(KubernetesClient client, Settings settings) {
        this(client, settings, EpicApi::new);
    }

    /** Starts the informers (waits for their first listing) and the worker. */
    public void start() {
        classes = watch(client.resources(GatewayClass.class).inform());
        gateways = watch(client.resources(Gateway.class).inAnyNamespace().inform());
        httpRoutes = watch(client.resources(HTTPRoute.class).inAnyNamespace().inform());
        grpcRoutes = watch(client.resources(GRPCRoute.class).inAnyNamespace().inform());
        tcpRoutes = watch(client.resources(TCPRoute.class).inAnyNamespace().inform());
        tlsRoutes = watch(client.resources(TLSRoute.class).inAnyNamespace().inform());
        grants = watch(client.resources(ReferenceGrant.class).inAnyNamespace().inform());
        services = watch(client.services().inAnyNamespace().inform());
        slices = watch(client.discovery().v1().endpointSlices().inAnyNamespace().inform());
        nodes = watch(client.nodes().inform());
        namespaces = watch(client.namespaces().inform());
        // Only TLS Secrets are cached; of those, only the ones our Gateways reference are ever read.
        secrets = watch(client.secrets().inAnyNamespace().withField("type", CertificateUploads.TLS_SECRET).inform());
        running = true;
        worker = Thread.ofPlatform().name("epic-controller").daemon().start(this::loop);
    }

    /** Completed reconcile rounds (for tests and the bench). */
    public long rounds() {
        return rounds;
    }

    /** Batch requests sent to EPIC, and the objects they carried (the bench's batch size). */
    public long batches() {
        return batches;
    }

    public long items() {
        return items;
    }

    private <T extends HasMetadata> SharedIndexInformer<T> watch(SharedIndexInformer<T> informer) {
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                changed();
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                if (!Objects.equals(oldObj.getMetadata().getResourceVersion(), newObj.getMetadata().getResourceVersion())) {
                    changed();
                }
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                changed();
            }
        });
        informers.add(informer);
        return informer;
    }

    private void changed() {
        synchronized (signal) {
            dirty = true;
            signal.notifyAll();
        }
    }

    private void loop() {
        while (running) {
            try {
                synchronized (signal) {
                    if (!dirty) {
                        signal.wait(settings.statusInterval().toMillis());
                    }
                }
                if (!running) {
                    return;
                }
                Thread.sleep(settings.window().toMillis());
                synchronized (signal) {
                    dirty = false;
                }
                reconcile();
                rounds++;
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // A bug or an unreachable API server must not end the controller: log, back off, go again.
                LOG.warn("reconcile round failed; retrying", e);
                changed();
                sleepQuietly(settings.statusInterval());
            }
        }
    }

    /** One level-triggered round over the informers' caches. */
    void reconcile() {
        Map<String, ClassParameters> ours = new HashMap<>();
        for (GatewayClass c : classes.getStore().list()) {
            if (!settings.controllerName().equals(c.getSpec().getControllerName())) {
                continue;
            }
            Checked checked = checkedClasses.get(c.getMetadata().getUid());
            if (checked == null || !Objects.equals(checked.generation(), c.getMetadata().getGeneration())
                || checked.at() + (checked.parameters() != null ? CLASS_RECHECK : settings.statusInterval()).toNanos()
                    < System.nanoTime()) {
                checked = check(c);
                checkedClasses.put(c.getMetadata().getUid(), checked);
            }
            if (checked.parameters() != null) {
                ours.put(c.getMetadata().getName(), checked.parameters());
            }
            status.gatewayClass(c, checked.parameters() != null, checked.reason(), checked.message());
        }
        Map<String, String> nodeAddresses = nodeAddresses();
        Map<String, Map<String, Desired>> desired = new LinkedHashMap<>();
        Map<String, ClassParameters> byAccount = new HashMap<>();
        ours.values().forEach(p -> byAccount.putIfAbsent(p.connection().account(), p));
        byAccount.keySet().forEach(a -> desired.put(a, new LinkedHashMap<>()));
        Map<String, String> problems = new HashMap<>();

        // Gateways of our classes: deleted ones leave EPIC first (finalizer), the others are wanted; a Gateway with a
        // sharing key stands for the EPIC gateway that has it (another cluster's or another account's, which it never
        // changes).
        Map<String, ClassParameters> gatewayClassOf = new HashMap<>();
        Map<String, EpicApi.GatewayRef> sharedAs = new HashMap<>();
        for (Gateway g : gateways.getStore().list()) {
            ClassParameters p = ours.get(g.getSpec().getGatewayClassName());
            if (p == null) {
                continue;
            }
            String key = g.getMetadata().getNamespace() + "/" + g.getMetadata().getName();
            String sharingKey = g.getMetadata().getAnnotations() == null ? null
                : g.getMetadata().getAnnotations().get(SHARING_KEY);
            if (sharingKey != null) {
                if (g.getMetadata().getDeletionTimestamp() == null) {
                    join(p, g, sharingKey, problems).ifPresent(epic -> {
                        gatewayClassOf.put(key, p);
                        sharedAs.put(key, epic);
                    });
                }
                continue;
            }
            if (g.getMetadata().getDeletionTimestamp() != null) {
                release(p, g);
                continue;
            }
            status.ensureFinalizer(g, FINALIZER);
            gatewayClassOf.put(key, p);
            want(desired, p, g, String.valueOf(g.getMetadata().getGeneration()), p.template(), nodeAddresses, problems);
        }

        // Routes with a parent among those gateways go to that gateway's account, with the Services they name.
        Map<String, Set<String>> servicesByAccount = new HashMap<>();
        Map<String, Set<String>> namespacesByAccount = new HashMap<>();
        Map<String, Set<String>> routeNamespacesByAccount = new HashMap<>();
        List<HasMetadata> routes = new ArrayList<>(httpRoutes.getStore().list());
        routes.addAll(grpcRoutes.getStore().list());
        routes.addAll(tcpRoutes.getStore().list());
        routes.addAll(tlsRoutes.getStore().list());
        for (HasMetadata route : routes) {
            String ns = route.getMetadata().getNamespace();
            Optional<ClassParameters> p = parentRefs(route).stream()
                .filter(ref -> ref.getKind() == null || ref.getKind().equals("Gateway"))
                .map(ref -> gatewayClassOf.get((ref.getNamespace() == null ? ns : ref.getNamespace()) + "/" + ref.getName()))
                .filter(Objects::nonNull).findFirst();
            if (p.isEmpty()) {
                continue;
            }
            String account = p.get().connection().account();
            routeNamespacesByAccount.computeIfAbsent(account, a -> new TreeSet<>()).add(ns);
            want(desired, p.get(), route, String.valueOf(route.getMetadata().getGeneration()), null, nodeAddresses, problems);
            Desired wanted = desired.get(account).get(StatusWriter.key(route));
            if (wanted != null) {
                toSharedGateways(wanted.object().body(), ns, account, sharedAs);
            }
            for (JsonNode ref : backendRefs(route)) {
                String kind = ref.path("kind").asText("Service");
                if (kind.equals("Service") && ref.path("group").asText("").isEmpty()) {
                    String refNs = ref.path("namespace").asText(ns);
                    servicesByAccount.computeIfAbsent(account, a -> new TreeSet<>()).add(refNs + "/" + ref.path("name").asText());
                    if (!refNs.equals(ns)) {
                        namespacesByAccount.computeIfAbsent(account, a -> new TreeSet<>()).add(refNs);
                    }
                }
            }
        }
        // Only the Services routes name, their EndpointSlices, and the grants of namespaces referenced across.
        servicesByAccount.forEach((account, wanted) -> {
            ClassParameters p = byAccount.get(account);
            for (Service s : services.getStore().list()) {
                if (wanted.contains(s.getMetadata().getNamespace() + "/" + s.getMetadata().getName())) {
                    want(desired, p, s, s.getMetadata().getResourceVersion(), null, nodeAddresses, problems);
                }
            }
            for (EndpointSlice s : slices.getStore().list()) {
                String service = s.getMetadata().getLabels() == null ? null
                    : s.getMetadata().getLabels().get("kubernetes.io/service-name");
                if (service != null && wanted.contains(s.getMetadata().getNamespace() + "/" + service)) {
                    want(desired, p, s, s.getMetadata().getResourceVersion(), null, nodeAddresses, problems);
                }
            }
        });
        // The labels of the routes' namespaces (what Selector listeners match); not the cluster's other namespaces,
        // which name no EPIC gateway. Labels bump no generation, so the version is the resourceVersion; the decider
        // records nothing when the labels are unchanged (an annotation, a finalizer).
        routeNamespacesByAccount.forEach((account, wanted) -> {
            for (Namespace n : namespaces.getStore().list()) {
                if (wanted.contains(n.getMetadata().getName())) {
                    want(desired, byAccount.get(account), n, n.getMetadata().getResourceVersion(), null, nodeAddresses,
                        problems);
                }
            }
        });
        // Our own Gateways (not those joined by sharing key): the grants of the namespaces whose Secrets they use.
        Map<String, ClassParameters> own = new HashMap<>(gatewayClassOf);
        own.keySet().removeAll(sharedAs.keySet());
        for (Gateway g : gateways.getStore().list()) {
            ClassParameters p = own.get(g.getMetadata().getNamespace() + "/" + g.getMetadata().getName());
            if (p != null) {
                namespacesByAccount.computeIfAbsent(p.connection().account(), a -> new TreeSet<>())
                    .addAll(CertificateUploads.foreignNamespaces(g));
            }
        }
        namespacesByAccount.forEach((account, namespaces) -> {
            for (ReferenceGrant g : grants.getStore().list()) {
                if (namespaces.contains(g.getMetadata().getNamespace())) {
                    want(desired, byAccount.get(account), g, String.valueOf(g.getMetadata().getGeneration()), null,
                        nodeAddresses, problems);
                }
            }
        });

        // Certificates first: a new Gateway's first view then already has them (one revision less).
        Map<String, String> certificateProblems = certificates.reconcile(ours.values(), own, gateways.getStore().list(),
            secrets.getStore().list(), grants.getStore().list(), this::api, this::changed);
        Map<String, EpicApi.Result> refused = new HashMap<>();
        desired.forEach((account, objects) -> send(byAccount.get(account), objects, refused));
        status.write(this, ours, gateways.getStore().list(), routes, problems, refused, sharedAs, certificateProblems);
    }

    /**
     * The EPIC gateway a Gateway with a sharing key joins (the account's own, or another account's that granted it),
     * or empty with the problem recorded for its status (no such gateway, never granted or revoked since; or EPIC is
     * away).
     */
    private Optional<EpicApi.GatewayRef> join(ClassParameters p, Gateway g, String sharingKey,
                                              Map<String, String> problems) {
        try {
            Optional<EpicApi.GatewayRef> shared = api(p).sharedGateway(sharingKey);
            if (shared.isEmpty()) {
                problems.put(StatusWriter.key(g), "metadata.annotations[" + SHARING_KEY + "]: no gateway of EPIC account '"
                    + p.connection().account() + "' has sharing key '" + sharingKey + "', and no other account shares "
                    + "one with it under that key (never granted, or the grant was revoked)");
            }
            return shared;
        } catch (EpicApi.Unavailable e) {
            LOG.warn("gateway {}/{} waits for EPIC to resolve its sharing key: {}", g.getMetadata().getNamespace(),
                g.getMetadata().getName(), e.getMessage());
            changed();
            return Optional.empty();
        }
    }

    /**
     * A route's parentRefs naming a Gateway with a sharing key name the EPIC gateway it joined instead, with its
     * account when another account owns it.
     */
    private static void toSharedGateways(com.fasterxml.jackson.databind.node.ObjectNode route, String routeNamespace,
                                         String account, Map<String, EpicApi.GatewayRef> sharedAs) {
        for (JsonNode ref : route.path("parentRefs")) {
            String local = ref.path("namespace").asText(routeNamespace) + "/" + ref.path("name").asText();
            EpicApi.GatewayRef epic = sharedAs.get(local);
            if (epic != null) {
                com.fasterxml.jackson.databind.node.ObjectNode o = (com.fasterxml.jackson.databind.node.ObjectNode) ref;
                o.put("namespace", epic.namespace()).put("name", epic.name());
                if (!epic.account().equals(account)) {
                    o.put("account", epic.account());
                }
            }
        }
    }

    /** A class's parameters and whether EPIC answered with them, as last checked. */
    private record Checked(Long generation, long at, ClassParameters parameters, String reason, String message) {}

    /**
     * Reads a class's parameters and checks them against EPIC. Done again when the class changes and every
     * {@link #CLASS_RECHECK} (a changed Secret is seen within that; a failed check is retried with the status), not
     * every round.
     */
    private Checked check(GatewayClass c) {
        Long generation = c.getMetadata().getGeneration();
        try {
            ClassParameters p = ClassParameters.of(client, c);
            api(p).check();
            return new Checked(generation, System.nanoTime(), p, "Accepted", "parameters resolved; EPIC account '"
                + p.connection().account() + "' reachable at " + p.connection().apiUrl());
        } catch (Specs.Invalid e) {
            return new Checked(generation, System.nanoTime(), null, "InvalidParameters", e.getMessage());
        } catch (EpicApi.Unavailable e) {
            return new Checked(generation, System.nanoTime(), null, "Pending",
                "EPIC is not reachable with these parameters: " + e.getMessage());
        }
    }

    /** What was acknowledged for the EPIC object of {@code kind} (Gateway, HTTPRoute, GRPCRoute, TCPRoute, TLSRoute) of an account. */
    Optional<Sent> acknowledged(String account, String kind, String namespace, String name) {
        return Optional.ofNullable(sent.getOrDefault(account, Map.of()).get(kind + "/" + namespace + "/" + name))
            .filter(s -> !s.key().isEmpty());
    }

    /** The generation the acknowledged EPIC version was sent for; null if nothing of this object was acknowledged. */
    Long acknowledgedGeneration(String account, String kind, String namespace, String name, long epicVersion) {
        return acknowledged(account, kind, namespace, name).filter(s -> epicVersion >= s.version())
            .map(Sent::generation).orElse(null);
    }

    EpicApi api(ClassParameters p) {
        return connected.computeIfAbsent(p.connection(), apis);
    }

    private void want(Map<String, Map<String, Desired>> desired, ClassParameters p, HasMetadata object, String version,
                      String template, Map<String, String> nodeAddresses, Map<String, String> problems) {
        try {
            Specs.EpicObject o = Specs.of(object, template, nodeAddresses);
            desired.get(p.connection().account()).put(o.key(), new Desired(o, object, version));
        } catch (Specs.Invalid e) {
            problems.put(StatusWriter.key(object), e.getMessage());
            status.notSent(object, e.getMessage());
        }
    }

    /** Sends what changed since the last round, in batches of at most 1,000, and deletes what went away. */
    private void send(ClassParameters p, Map<String, Desired> objects, Map<String, EpicApi.Result> refused) {
        String account = p.connection().account();
        EpicApi api = api(p);
        if (!sent.containsKey(account)) {
            try {
                sent.put(account, owned(api));
            } catch (EpicApi.Unavailable e) {
                LOG.warn("EPIC account {}: cannot list what cluster {} owns: {}; next round retries", account,
                    p.connection().cluster(), e.getMessage());
                changed();
                return;
            }
        }
        Map<String, Sent> before = sent.get(account);
        Map<String, Integer> incarnation = incarnations.computeIfAbsent(account, a -> new HashMap<>());
        List<Desired> changed = new ArrayList<>();
        List<EpicApi.Item> items = new ArrayList<>();
        for (Desired d : objects.values()) {
            EpicApi.Item item = d.object().item(d.source().getMetadata().getUid(), d.version());
            Integer n = incarnation.get(d.object().key());
            if (n != null) {
                item = new EpicApi.Item(item.kind(), item.body(), item.idempotencyKey() + "." + run + "-" + n);
            }
            Sent last = before.get(d.object().key());
            if (last == null || !last.key().equals(item.idempotencyKey())) {
                changed.add(d);
                items.add(item);
            }
        }
        try {
            for (int from = 0; from < items.size(); from += 1000) {
                int to = Math.min(items.size(), from + 1000);
                List<EpicApi.Result> results = api.apply(items.subList(from, to));
                this.batches++;
                this.items += to - from;
                for (int i = from; i < to; i++) {
                    Desired d = changed.get(i);
                    EpicApi.Result r = results.get(i - from);
                    if (r.gone()) {
                        // Answered as decided, but the object has gone since (an earlier run deleted it): the next
                        // round creates it again under a key of this run. Answered so while live, it is a create
                        // whose answer was lost, recorded as sent below like any other.
                        incarnation.merge(d.object().key(), 1, Integer::sum);
                        changed();
                    } else if (r.ok()) {
                        before.put(d.object().key(), new Sent(d.object().collection(), d.object().namespace(),
                            d.object().name(), items.get(i).idempotencyKey(), r.answer().path("version").asLong(),
                            Objects.requireNonNullElse(d.source().getMetadata().getGeneration(), 0L)));
                        refused.remove(StatusWriter.key(d.source()));
                        status.accepted(d.source());
                    } else {
                        refused.put(StatusWriter.key(d.source()), r);
                        status.notSent(d.source(), "EPIC refused it: " + r.problem());
                    }
                }
            }
            for (Map.Entry<String, Sent> gone : new ArrayList<>(before.entrySet())) {
                // A Gateway goes through its finalizer, unless it went while the controller was down (listed only).
                if (!objects.containsKey(gone.getKey())
                    && (!gone.getKey().startsWith("Gateway/") || gone.getValue().key().isEmpty())) {
                    Sent s = gone.getValue();
                    EpicApi.Result r = api.delete(s.collection(), s.namespace(), s.name(), s.key().isEmpty() ? null
                        : "delete." + s.key() + "." + run);
                    if (r.ok()) {
                        before.remove(gone.getKey());
                        incarnation.merge(gone.getKey(), 1, Integer::sum);
                    }
                }
            }
        } catch (EpicApi.Unavailable e) {
            LOG.warn("EPIC account {}: {}; next round retries", account, e.getMessage());
            changed();
        }
    }

    /**
     * What EPIC holds of this cluster in the account, as of a start: the first round sends everything the cluster has
     * and deletes the rest, so an object deleted while the controller was down leaves EPIC too.
     */
    private static Map<String, Sent> owned(EpicApi api) throws EpicApi.Unavailable {
        Map<String, Sent> owned = new HashMap<>();
        for (Map.Entry<String, String> kind : KINDS.entrySet()) {
            for (EpicApi.Listed o : api.listOwned(kind.getKey(), api.connection().cluster())) {
                owned.put(Specs.EpicObject.key(kind.getValue(), o.namespace(), o.name()), new Sent(kind.getKey(), o.namespace(),
                    o.name(), "", o.version(), 0));
            }
        }
        return owned;
    }

    /** A deleted Gateway: delete it in EPIC (its address goes back to the pool), then let the object go. */
    private void release(ClassParameters p, Gateway g) {
        if (g.getMetadata().getFinalizers() == null || !g.getMetadata().getFinalizers().contains(FINALIZER)) {
            return;
        }
        try {
            EpicApi.Result r = api(p).delete("gateways", g.getMetadata().getNamespace(), g.getMetadata().getName(),
                "delete." + g.getMetadata().getUid());
            if (r.ok()) {
                sent.getOrDefault(p.connection().account(), new HashMap<>())
                    .remove("Gateway/" + g.getMetadata().getNamespace() + "/" + g.getMetadata().getName());
                status.removeFinalizer(g, FINALIZER);
            } else {
                LOG.warn("EPIC refused to delete gateway {}/{}: {}", g.getMetadata().getNamespace(),
                    g.getMetadata().getName(), r.problem());
            }
        } catch (EpicApi.Unavailable e) {
            LOG.warn("gateway {}/{} waits for EPIC to delete it: {}", g.getMetadata().getNamespace(),
                g.getMetadata().getName(), e.getMessage());
            changed();
        }
    }

    /** Node name -> the address a GUE tunnel reaches it by: ExternalIP when it has one (NAT), else InternalIP. */
    private Map<String, String> nodeAddresses() {
        Map<String, String> out = new HashMap<>();
        for (Node n : nodes.getStore().list()) {
            List<NodeAddress> addresses = n.getStatus() == null || n.getStatus().getAddresses() == null ? List.of()
                : n.getStatus().getAddresses();
            addresses.stream().filter(a -> a.getType().equals("ExternalIP") && !a.getAddress().contains(":")).findFirst()
                .or(() -> addresses.stream().filter(a -> a.getType().equals("InternalIP") && !a.getAddress().contains(":"))
                    .findFirst())
                .ifPresent(a -> out.put(n.getMetadata().getName(), a.getAddress()));
        }
        return out;
    }

    static List<ParentReference> parentRefs(HasMetadata route) {
        List<ParentReference> refs = switch (route) {
            case HTTPRoute r -> r.getSpec() == null ? null : r.getSpec().getParentRefs();
            case GRPCRoute r -> r.getSpec() == null ? null : r.getSpec().getParentRefs();
            case TCPRoute r -> r.getSpec() == null ? null : r.getSpec().getParentRefs();
            case TLSRoute r -> r.getSpec() == null ? null : r.getSpec().getParentRefs();
            default -> null;
        };
        return refs == null ? List.of() : refs;
    }

    private static List<JsonNode> backendRefs(HasMetadata route) {
        List<JsonNode> refs = new ArrayList<>();
        StatusWriter.JSON.valueToTree(route).path("spec").path("rules")
            .forEach(rule -> rule.path("backendRefs").forEach(refs::add));
        return refs;
    }

    private static void sleepQuietly(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        if (worker != null) {
            worker.interrupt();
            try {
                worker.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        informers.forEach(SharedIndexInformer::close);
    }
}
