package org.epicgateway.bench.edge;

import static io.envoyproxy.controlplane.cache.Resources.V3.ENDPOINT_TYPE_URL;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TCPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TLSRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.epicgateway.api.ApiConfig;
import org.epicgateway.api.ApiService;
import org.epicgateway.edge.kubernetes.KubernetesController;
import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.projections.envoytopology.EnvoyProjectionService;
import org.epicgateway.projections.topology.DeciderService;
import org.epicgateway.projections.viewtopology.GatewayViewService;
import org.epicgateway.schemas.Topics;
import org.epicgateway.xds.AdsClient;
import org.epicgateway.xds.XdsService;

/**
 * EndpointSlice churn in a workload cluster, end to end: the services of `epic up` a slice passes through to EDS
 * (decider, REST API, gateway view and Envoy projections, xDS; not the node projection or the provisioner), on the
 * embedded broker and registry; per phase a fresh workload cluster (fabric8's
 * mock API server in CRUD mode) holding one Gateway, {@code services} Services each with one HTTPRoute and one
 * EndpointSlice of {@code endpoints} endpoints; the real {@link KubernetesController} with the phase's coalescing
 * window; a raw delta-ADS client subscribed to every Service's EDS resource as the gateway's proxy, ACKing. Then
 * {@code updates} EndpointSlice updates go to the mock cluster round-robin over the slices (four writers), each carrying its sequence
 * number in its first endpoint's address, so the client knows which update an EDS push shows.
 *
 * <p>Measured per phase: events/s reaching epic.events (EndpointSliceUpserted of the phase's account, counted by a
 * read_committed consumer, from the first update to the last event), the lag from each update (just before its PUT to
 * the mock cluster) to the first EDS push showing it or a later update of the same slice (coalescing skips the
 * updates it supersedes, which are delivered by the push that supersedes them), the controller's rounds and batch
 * sizes. Phases run one after another in the same JVM, after a warm-up phase that is not reported, so the windows
 * compare under the same load.
 *
 * <p>Args: [services=100] [endpoints per slice=10] [updates=10000] [windows ms=0,10,50,200] [updates/s, 0 = as fast as
 * the mock cluster takes them=0] [repeat the windows=1].
 */
public final class SliceChurnBench {
    private static final String ADMIN_PASSWORD = "bench-admin-pw";
    private static final String NAMESPACE = "bench";
    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    /** Concurrent writers of slice updates: one alone is held to the mock server's round trip. */
    private static final int WRITERS = 4;
    /** The mock server logs every request at INFO through java.util.logging; kept here so the level sticks. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private SliceChurnBench() {
    }

    /** One phase's figures. */
    record Figures(long windowMs, int updates, double updateSeconds, long events, double eventSeconds, long rounds,
                   long batches, long items, long[] lagNanos, double loadBefore, double loadAfter) {
        double eventsPerSecond() {
            return events / eventSeconds;
        }
    }

