package org.epicgateway.edge.linux;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.epicgateway.edge.api.EpicApi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Linux controller: a host without Kubernetes declares its services to EPIC as Services and EndpointSlices with
 * the host as their node, the way the Kubernetes controller declares a cluster's. It re-declares them every heartbeat
 * (the same content is the same idempotency key, so EPIC appends nothing while nothing changed) and removes them when
 * it stops cleanly. The node itself (its liveness, its tunnel) is the transport agent's, {@code ./epic agent run}, which
 * the systemd unit runs next to it: a host that dies without a clean stop stops beating, the provisioner's liveness
 * watcher declares its node lost after {@code epic.provisioner.node-timeout} (the TTL), and the gateway views leave its
 * endpoints out until it beats again.
 */
public final class LinuxController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LinuxController.class);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** host.yaml. */
    public record HostConfig(Epic epic, Node node, String namespace, Duration heartbeat, List<HostService> services) {
        /**
         * The cluster of hosts that name none: one for the account, since several hosts serving one Service is the
         * common case (a cluster per host would refuse every host but the first on the Service's owner).
         */
        public static final String DEFAULT_CLUSTER = "linux-hosts";

        /**
         * {@code clusterId}: the workload cluster this host belongs to in the account (a DNS subdomain; default
         * {@value #DEFAULT_CLUSTER}, so that hosts serving one Service share it without saying so). EPIC records it as
         * the owner of what the host declares: a host of another cluster declaring that Service is refused naming the
         * owner. It must differ from every Kubernetes cluster's id in the account: that controller deletes at its
         * start what its cluster owns and it does not declare.
         */
        public record Epic(URI apiUrl, String account, String username, String password, String clusterId) {}

        /** The host as a node: its name and the IPv4 address the GUE tunnel reaches it by. */
        public record Node(String name, String address) {}

        /** A service of the host: its port(s) and the addresses serving it (default: the node's address). */
        public record HostService(String name, List<Port> ports, List<String> addresses) {}

        public record Port(String name, int port, Integer targetPort, String appProtocol) {}

        /** Reads and checks host.yaml; the error names the field. */
        public static HostConfig read(Path file) throws IOException {
            HostConfig c = YAML.readValue(Files.readString(file), HostConfig.class);
            require(c.epic() != null && c.epic().apiUrl() != null && c.epic().account() != null
                && c.epic().username() != null && c.epic().password() != null,
                "epic: apiUrl, account, username and password are required");
            require(c.node() != null && c.node().name() != null && c.node().address() != null,
                "node: name and address are required");
            require(EpicApi.Connection.isClusterId(c.cluster()), "epic.clusterId: '" + c.epic().clusterId()
                + "' is not a DNS subdomain (lower case, digits, '-', '.')");
            require(c.services() != null && !c.services().isEmpty(), "services: at least one is required");
            for (int i = 0; i < c.services().size(); i++) {
                HostService s = c.services().get(i);
                require(s.name() != null && s.ports() != null && !s.ports().isEmpty(),
                    "services[" + i + "]: name and at least one port are required");
            }
            return c;
        }

        private static void require(boolean ok, String problem) {
            if (!ok) {
                throw new IllegalArgumentException("host.yaml: " + problem);
            }
        }

        /** The workload cluster the host's declarations belong to. */
        public String cluster() {
            return epic.clusterId() == null ? DEFAULT_CLUSTER : epic.clusterId();
        }

        String namespaceOrDefault() {
            return namespace == null ? "default" : namespace;
        }

        Duration heartbeatOrDefault() {
            return heartbeat == null ? Duration.ofSeconds(10) : heartbeat;
        }
    }

    private final HostConfig config;
    private final EpicApi api;
    /**
     * This run of the controller, in every key: {@link #close} deletes the host's objects, so the next run's
     * declaration must be a new command, not the first run's answered again from EPIC's decided commands.
     */
    private final String run = java.util.UUID.randomUUID().toString().substring(0, 8);
    private volatile boolean running = true;
    /**
     * Object ({@code <kind>/<name>}) -> how often this run found it deleted in EPIC while declaring it (by a user, or a
     * controller of the same cluster): its unchanged declaration's key is answered from EPIC's decided commands
     * without creating it again, so the incarnation goes into the key.
     */
    private final java.util.Map<String, Integer> incarnations = new java.util.HashMap<>();
    /** Whether this run has deleted what earlier runs of this host declared and it does not. */
    private boolean resynced;
    /**
     * The API as the cluster named after the node, which owned what this host declared before {@code linux-hosts}
     * (343ce3b's default); null when that cluster is this host's own or the node's name is no cluster id.
     */
    private final EpicApi legacy;
    /** Whether this run has moved what the node's cluster owned of this host's declarations to its cluster. */
    private boolean migrated;

    public LinuxController(HostConfig config) {
        this.config = config;
        this.api = new EpicApi(connection(config, config.cluster()));
        String node = config.node().name();
        this.legacy = !EpicApi.Connection.isClusterId(node) || node.equals(config.cluster()) ? null
            : new EpicApi(connection(config, node));
    }

    private static EpicApi.Connection connection(HostConfig config, String cluster) {
        return new EpicApi.Connection(config.epic().apiUrl(), config.epic().account(), config.epic().username(),
            config.epic().password(), cluster);
    }

    /** The objects the host declares: per service a Service and an EndpointSlice {@code <service>-<node>}. */
    List<EpicApi.Item> items() {
        List<EpicApi.Item> items = new ArrayList<>();
        JsonNodeFactory f = JsonNodeFactory.instance;
        for (HostConfig.HostService s : config.services()) {
            ObjectNode service = f.objectNode().put("namespace", config.namespaceOrDefault()).put("name", s.name());
            ObjectNode slice = f.objectNode().put("namespace", config.namespaceOrDefault()).put("name", sliceName(s))
                .put("serviceName", s.name());
            ArrayNode servicePorts = service.putArray("ports");
            ArrayNode slicePorts = slice.putArray("ports");
            for (HostConfig.Port p : s.ports()) {
                ObjectNode sp = servicePorts.addObject().put("port", p.port());
                int target = p.targetPort() == null ? p.port() : p.targetPort();
                if (p.name() != null) {
                    sp.put("name", p.name());
                }
                sp.put("targetPort", target);
                if (p.appProtocol() != null) {
                    sp.put("appProtocol", p.appProtocol());
                }
                ObjectNode ep = slicePorts.addObject().put("port", target).put("protocol", "TCP");
                if (p.name() != null) {
                    ep.put("name", p.name());
                }
            }
            ObjectNode endpoint = slice.putArray("endpoints").addObject();
            ArrayNode addresses = endpoint.putArray("addresses");
            (s.addresses() == null || s.addresses().isEmpty() ? List.of(config.node().address()) : s.addresses())
                .forEach(addresses::add);
            endpoint.putObject("conditions").put("ready", true);
            endpoint.put("nodeName", config.node().name()).put("nodeAddress", config.node().address());
            items.add(new EpicApi.Item("Service", service, key("Service", service)));
            items.add(new EpicApi.Item("EndpointSlice", slice, key("EndpointSlice", slice)));
        }
        return items;
    }

    private String sliceName(HostConfig.HostService s) {
        return s.name() + "-" + config.node().name().replace('.', '-');
    }

    /**
     * The same declaration in one run is the same command: the key is the host, the run, the kind, a content hash, and
     * the object's incarnation once it was found deleted.
     */
    private String key(String kind, ObjectNode body) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                .digest(body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            Integer n = incarnations.get(kind + "/" + body.path("name").asText());
            return "host." + config.node().name() + "." + run + "." + kind.toLowerCase(java.util.Locale.ROOT) + "."
                + HexFormat.of().formatHex(digest, 0, 16) + (n == null ? "" : "." + n);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Declares once; the refusals EPIC gave (naming the field), empty when all went through. An object EPIC answers
     * from its decided commands while it has gone since is declared again at once under its next incarnation.
     */
    public List<String> declare() throws EpicApi.Unavailable {
        List<EpicApi.Item> items = items();
        if (!migrated) {
            migrate(items);
            migrated = true;
        }
        List<EpicApi.Result> results = new ArrayList<>(api.apply(items));
        List<Integer> gone = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i).gone()) {
                gone.add(i);
                incarnations.merge(items.get(i).kind() + "/" + items.get(i).body().path("name").asText(), 1,
                    Integer::sum);
            }
        }
        if (!gone.isEmpty()) {
            List<EpicApi.Item> again = items();
            List<EpicApi.Item> resent = gone.stream().map(again::get).toList();
            List<EpicApi.Result> answers = api.apply(resent);
            for (int k = 0; k < gone.size(); k++) {
                items.set(gone.get(k), resent.get(k));
                results.set(gone.get(k), answers.get(k));
            }
        }
        if (!resynced) {
            forgetUndeclared(items);
            resynced = true;
        }
        List<String> refused = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            if (!results.get(i).ok()) {
                refused.add(items.get(i).kind() + " " + items.get(i).body().path("name").asText() + ": "
                    + results.get(i).problem());
            }
        }
        return refused;
    }

    /**
     * Deletes the EndpointSlices of this host (every endpoint on its node) that its cluster owns in EPIC and this run
     * does not declare: a service dropped from host.yaml while the host was down, after a stop that was not clean.
     * Services stay, as on a clean stop: other hosts of the cluster may serve them.
     */
    private void forgetUndeclared(List<EpicApi.Item> declared) throws EpicApi.Unavailable {
        java.util.Set<String> wanted = new java.util.HashSet<>();
        declared.stream().filter(i -> i.kind().equals("EndpointSlice"))
            .forEach(i -> wanted.add(i.body().path("namespace").asText() + "/" + i.body().path("name").asText()));
        for (EpicApi.Listed slice : api.listOwned("endpointslices", config.cluster())) {
            if (onNode(slice, config.node().name()) && !wanted.contains(slice.namespace() + "/" + slice.name())) {
                EpicApi.Result r = api.delete("endpointslices", slice.namespace(), slice.name(), null);
                if (!r.ok()) {
                    LOG.warn("EPIC refused to delete {}/{}, no longer declared: {}", slice.namespace(), slice.name(),
                        r.problem());
                }
            }
        }
    }

    /**
     * The upgrade from a controller whose default cluster was the node's name (343ce3b): what that cluster owns of this
     * host's (the Services it declares, the slices whose every endpoint is on this node) is deleted as that cluster,
     * so this run's declaration creates it owned by the host's cluster; else EPIC would refuse every write of the host
     * on the owner. A slice it no longer declares goes, as {@link #forgetUndeclared} takes it. Deleted, not
     * rewritten: the decider lets no cluster write another's object. The endpoints are out for the moment between
     * delete and create, as across any restart (the old controller's clean stop deleted its slices already). A Service
     * another host declared first stays that host's node's until that host is upgraded too.
     */
    private void migrate(List<EpicApi.Item> declared) throws EpicApi.Unavailable {
        if (legacy == null) {
            return;
        }
        String node = config.node().name();
        java.util.Set<String> services = new java.util.HashSet<>();
        declared.stream().filter(i -> i.kind().equals("Service"))
            .forEach(i -> services.add(i.body().path("namespace").asText() + "/" + i.body().path("name").asText()));
        for (EpicApi.Listed service : legacy.listOwned("services", node)) {
            if (services.contains(service.namespace() + "/" + service.name())) {
                move("services", service);
            }
        }
        for (EpicApi.Listed slice : legacy.listOwned("endpointslices", node)) {
            if (onNode(slice, node)) {
                move("endpointslices", slice);
            }
        }
    }

    private void move(String collection, EpicApi.Listed o) throws EpicApi.Unavailable {
        EpicApi.Result r = legacy.delete(collection, o.namespace(), o.name(), null);
        if (r.ok()) {
            LOG.info("{} {}/{} of cluster {} (the node's, the default before {}) deleted; what the host declares is "
                + "cluster {}'s from now on", collection, o.namespace(), o.name(), config.node().name(),
                HostConfig.DEFAULT_CLUSTER, config.cluster());
        } else {
            LOG.warn("{} {}/{} stays cluster {}'s: {}", collection, o.namespace(), o.name(), config.node().name(),
                r.problem());
        }
    }

    /** Whether a slice has endpoints and every one is on {@code node}. */
    private static boolean onNode(EpicApi.Listed slice, String node) {
        JsonNode endpoints = slice.spec().path("endpoints");
        boolean on = !endpoints.isEmpty();
        for (JsonNode e : endpoints) {
            on &= node.equals(e.path("nodeName").asText());
        }
        return on;
    }

    /** Declares every heartbeat until closed; EPIC being away is logged and retried, never fatal. */
    public void run() throws InterruptedException {
        while (running) {
            try {
                declare().forEach(p -> LOG.warn("EPIC refused {}", p));
            } catch (EpicApi.Unavailable e) {
                LOG.warn("EPIC unavailable: {}; retrying", e.getMessage());
            }
            Thread.sleep(config.heartbeatOrDefault().toMillis());
        }
    }

    /** A clean stop takes the host's endpoints out of EPIC (its Services stay: other hosts may serve them). */
    @Override
    public void close() {
        running = false;
        for (HostConfig.HostService s : config.services()) {
            try {
                api.delete("endpointslices", config.namespaceOrDefault(), sliceName(s), null);
            } catch (EpicApi.Unavailable e) {
                LOG.warn("could not remove {} from EPIC: {}", sliceName(s), e.getMessage());
            }
        }
    }
}