    public static void main(String[] args) throws Exception {
        int services = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int endpoints = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int updates = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        long[] windows = Arrays.stream((args.length > 3 ? args[3] : "0,10,50,200").split(","))
            .mapToLong(Long::parseLong).toArray();
        int rate = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        int repeat = args.length > 5 ? Integer.parseInt(args[5]) : 1;
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
        System.out.printf("cores=%d maxHeap=%dMiB load=%.2f; %d Services x %d endpoints, %d updates%s, windows %s ms%n",
            Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, load(), services,
            endpoints, updates, rate > 0 ? " at " + rate + "/s" : " as fast as the mock cluster takes them",
            Arrays.toString(windows));
        try (EmbeddedPlatform platform = EmbeddedPlatform.start(Files.createTempDirectory("epic-bench-churn-"))) {
            DeciderService decider = new DeciderService();
            decider.start(platform.context());
            ApiService api = new ApiService(new ApiConfig("127.0.0.1", 0, "system", "admin", ADMIN_PASSWORD, 10,
                Duration.ofSeconds(60), Duration.ofHours(1), 100_000), decider);
            api.start(platform.context());
            GatewayViewService views = new GatewayViewService();
            views.start(platform.context());
            EnvoyProjectionService projection = new EnvoyProjectionService();
            projection.start(platform.context());
            XdsService xds = new XdsService(new XdsService.Settings("127.0.0.1", 0, Optional.empty(), 10, 100_000));
            xds.start(platform.context());
            String apiUrl = "http://127.0.0.1:" + api.port();
            admin(apiUrl, "/pools", "{\"pool\":\"bench\",\"ranges\":[\"10.129.0.0/16\"]}");
            admin(apiUrl, "/templates", "{\"template\":\"bench\",\"pool\":\"bench\",\"replicas\":1,\"shareable\":false,"
                + "\"envoyBaseConfig\":\"{}\"}");
            ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", xds.xdsPort(),
                InsecureChannelCredentials.create()).build();
            // JIT for the mock server, the client and the platform: the first phase measured would be slower otherwise.
            phase(platform, apiUrl, channel, "churn-warm-up", 50, services, endpoints, Math.min(updates, 2000), rate);
            List<Figures> all = new ArrayList<>();
            int phase = 0;
            for (int r = 0; r < repeat; r++) {
                for (long w : windows) {
                    all.add(phase(platform, apiUrl, channel, "churn-" + phase++ + "-w" + w, w, services, endpoints,
                        updates, rate));
                }
            }
            channel.shutdownNow();
            System.out.printf("%n| window | updates/s to the mock cluster | EndpointSliceUpserted events | events/s on "
                + "epic.events | rounds | batches | items per batch | update -> EDS push p50 / p99 / max | load before"
                + " / after |%n|---|---|---|---|---|---|---|---|---|%n");
            for (Figures f : all) {
                System.out.printf("| %d ms | %.0f | %d | %.0f | %d | %d | %.1f | %.1f / %.1f / %.1f ms | %.1f / %.1f |%n",
                    f.windowMs(), f.updates() / f.updateSeconds(), f.events(), f.eventsPerSecond(), f.rounds(),
                    f.batches(), f.batches() == 0 ? 0.0 : (double) f.items() / f.batches(), pct(f.lagNanos(), 50),
                    pct(f.lagNanos(), 99), pct(f.lagNanos(), 100), f.loadBefore(), f.loadAfter());
            }
            xds.close();
            projection.close();
            views.close();
            api.close();
            decider.close();
        }
        System.exit(0);
    }

    static Figures phase(EmbeddedPlatform platform, String apiUrl, ManagedChannel channel, String account, long windowMs,
                         int services, int endpoints, int updates, int rate) throws Exception {
        System.out.printf("%n== window %d ms (account %s)%n", windowMs, account);
        admin(apiUrl, "/accounts", "{\"account\":\"" + account + "\"}");
        admin(apiUrl, "/accounts/" + account + "/users", "{\"username\":\"controller\",\"password\":\"controller-pw-1\"}");
        KubernetesMockServer server = workloadCluster();
        try (KubernetesClient kube = server.createClient();
             EventCounter events = new EventCounter(platform, "endpointslice/" + account + "/")) {
            long t0 = System.nanoTime();
            populate(kube, apiUrl, account, services, endpoints);
            EdsFollower eds = new EdsFollower(AdsClient.delta(channel, "gateway/" + account + "/" + NAMESPACE + "/gw~envoy-0"),
                account, services, updates);
            try (KubernetesController controller = new KubernetesController(kube, new KubernetesController.Settings(
                    KubernetesController.CONTROLLER_NAME, Duration.ofMillis(windowMs), Duration.ofSeconds(2)))) {
                controller.start();
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                while (eds.warm.get() < services) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("warm-up: " + eds.warm.get() + " of " + services
                            + " Services in EDS after " + TIMEOUT + " (" + controller.rounds() + " rounds)");
                    }
                    System.out.printf("  warm-up: %d of %d Services in EDS, %d rounds, %.1f s%n", eds.warm.get(), services,
                        controller.rounds(), (System.nanoTime() - t0) / 1e9);
                    Thread.sleep(2000);
                }
                System.out.printf("  warm: all %d Services in EDS after %.1f s%n", services, (System.nanoTime() - t0) / 1e9);
                Thread.sleep(1000); // the counter reads the warm-up's last events before it is reset
                events.reset();
                long rounds0 = controller.rounds();
                long batches0 = controller.batches();
                long items0 = controller.items();
                double loadBefore = load();

                long start = System.nanoTime();
                AtomicInteger done = new AtomicInteger();
                List<Thread> writers = new ArrayList<>();
                for (int t = 0; t < WRITERS; t++) {
                    int writer = t;
                    writers.add(Thread.ofPlatform().name("slice-writer-" + t).start(() -> {
                        // Each writer owns the slices i % WRITERS == writer and updates them in sequence order.
                        Map<Integer, EndpointSlice> slices = new HashMap<>();
                        for (int seq = 0; seq < updates; seq++) {
                            int i = seq % services;
                            if (i % WRITERS != writer) {
                                continue;
                            }
                            pace(start, seq, rate);
                            EndpointSlice current = slices.computeIfAbsent(i, n -> kube.discovery().v1().endpointSlices()
                                .inNamespace(NAMESPACE).withName("svc-" + n).get());
                            EndpointSlice next = new EndpointSliceBuilder(current).editFirstEndpoint()
                                .withAddresses(sequenceAddress(seq)).endEndpoint().build();
                            eds.sentAt.set(seq, System.nanoTime());
                            slices.put(i, kube.discovery().v1().endpointSlices().inNamespace(NAMESPACE).resource(next)
                                .update());
                            int n = done.incrementAndGet();
                            if (n % 1000 == 0) {
                                System.out.printf("  %d updates (%.0f/s); %d delivered to EDS, %d events, %d rounds%n", n,
                                    n / ((System.nanoTime() - start) / 1e9), eds.delivered.get(), events.count.get(),
                                    controller.rounds() - rounds0);
                            }
                        }
                    }));
                }
                for (Thread w : writers) {
                    w.join();
                }
                double updateSeconds = (System.nanoTime() - start) / 1e9;
                while (eds.delivered.get() < updates) {
                    if (System.nanoTime() > deadline + TIMEOUT.toNanos()) {
                        throw new IllegalStateException(eds.delivered.get() + " of " + updates + " updates in EDS");
                    }
                    Thread.sleep(50);
                }
                // The last events are in by the time EDS shows them (the Envoy projection reads them committed).
                long[] lag = new long[updates];
                for (int s = 0; s < updates; s++) {
                    lag[s] = eds.deliveredAt.get(s) - eds.sentAt.get(s);
                }
                Figures f = new Figures(windowMs, updates, updateSeconds, events.count.get(),
                    (events.last.get() - start) / 1e9, controller.rounds() - rounds0, controller.batches() - batches0,
                    controller.items() - items0, lag, loadBefore, load());
                System.out.printf("  window %d ms: %d updates in %.1f s, %d events (%.0f/s), %d rounds, %.1f items per "
                    + "batch, lag p50 %.1f p99 %.1f ms, load %.1f%n", windowMs, updates, updateSeconds, f.events(),
                    f.eventsPerSecond(), f.rounds(), f.batches() == 0 ? 0.0 : (double) f.items() / f.batches(),
                    pct(lag, 50), pct(lag, 99), f.loadAfter());
                return f;
            } finally {
                eds.close();
            }
        } finally {
            server.destroy();
        }
    }

    /** With {@code rate} > 0, waits until update {@code seq} is due. */
    static void pace(long start, int seq, int rate) {
        if (rate <= 0) {
            return;
        }
        long wait = start + seq * 1_000_000_000L / rate - System.nanoTime();
        if (wait > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(wait);
        }
    }

    /** The address of a slice's first endpoint after update {@code seq}: the EDS client reads the sequence back. */
    static String sequenceAddress(int seq) {
        return "10.200." + (seq >> 8 & 255) + "." + (seq & 255);
    }

    /** The class, its parameters, a node, the Gateway, and per Service its HTTPRoute and EndpointSlice. */
    static void populate(KubernetesClient kube, String apiUrl, String account, int services, int endpoints) {
        kube.secrets().inNamespace("epic-system").resource(new SecretBuilder().withNewMetadata().withName("epic")
            .withNamespace("epic-system").endMetadata().withStringData(Map.of("apiUrl", apiUrl, "account", account,
                "username", "controller", "password", "controller-pw-1", "template", "bench", "clusterId", "bench")).build())
            .create();
        kube.resource(new GatewayClassBuilder().withNewMetadata().withName("epic").endMetadata().withNewSpec()
            .withControllerName(KubernetesController.CONTROLLER_NAME).withNewParametersRef().withGroup("")
            .withKind("Secret").withName("epic").withNamespace("epic-system").endParametersRef().endSpec().build()).create();
        kube.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-1").endMetadata().withNewStatus()
            .addNewAddress().withType("InternalIP").withAddress("198.51.100.7").endAddress().endStatus().build()).create();
        kube.resource(new GatewayBuilder().withNewMetadata().withName("gw").withNamespace(NAMESPACE).endMetadata()
            .withNewSpec().withGatewayClassName("epic").addNewListener().withName("http").withPort(80)
            .withProtocol("HTTP").endListener().endSpec().build()).create();
        for (int i = 0; i < services; i++) {
            String name = "svc-" + i;
            kube.services().inNamespace(NAMESPACE).resource(new ServiceBuilder().withNewMetadata().withName(name)
                .withNamespace(NAMESPACE).endMetadata().withNewSpec().addNewPort().withName("http").withPort(80)
                .withTargetPort(new IntOrString(8080)).withAppProtocol("http").endPort().endSpec().build()).create();
            // One route per Service: a route holds at most 16 rules.
            kube.resource(new HTTPRouteBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE).endMetadata()
                .withNewSpec().addNewParentRef().withName("gw").endParentRef().withHostnames(name + ".example.com")
                .addNewRule().addNewBackendRef().withName(name).withPort(80).endBackendRef().endRule().endSpec().build())
                .create();
            EndpointSliceBuilder slice = new EndpointSliceBuilder().withNewMetadata().withName(name)
                .withNamespace(NAMESPACE).addToLabels("kubernetes.io/service-name", name).endMetadata()
                .withAddressType("IPv4").addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort();
            for (int e = 0; e < endpoints; e++) {
                // The first endpoint starts outside the sequence addresses (10.200/16), so warm means "no update yet".
                slice.addNewEndpoint().withAddresses("10." + (201 + e % 50) + "." + (i >> 8 & 255) + "." + (i & 255))
                    .withNodeName("node-1").withNewConditions().withReady(true).endConditions().endEndpoint();
            }
            kube.discovery().v1().endpointSlices().inNamespace(NAMESPACE).resource(slice.build()).create();
        }
    }

    /** A workload cluster: fabric8's mock API server in CRUD mode, with the Gateway API kinds and their status. */
    static KubernetesMockServer workloadCluster() {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
            new KubernetesCrudDispatcher(), false);
        for (Class<? extends HasMetadata> type : List.of(GatewayClass.class, Gateway.class, HTTPRoute.class,
            TCPRoute.class, TLSRoute.class, ReferenceGrant.class)) {
            server.expectCustomResource(new CustomResourceDefinitionContext.Builder()
                .withGroup(HasMetadata.getGroup(type)).withVersion(HasMetadata.getVersion(type))
                .withPlural(HasMetadata.getPlural(type)).withKind(HasMetadata.getKind(type))
                .withScope(Namespaced.class.isAssignableFrom(type) ? "Namespaced" : "Cluster")
                .withStatusSubresource(true).build());
        }
        server.init();
        return server;
    }

    /**
     * The gateway's proxy on a delta ADS stream, subscribed to every Service's EDS resource and ACKing; it notes when
     * each update first shows, an update superseded before it showed being delivered by the push that superseded it.
     */
    static final class EdsFollower implements AutoCloseable {
        final AtomicLongArray sentAt;
        final AtomicLongArray deliveredAt;
        final AtomicInteger warm = new AtomicInteger();
        final AtomicInteger delivered = new AtomicInteger();
        private final AdsClient ads;
        private final String prefix;
        private final int services;
        /** Per Service: how many of its updates were delivered (its updates are seq = i, i + services, ...). */
        private final int[] deliveredOf;
        private final boolean[] seen;
        private final Thread thread;

        EdsFollower(AdsClient ads, String account, int services, int updates) {
            this.ads = ads;
            this.prefix = account + "/" + NAMESPACE + "/svc-";
            this.services = services;
            this.sentAt = new AtomicLongArray(updates);
            this.deliveredAt = new AtomicLongArray(updates);
            this.deliveredOf = new int[services];
            this.seen = new boolean[services];
            ads.subscribe(ENDPOINT_TYPE_URL, IntStream.range(0, services).mapToObj(i -> prefix + i + ":80").toList());
            thread = Thread.ofPlatform().name("eds-follower").daemon().start(this::run);
        }

        private void run() {
            while (!Thread.currentThread().isInterrupted()) {
                DeltaDiscoveryResponse r;
                try {
                    r = ads.deltaResponse();
                } catch (InterruptedException | IllegalStateException e) {
                    return;
                }
                long now = System.nanoTime();
                ads.ack(r);
                for (Resource resource : r.getResourcesList()) {
                    try {
                        shown(resource.getResource(), now);
                    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }

        private void shown(Any resource, long now) throws com.google.protobuf.InvalidProtocolBufferException {
            ClusterLoadAssignment cla = resource.unpack(ClusterLoadAssignment.class);
            String name = cla.getClusterName();
            if (!name.startsWith(prefix)) {
                return;
            }
            int i = Integer.parseInt(name.substring(prefix.length(), name.lastIndexOf(':')));
            int seq = -1;
            boolean any = false;
            for (var locality : cla.getEndpointsList()) {
                for (var e : locality.getLbEndpointsList()) {
                    any = true;
                    String[] octets = e.getEndpoint().getAddress().getSocketAddress().getAddress().split("\\.");
                    if (octets[1].equals("200")) {
                        seq = Integer.parseInt(octets[2]) << 8 | Integer.parseInt(octets[3]);
                    }
                }
            }
            if (any && !seen[i]) {
                seen[i] = true;
                warm.incrementAndGet();
            }
            if (seq < 0) {
                return;
            }
            for (int k = deliveredOf[i]; i + (long) k * services <= seq; k++) {
                deliveredAt.set(i + k * services, now);
                deliveredOf[i] = k + 1;
                delivered.incrementAndGet();
            }
        }

        @Override
        public void close() {
            thread.interrupt();
            ads.close();
        }
    }

    /** Counts the committed events on epic.events whose key starts with a prefix, and when the last one arrived. */
    static final class EventCounter implements AutoCloseable {
        final AtomicLong count = new AtomicLong();
        final AtomicLong last = new AtomicLong();
        private final Thread thread;
        private volatile boolean running = true;

        EventCounter(EmbeddedPlatform platform, String keyPrefix) {
            KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
                new ByteArrayDeserializer());
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.EVENTS).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            thread = Thread.ofPlatform().name("event-counter").daemon().start(() -> {
                try (consumer) {
                    while (running) {
                        var records = consumer.poll(Duration.ofMillis(100));
                        long now = System.nanoTime();
                        records.forEach(r -> {
                            if (r.key() != null && r.key().startsWith(keyPrefix)) {
                                count.incrementAndGet();
                                last.set(now);
                            }
                        });
                    }
                }
            });
        }

        /** From now on: the warm-up's events are not the churn's. */
        void reset() {
            count.set(0);
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join();
        }
    }

    static double pct(long[] nanos, int p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int index = p >= 100 ? sorted.length - 1 : Math.max(0, (int) Math.ceil(sorted.length * p / 100.0) - 1);
        return sorted[index] / 1e6;
    }

    static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    static void admin(String apiUrl, String path, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(apiUrl + "/api/v1" + path))
            .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("admin@system:" + ADMIN_PASSWORD)
                .getBytes(StandardCharsets.UTF_8)))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("POST " + path + " answered " + r.statusCode() + ": " + r.body());
        }
    }
}
