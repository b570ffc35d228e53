package org.epicgateway.cli.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TCPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TLSRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant;
import io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrantBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.epicgateway.api.ApiConfig;
import org.epicgateway.api.ApiService;
import org.epicgateway.cli.up.Up;
import org.epicgateway.edge.kubernetes.KubernetesController;
import org.epicgateway.edge.kubernetes.Leadership;
import org.epicgateway.edge.linux.LinuxController;
import org.epicgateway.edge.linux.LinuxController.HostConfig;
import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.platform.PlatformContext;
import org.epicgateway.platform.PlatformService;
import org.epicgateway.platform.secrets.KeytoolCertificates;
import org.epicgateway.schemas.Topics;
import org.epicgateway.cli.AckingProxy;
import org.epicgateway.xds.AdsClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import org.epicgateway.platform.KafkaConnection;
import org.epicgateway.schemas.avro.NodeKind;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.reports.ReportSender;
import org.epicgateway.transport.agent.NodeAgent;
import org.epicgateway.transport.agent.TransportAgent;
import org.epicgateway.transport.netns.NetNs;
import org.epicgateway.xds.XdsService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes controller end to end: `epic up`'s services on the real broker and registry, fabric8's mock API
 * server in CRUD mode as the workload cluster, and xds-projector's raw ADS client standing in for a gateway's Envoy.
 * Objects applied to the cluster become events on epic.events, status comes back as the Gateway API defines it
 * (Programmed only after the ADS client ACKed), a cross-namespace backend resolves once a ReferenceGrant exists, a
 * restarted controller appends nothing, and a deleted Gateway gives its address back.
 */
class KubernetesControllerTest {
    private static final String ADMIN_PASSWORD = "admin-password-1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Duration TTL = Duration.ofSeconds(3);
    private static final Duration BEAT = Duration.ofMillis(500);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final List<PlatformService> STARTED = new ArrayList<>();
    private static EmbeddedPlatform platform;
    private static int apiPort;
    private static int xdsPort;
    private static KubernetesMockServer cluster;
    private static KubernetesClient kube;

    @BeforeAll
    static void platformAndCluster() throws Exception {
        platform = EmbeddedPlatform.sharedForTests();
        PlatformContext context = new PlatformContext(platform.bootstrapServers(), platform.schemaRegistryUrl(),
            Files.createTempDirectory("epic-controller-"), platform.meters());
        ApiConfig api = new ApiConfig("127.0.0.1", 0, "system", "admin", ADMIN_PASSWORD, 4, Duration.ofSeconds(60),
            Duration.ofHours(1), 100_000);
        XdsService xds = new XdsService(new XdsService.Settings("127.0.0.1", 0, Optional.empty(), 10, 1000));
        // The Linux hosts' TTL: a node silent this long is lost (the provisioner's liveness watcher; 15 s by default).
        System.setProperty("epic.provisioner.node-timeout", TTL.toString());
        List<PlatformService> services = Up.services(api, xds);
        for (PlatformService s : services) {
            s.start(context);
            STARTED.add(s);
        }
        apiPort = services.stream().filter(ApiService.class::isInstance).map(ApiService.class::cast).findFirst().orElseThrow().port();
        xdsPort = xds.xdsPort();

        cluster = workloadCluster();
        kube = cluster.createClient();
    }

    /** A workload cluster: fabric8's mock API server in CRUD mode, with the Gateway API kinds and their status. */
    private static KubernetesMockServer workloadCluster() {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new io.fabric8.mockwebserver.MockWebServer(),
            new HashMap<>(), new KubernetesCrudDispatcher(), false);
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

    /** The class epic of a workload cluster, its parameters (cluster {@code clusterId} of the account) and node-1. */
    private static void epicClass(KubernetesClient kube, String account, String template, String clusterId) {
        epicClass(kube, apiPort, account, template, clusterId);
    }

    /** The same, with EPIC's API reached at {@code port} on 127.0.0.1. */
    private static void epicClass(KubernetesClient kube, int port, String account, String template, String clusterId) {
        kube.secrets().inNamespace("epic-system").resource(new SecretBuilder().withNewMetadata().withName("epic")
            .withNamespace("epic-system").endMetadata().withStringData(Map.of("apiUrl", "http://127.0.0.1:" + port,
                "account", account, "username", "controller", "password", "controller-password-1", "template", template,
                "clusterId", clusterId)).build()).create();
        kube.resource(new GatewayClassBuilder().withNewMetadata().withName("epic").endMetadata().withNewSpec()
            .withControllerName(KubernetesController.CONTROLLER_NAME).withNewParametersRef().withGroup("")
            .withKind("Secret").withName("epic").withNamespace("epic-system").endParametersRef().endSpec().build()).create();
        kube.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-1").endMetadata().withNewStatus()
            .addNewAddress().withType("InternalIP").withAddress("198.51.100.7").endAddress().endStatus().build()).create();
    }

    @AfterAll
    static void stop() throws Exception {
        kube.close();
        cluster.destroy();
        for (PlatformService s : STARTED.reversed()) {
            s.close();
        }
        System.clearProperty("epic.provisioner.node-timeout");
    }

    @Test
    void aWorkloadClusterIsServedEndToEnd() throws Exception {
        ControllerAccount tenant = controllerAccount("acme", "198.18.77.0/29", false);
        String acme = tenant.name(), pool = tenant.pool(), template = tenant.template(), user = tenant.user();
        String admin = basic("admin@system", ADMIN_PASSWORD);

        // The workload cluster: the class and its parameters, a node, a Service with its slice, a Gateway and a route.
        epicClass(kube, acme, template, "east");
        service(kube, "default", "web", 80, 8080);
        slice(kube, "default", "web-1", "web", "10.1.0.5");
        kube.resource(new GatewayBuilder().withNewMetadata().withName("web").withNamespace("default").endMetadata()
            .withNewSpec().withGatewayClassName("epic").addNewListener().withName("http").withPort(80)
            .withProtocol("HTTP").withNewAllowedRoutes().withNewNamespaces().withFrom("All").endNamespaces()
            .endAllowedRoutes().endListener().endSpec().build()).create();
        kube.resource(new GatewayBuilder().withNewMetadata().withName("bad").withNamespace("default").endMetadata()
            .withNewSpec().withGatewayClassName("epic").addNewListener().withName("dns").withPort(53)
            .withProtocol("UDP").endListener().endSpec().build()).create();
        route(kube, "default", "web", "default", "web", 80);

        try (KubernetesController controller = controller(kube)) {
            controller.start();
            GatewayClass epicClass = await("the class is Accepted", () -> Optional.ofNullable(
                kube.resources(GatewayClass.class).withName("epic").get()).filter(c -> c.getStatus() != null
                && isTrue(c.getStatus().getConditions(), "Accepted")));
            assertThat(condition(epicClass.getStatus().getConditions(), "Accepted").getObservedGeneration())
                .isEqualTo(epicClass.getMetadata().getGeneration());

            // What the cluster holds is in EPIC, and so on epic.events.
            String base = "/api/v1/accounts/" + acme;
            await("the objects reach EPIC", () -> Optional.of(get(base + "/endpointslices/web-1", user))
                .filter(r -> r.statusCode() == 200));
            assertThat(json(get(base + "/gateways/web", user)).at("/spec/template").asText()).isEqualTo(template);
            assertThat(json(get(base + "/services/web", user)).at("/spec/ports/0/appProtocol").asText()).isEqualTo("http");
            assertThat(json(get(base + "/endpointslices/web-1", user)).at("/spec/endpoints/0/nodeAddress").asText())
                .isEqualTo("198.51.100.7");
            assertThat(eventKeys(acme)).contains("gateway/" + acme + "/default/web", "httproute/" + acme + "/default/web",
                "service/" + acme + "/default/web", "endpointslice/" + acme + "/default/web-1");

            // An object that cannot become an EPIC object says which field and why; the controller goes on.
            Gateway bad = await("the invalid gateway's status", () -> gateway("bad")
                .filter(g -> g.getStatus() != null && !g.getStatus().getConditions().isEmpty()));
            assertThat(condition(bad.getStatus().getConditions(), "Accepted").getStatus()).isEqualTo("False");
            assertThat(condition(bad.getStatus().getConditions(), "Accepted").getMessage())
                .contains("spec.listeners[0].protocol");

            // The route is attached and its backends resolved; the gateway has its address and is Accepted, but is
            // not Programmed while no proxy has ACKed the configuration.
            // Status converges: a round may see the route before the Service (BackendNotFound), the next one not.
            HTTPRoute route = await("the route's parent status, resolved", () -> httpRoute("default", "web")
                .filter(r -> r.getStatus() != null && !r.getStatus().getParents().isEmpty()
                    && isTrue(r.getStatus().getParents().get(0).getConditions(), "ResolvedRefs")));
            RouteParentStatus parent = route.getStatus().getParents().get(0);
            assertThat(parent.getControllerName()).isEqualTo(KubernetesController.CONTROLLER_NAME);
            assertThat(isTrue(parent.getConditions(), "Accepted")).as("%s", parent.getConditions()).isTrue();
            assertThat(isTrue(parent.getConditions(), "ResolvedRefs")).as("%s", parent.getConditions()).isTrue();
            assertThat(condition(parent.getConditions(), "Accepted").getObservedGeneration())
                .isEqualTo(route.getMetadata().getGeneration());
            Gateway web = await("the gateway's address and attached route", () -> gateway("web").filter(g ->
                g.getStatus() != null && !g.getStatus().getAddresses().isEmpty() && !g.getStatus().getListeners().isEmpty()
                    && g.getStatus().getListeners().get(0).getAttachedRoutes() == 1));
            assertThat(web.getStatus().getAddresses().get(0).getValue()).isEqualTo("198.18.77.1");
            assertThat(isTrue(web.getStatus().getConditions(), "Accepted")).isTrue();
            assertThat(condition(web.getStatus().getConditions(), "Programmed").getReason()).isEqualTo("Pending");
            assertThat(web.getMetadata().getFinalizers()).contains(KubernetesController.FINALIZER);

            ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", xdsPort,
                InsecureChannelCredentials.create()).build();
            try (AckingProxy envoy = new AckingProxy(AdsClient.sotw(channel, "gateway/" + acme + "/default/web~envoy-0"))) {
                web = await("Programmed after the ACK", () -> gateway("web").filter(g ->
                    isTrue(g.getStatus().getConditions(), "Programmed")));
                assertThat(web.getStatus().getListeners().get(0).getSupportedKinds().get(0).getKind())
                    .isEqualTo("HTTPRoute");
                assertThat(condition(web.getStatus().getConditions(), "Programmed").getObservedGeneration())
                    .isEqualTo(web.getMetadata().getGeneration());
                route = httpRoute("default", "web").orElseThrow();
                String yaml = "# Gateway after reconciliation\n" + kube.getKubernetesSerialization().asYaml(web)
                    + "# HTTPRoute after reconciliation\n" + kube.getKubernetesSerialization().asYaml(route);
                System.out.println(yaml);
                Files.writeString(Path.of("target", "controller-status.yaml"), yaml);

                // A backend in another namespace: RefNotPermitted until a ReferenceGrant there allows it.
                service(kube, "backends", "api", 80, 9090);
                slice(kube, "backends", "api-1", "api", "10.1.0.9");
                route(kube, "default", "api", "backends", "api", 80);
                RouteParentStatus denied = await("RefNotPermitted", () -> httpRoute("default", "api")
                    .filter(r -> r.getStatus() != null && !r.getStatus().getParents().isEmpty())
                    .map(r -> r.getStatus().getParents().get(0))
                    .filter(p -> condition(p.getConditions(), "ResolvedRefs").getReason().equals("RefNotPermitted")));
                assertThat(isTrue(denied.getConditions(), "Accepted")).isTrue();
                assertThat(condition(denied.getConditions(), "ResolvedRefs").getReason()).isEqualTo("RefNotPermitted");
                String cluster = acme + "/backends/api:80";
                assertThat(envoy.clusters).as("no cluster without the grant").doesNotContain(cluster);
                kube.resource(new ReferenceGrantBuilder().withNewMetadata().withName("from-default")
                    .withNamespace("backends").endMetadata().withNewSpec().addNewFrom()
                    .withGroup("gateway.networking.k8s.io").withKind("HTTPRoute").withNamespace("default").endFrom()
                    .addNewTo().withGroup("").withKind("Service").endTo().endSpec().build()).create();
                await("ResolvedRefs with the grant", () -> httpRoute("default", "api")
                    .filter(r -> isTrue(r.getStatus().getParents().get(0).getConditions(), "ResolvedRefs")));
                await("the ADS client sees the cluster", () -> envoy.clusters.contains(cluster)
                    ? Optional.of(true) : Optional.empty());
            } finally {
                channel.shutdownNow();
            }
        }

        // A restarted controller sends everything again under the same keys: EPIC appends nothing.
        List<String> before = eventKeys(acme);
        try (KubernetesController restarted = controller(kube)) {
            restarted.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (restarted.rounds() < 5 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(restarted.rounds()).isGreaterThanOrEqualTo(5);
            List<String> after = eventKeys(acme);
            System.out.println("restart: " + before.size() + " events of " + acme + " before, " + after.size()
                + " after " + restarted.rounds() + " rounds of the restarted controller");
            assertThat(after).as("events after the restart").hasSameSizeAs(before);
        }

        // Everything the controller wrote is cluster east's; another cluster of the account may not change it.
        String base = "/api/v1/accounts/" + acme;
        assertThat(json(get(base + "/httproutes/web", user)).path("owner").asText()).isEqualTo("east");
        HttpResponse<String> west = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + base
                + "/httproutes/web")).header("Authorization", user).header("Epic-Cluster", "west").DELETE()
            .build(), HttpResponse.BodyHandlers.ofString());
        System.out.println("cluster west deleting east's route: " + west.statusCode() + " " + west.body());
        assertThat(west.statusCode()).isEqualTo(409);
        assertThat(json(west.body()).path("field").asText()).isEqualTo("owner");
        assertThat(json(west.body()).path("message").asText()).contains("belongs to workload cluster 'east'");

        // Deleted while no controller ran: the next start deletes in EPIC what cluster east owns but no longer has.
        kube.resources(HTTPRoute.class).inNamespace("default").withName("api").delete();
        await("route api gone from the cluster", () -> httpRoute("default", "api").isEmpty()
            ? Optional.of(true) : Optional.empty());
        try (KubernetesController next = controller(kube)) {
            next.start();
            await("the route deleted while down leaves EPIC", () -> Optional.of(get(base + "/httproutes/api",
                user)).filter(r -> r.statusCode() == 404));
            await("so do the Service and slice only it referenced", () -> Optional.of(get(base
                + "/endpointslices/api-1?namespace=backends", user)).filter(r -> r.statusCode() == 404));
            assertThat(get(base + "/httproutes/web", user).statusCode()).isEqualTo(200);
        }

        // Referenced again after a restart (within the decided commands' retention), the Service, slice and grant,
        // unchanged in the cluster, are created again: EPIC answers their first creates' keys from its store, and the
        // controller, seeing them answered so while EPIC does not hold them, sends them under a key of its own run.
        route(kube, "default", "api", "backends", "api", 80);
        try (KubernetesController next = controller(kube)) {
            next.start();
            await("the Service is back in EPIC", () -> Optional.of(get(base + "/services/api?namespace=backends",
                user)).filter(r -> r.statusCode() == 200));
            await("and its slice", () -> Optional.of(get(base + "/endpointslices/api-1?namespace=backends",
                user)).filter(r -> r.statusCode() == 200));
            await("and the grant: the route resolves again", () -> httpRoute("default", "api")
                .filter(r -> r.getStatus() != null && !r.getStatus().getParents().isEmpty()
                    && isTrue(r.getStatus().getParents().get(0).getConditions(), "ResolvedRefs")));

            // Deleting the Gateway: EPIC deletes it and frees its address before the object goes.
            kube.resources(Gateway.class).inNamespace("default").withName("web").delete();
            await("the gateway object is gone", () -> gateway("web").isEmpty() ? Optional.of(true) : Optional.empty());
            assertThat(get(base + "/gateways/web", user).statusCode()).isEqualTo(404);
            assertThat(json(get("/api/v1/pools/" + pool, admin)).at("/spec/allocated").size()).isZero();
        }
    }

    @Test
    void aRouteOfAnotherClusterAttachesToASharedGatewayByItsKey() throws Exception {
        ControllerAccount tenant = controllerAccount("sharing", "198.18.80.0/29", true);
        String acme = tenant.name(), template = tenant.template(), user = tenant.user();
        String base = "/api/v1/accounts/" + acme;
        // Cluster east's gateway, made from the shareable template (as east's controller writes: naming its cluster).
        HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + base
                + "/gateways")).header("Authorization", user).header("Epic-Cluster", "east")
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"web\","
                + "\"template\":\"" + template + "\",\"listeners\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"HTTP\"}]}"))
            .build(), HttpResponse.BodyHandlers.ofString());
        expect(201, created);
        JsonNode eastGateway = json(get(base + "/gateways/web", user));
        String sharingKey = eastGateway.at("/spec/sharingKey").asText();
        assertThat(sharingKey).startsWith("share-");
        assertThat(eastGateway.path("owner").asText()).isEqualTo("east");

        // Cluster west: a Gateway that joins by the key, a route to it, the route's Service and slice.
        KubernetesMockServer west = workloadCluster();
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", xdsPort,
            InsecureChannelCredentials.create()).build();
        try (KubernetesClient westKube = west.createClient();
             AckingProxy envoy = new AckingProxy(AdsClient.sotw(channel, "gateway/" + acme + "/default/web~envoy-0"))) {
            epicClass(westKube, acme, template, "west");
            service(westKube, "default", "shop", 80, 8080);
            slice(westKube, "default", "shop-1", "shop", "10.2.0.5");
            westKube.resource(new GatewayBuilder().withNewMetadata().withName("web").withNamespace("default")
                .addToAnnotations(KubernetesController.SHARING_KEY, sharingKey).endMetadata().withNewSpec()
                .withGatewayClassName("epic").addNewListener().withName("http").withPort(80).withProtocol("HTTP")
                .endListener().endSpec().build()).create();
            route(westKube, "default", "shop", "default", "shop", 80);
            try (KubernetesController controller = controller(westKube)) {
                controller.start();
                JsonNode shop = await("west's route in EPIC", () -> Optional.of(get(base + "/httproutes/shop", user))
                    .filter(r -> r.statusCode() == 200)).body().transform(KubernetesControllerTest::json);
                assertThat(shop.path("owner").asText()).isEqualTo("west");
                assertThat(shop.at("/spec/parentRefs/0/name").asText()).isEqualTo("web");
                HTTPRoute route = await("west's route Accepted and resolved", () -> Optional.ofNullable(westKube
                    .resources(HTTPRoute.class).inNamespace("default").withName("shop").get())
                    .filter(r -> r.getStatus() != null && !r.getStatus().getParents().isEmpty()
                        && isTrue(r.getStatus().getParents().get(0).getConditions(), "Accepted")
                        && isTrue(r.getStatus().getParents().get(0).getConditions(), "ResolvedRefs")));
                assertThat(route.getStatus().getParents().get(0).getParentRef().getName()).isEqualTo("web");
                Gateway joined = await("west's Gateway shows the shared gateway's address", () -> Optional.ofNullable(
                    westKube.resources(Gateway.class).inNamespace("default").withName("web").get())
                    .filter(g -> g.getStatus() != null && !g.getStatus().getAddresses().isEmpty()));
                assertThat(joined.getStatus().getAddresses().get(0).getValue())
                    .isEqualTo(eastGateway.at("/spec/address").asText());
                assertThat(joined.getMetadata().getFinalizers()).as("west never deletes east's gateway").isNullOrEmpty();
                await("the shared gateway's proxy sees west's backend", () -> Optional.ofNullable(envoy.endpoints
                    .get(acme + "/default/shop:80")).filter(e -> e.contains("10.2.0.5:8080")));
                JsonNode after = json(get(base + "/gateways/web", user));
                assertThat(after.path("version").asLong()).as("west did not write east's gateway")
                    .isEqualTo(eastGateway.path("version").asLong());
                assertThat(after.path("owner").asText()).isEqualTo("east");
            }
        } finally {
            channel.shutdownNow();
            west.destroy();
        }
    }

    /**
     * Sharing across accounts: owner's gateway (REST, shareable template, namespaces All) granted to grantee; the
     * grantee's cluster joins it by its key, its route goes to EPIC in the grantee's account naming the owner's gateway
     * with parentRefs[].account, the owner's proxy receives the grantee's cluster and endpoint, and the route and
     * Gateway show the shared status; after a revoke the route is not Accepted, naming the missing grant.
     */
    @Test
    void aRouteOfAnotherAccountAttachesToAGatewaySharedWithItByItsKeyUntilRevoked() throws Exception {
        ControllerAccount shared = controllerAccount("owner", "198.18.86.0/29", true);
        String owner = shared.name(), template = shared.template(), ownerUser = shared.user();
        String grantee = "grantee-" + UUID.randomUUID().toString().substring(0, 8);
        String granteeUser = accountWithController(grantee);
        expect(201, post("/api/v1/accounts/" + owner + "/gateways", "{\"name\":\"public\",\"template\":\"" + template
            + "\",\"listeners\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"HTTP\","
            + "\"allowedRoutes\":{\"namespacesFrom\":\"ALL\"}}]}", ownerUser));
        JsonNode gateway = json(get("/api/v1/accounts/" + owner + "/gateways/public", ownerUser));
        String sharingKey = gateway.at("/spec/sharingKey").asText();
        String grant = "/api/v1/accounts/" + owner + "/gateways/default/public/sharing/" + grantee;
        expect(200, HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + grant))
            .header("Authorization", ownerUser).PUT(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString()));

        KubernetesMockServer bank = workloadCluster();
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", xdsPort,
            InsecureChannelCredentials.create()).build();
        try (KubernetesClient bankKube = bank.createClient();
             AckingProxy envoy = new AckingProxy(AdsClient.sotw(channel, "gateway/" + owner + "/default/public~envoy-0"))) {
            epicClass(bankKube, grantee, template, "bank");
            service(bankKube, "default", "shop", 80, 8080);
            slice(bankKube, "default", "shop-1", "shop", "10.2.0.6");
            bankKube.resource(new GatewayBuilder().withNewMetadata().withName("web").withNamespace("default")
                .addToAnnotations(KubernetesController.SHARING_KEY, sharingKey).endMetadata().withNewSpec()
                .withGatewayClassName("epic").addNewListener().withName("http").withPort(80).withProtocol("HTTP")
                .endListener().endSpec().build()).create();
            route(bankKube, "default", "shop", "default", "shop", 80);
            try (KubernetesController controller = controller(bankKube)) {
                controller.start();
                JsonNode shop = await("the grantee's route in EPIC", () -> Optional.of(get("/api/v1/accounts/" + grantee
                    + "/httproutes/shop", granteeUser)).filter(r -> r.statusCode() == 200)).body()
                    .transform(KubernetesControllerTest::json);
                assertThat(shop.at("/spec/parentRefs/0").toString()).as("names the owner's gateway")
                    .contains("\"account\":\"" + owner + "\"").contains("\"name\":\"public\"");
                await("the owner's proxy sees the grantee's backend", () -> Optional.ofNullable(envoy.endpoints
                    .get(grantee + "/default/shop:80")).filter(e -> e.contains("10.2.0.6:8080")));
                HTTPRoute route = await("the grantee's route Accepted and resolved", () -> Optional.ofNullable(bankKube
                    .resources(HTTPRoute.class).inNamespace("default").withName("shop").get())
                    .filter(r -> r.getStatus() != null && !r.getStatus().getParents().isEmpty()
                        && isTrue(r.getStatus().getParents().get(0).getConditions(), "Accepted")
                        && isTrue(r.getStatus().getParents().get(0).getConditions(), "ResolvedRefs")));
                assertThat(route.getStatus().getParents().get(0).getParentRef().getName()).isEqualTo("web");
                Gateway joined = await("the grantee's Gateway shows the shared gateway's address", () -> Optional
                    .ofNullable(bankKube.resources(Gateway.class).inNamespace("default").withName("web").get())
                    .filter(g -> g.getStatus() != null && !g.getStatus().getAddresses().isEmpty()));
                assertThat(joined.getStatus().getAddresses().get(0).getValue())
                    .isEqualTo(gateway.at("/spec/address").asText());
                assertThat(joined.getMetadata().getFinalizers()).as("never deletes the owner's gateway").isNullOrEmpty();

                expect(200, delete(grant, ownerUser));
                HTTPRoute revoked = await("the route not Accepted after the revoke", () -> Optional.ofNullable(bankKube
                    .resources(HTTPRoute.class).inNamespace("default").withName("shop").get())
                    .filter(r -> r.getStatus().getParents().get(0).getConditions().stream()
                        .anyMatch(c -> c.getType().equals("Accepted") && c.getStatus().equals("False"))));
                Condition accepted = condition(revoked.getStatus().getParents().get(0).getConditions(), "Accepted");
                assertThat(accepted.getReason()).isEqualTo("NoMatchingParent");
                assertThat(accepted.getMessage()).contains("Gateway default/web", sharingKey, "never granted, or the "
                    + "grant was revoked");
                await("the owner's proxy loses the grantee's backend", () -> envoy.clusters.contains(grantee
                    + "/default/shop:80") ? Optional.empty() : Optional.of(true));
            }
        } finally {
            channel.shutdownNow();
            bank.destroy();
        }
    }

    /**
     * {@code allowedRoutes.namespaces.from: Selector}: the labels of a route's namespace reach EPIC as a Namespace and
     * relabelling it flips the route's Accepted (NotAllowedByListeners and back); a change that is not its labels
     * appends nothing.
     */
    @Test
    void relabellingANamespaceFlipsTheAcceptedStatusOfItsRoutes() throws Exception {
        ControllerAccount tenant = controllerAccount("labels", "198.18.82.0/29", false);
        String acme = tenant.name(), template = tenant.template(), user = tenant.user();
        KubernetesMockServer teams = workloadCluster();
        try (KubernetesClient k = teams.createClient()) {
            epicClass(k, acme, template, "teams");
            k.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("team-a")
                .addToLabels(Map.of("kubernetes.io/metadata.name", "team-a", "gateway-access", "granted"))
                .endMetadata().build()).create();
            k.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("unrelated")
                .addToLabels("gateway-access", "granted").endMetadata().build()).create();
            k.resource(new GatewayBuilder().withNewMetadata().withName("web").withNamespace("default").endMetadata()
                .withNewSpec().withGatewayClassName("epic").addNewListener().withName("http").withPort(80)
                .withProtocol("HTTP").withNewAllowedRoutes().withNewNamespaces().withFrom("Selector").withNewSelector()
                .addToMatchLabels("gateway-access", "granted").endSelector().endNamespaces().endAllowedRoutes()
                .endListener().endSpec().build()).create();
            k.resource(new HTTPRouteBuilder().withNewMetadata().withName("shop").withNamespace("team-a").endMetadata()
                .withNewSpec().addNewParentRef().withName("web").withNamespace("default").endParentRef()
                .addNewRule().addNewBackendRef().withName("shop").withPort(80).endBackendRef().endRule().endSpec()
                .build()).create();
            try (KubernetesController controller = controller(k)) {
                controller.start();
                awaitAccepted(k, "granted: attached", "True", "Accepted");
                JsonNode namespace = json(get("/api/v1/accounts/" + acme + "/namespaces/team-a", user));
                assertThat(namespace.path("owner").asText()).isEqualTo("teams");
                assertThat(namespace.at("/spec/labels").toString()).as("the API server's own label is implied")
                    .isEqualTo("{\"gateway-access\":\"granted\"}");
                assertThat(get("/api/v1/accounts/" + acme + "/namespaces/unrelated", user).statusCode())
                    .as("a namespace without routes to EPIC stays in the cluster").isEqualTo(404);

                relabel(k, "revoked");
                awaitAccepted(k, "revoked: detached", "False", "NotAllowedByListeners");
                relabel(k, "granted");
                awaitAccepted(k, "granted again: attached", "True", "Accepted");

                String id = "namespace/" + acme + "/team-a";
                List<String> events = eventKeys(id::equals);
                assertThat(events).as("created, revoked, granted").hasSize(3);
                k.namespaces().withName("team-a").edit(n -> new NamespaceBuilder(n).editMetadata()
                    .addToAnnotations("note", "not a label").endMetadata().build());
                long rounds = controller.rounds();
                await("two rounds after the annotation", () -> Optional.of(controller.rounds())
                    .filter(r -> r >= rounds + 2));
                assertThat(eventKeys(id::equals)).as("a new resourceVersion with the same labels").hasSize(3);

                // Kubernetes does not bound a Namespace's labels; EPIC takes 64. Refused, it has no record there, and
                // its route's status says so instead of a bare NotAllowedByListeners.
                Map<String, String> many = new java.util.TreeMap<>(Map.of("gateway-access", "granted"));
                for (int i = 0; i < 64; i++) {
                    many.put("extra-" + i, "x");
                }
                k.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("team-b").addToLabels(many)
                    .endMetadata().build()).create();
                k.resource(new HTTPRouteBuilder().withNewMetadata().withName("blog").withNamespace("team-b")
                    .endMetadata().withNewSpec().addNewParentRef().withName("web").withNamespace("default")
                    .endParentRef().addNewRule().addNewBackendRef().withName("blog").withPort(80).endBackendRef()
                    .endRule().endSpec().build()).create();
                await("the refused Namespace named in its route's status", () -> Optional.ofNullable(
                        k.resources(HTTPRoute.class).inNamespace("team-b").withName("blog").get())
                    .filter(r -> r.getStatus() != null && !r.getStatus().getParents().isEmpty()
                        && r.getStatus().getParents().get(0).getConditions().stream().anyMatch(c -> c.getType()
                            .equals("Accepted") && c.getStatus().equals("False")
                            && c.getReason().equals("NotAllowedByListeners")
                            && c.getMessage().contains("Namespace team-b is not in EPIC")
                            && c.getMessage().contains("EPIC refused it:") && c.getMessage().contains("labels"))));
                assertThat(get("/api/v1/accounts/" + acme + "/namespaces/team-b", user).statusCode()).isEqualTo(404);
            }
        } finally {
            teams.destroy();
        }
    }

    private static void relabel(KubernetesClient k, String access) {
        k.namespaces().withName("team-a").edit(n -> new NamespaceBuilder(n).editMetadata()
            .addToLabels("gateway-access", access).endMetadata().build());
    }

    private static void awaitAccepted(KubernetesClient k, String what, String status, String reason)
            throws InterruptedException {
        await(what, () -> Optional.ofNullable(k.resources(HTTPRoute.class).inNamespace("team-a").withName("shop").get())
            .filter(r -> r.getStatus() != null && !r.getStatus().getParents().isEmpty()
                && r.getStatus().getParents().get(0).getConditions().stream().anyMatch(c -> c.getType().equals("Accepted")
                    && c.getStatus().equals(status) && c.getReason().equals(reason))));
    }

    /**
     * The certificate Secrets an HTTPS Gateway references reach EPIC's store and the proxy over SDS; a rotated Secret
     * is a new SDS secret and no listener update; a restarted controller appends nothing; a Secret that is missing,
     * invalid or deleted shows in the listener's status, and a Secret no listener names never leaves the cluster.
     */
    @Test
    void theCertificateSecretsOfGatewaysReachTheProxyOverSdsAndRotate() throws Exception {
        ControllerAccount tenant = controllerAccount("tls", "198.18.93.0/29", false);
        String acme = tenant.name(), template = tenant.template(), user = tenant.user();
        String base = "/api/v1/accounts/" + acme;
        String secret = acme + "/default/web-tls";
        Path dir = Files.createTempDirectory("epic-tls-");
        KubernetesMockServer server = workloadCluster();
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", xdsPort,
            InsecureChannelCredentials.create()).build();
        try (KubernetesClient k = server.createClient()) {
            epicClass(k, acme, template, "tls-east");
            service(k, "default", "web", 80, 8080);
            slice(k, "default", "web-1", "web", "10.1.0.6");
            KeytoolCertificates.Pem first = KeytoolCertificates.selfSigned(dir, "web.example.com", null, 30);
            KeytoolCertificates.Pem second = KeytoolCertificates.selfSigned(dir, "web.example.com", null, 30);
            tlsSecret(k, "default", "web-tls", first);
            tlsSecret(k, "default", "unrelated-tls", KeytoolCertificates.selfSigned(dir, "other.example.com", null, 30));
            k.resource(new GatewayBuilder().withNewMetadata().withName("secure").withNamespace("default").endMetadata()
                .withNewSpec().withGatewayClassName("epic")
                .addNewListener().withName("https").withPort(443).withProtocol("HTTPS").withHostname("web.example.com")
                .withNewTls().addNewCertificateRef().withName("web-tls").endCertificateRef().endTls().endListener()
                .addNewListener().withName("api").withPort(443).withProtocol("HTTPS").withHostname("api.example.com")
                .withNewTls().addNewCertificateRef().withName("absent-tls").endCertificateRef().endTls().endListener()
                .addNewListener().withName("granted").withPort(443).withProtocol("HTTPS").withHostname("shop.example.com")
                .withNewTls().addNewCertificateRef().withName("shop-tls").withNamespace("certs").endCertificateRef()
                .endTls().endListener()
                .addNewListener().withName("not-granted").withPort(443).withProtocol("HTTPS")
                .withHostname("bank.example.com").withNewTls().addNewCertificateRef().withName("bank-tls")
                .withNamespace("bank").endCertificateRef().endTls().endListener()
                .endSpec().build()).create();
            // Secrets of other namespaces: certs lets Gateways of default use its Secrets (from its grant, created
            // below), bank does not.
            tlsSecret(k, "certs", "shop-tls", KeytoolCertificates.selfSigned(dir, "shop.example.com", null, 30));
            tlsSecret(k, "bank", "bank-tls", KeytoolCertificates.selfSigned(dir, "bank.example.com", null, 30));
            k.resource(new HTTPRouteBuilder().withNewMetadata().withName("web").withNamespace("default").endMetadata()
                .withNewSpec().addNewParentRef().withName("secure").endParentRef().addNewRule().addNewBackendRef()
                .withName("web").withPort(80).endBackendRef().endRule().endSpec().build()).create();

            try (KubernetesController controller = controller(k);
                 AckingProxy envoy = new AckingProxy(AdsClient.sotw(channel, "gateway/" + acme + "/default/secure~envoy-0"))) {
                controller.start();
                await("the proxy receives the certificate over SDS", () -> Optional.ofNullable(envoy.secrets.get(secret))
                    .filter(served -> served.strip().equals(first.chain().strip())));
                Gateway programmed = await("the Gateway is Programmed", () -> gateway(k, "secure")
                    .filter(g -> g.getStatus() != null && isTrue(g.getStatus().getConditions(), "Programmed")));
                assertThat(isTrue(listener(programmed, "https"), "ResolvedRefs")).isTrue();
                assertThat(condition(listener(programmed, "api"), "ResolvedRefs").getReason())
                    .isEqualTo("InvalidCertificateRef");
                assertThat(condition(listener(programmed, "api"), "ResolvedRefs").getMessage())
                    .contains("Secret default/absent-tls does not exist");
                assertThat(get(base + "/certificates/default/unrelated-tls", user).statusCode())
                    .as("a Secret no listener names stays in the cluster").isEqualTo(404);
                // Granted only now, after the proxy's first SDS answer: its SDS name set grows, which it asks for
                // as Envoy does (with the last SDS nonce; one without was dropped as stale: the test's old flake).
                k.resource(new ReferenceGrantBuilder().withNewMetadata().withName("gateways").withNamespace("certs")
                    .endMetadata().withNewSpec().addNewFrom().withGroup("gateway.networking.k8s.io").withKind("Gateway")
                    .withNamespace("default").endFrom().addNewTo().withGroup("").withKind("Secret").endTo().endSpec()
                    .build()).create();
                await("the granted Secret of another namespace over SDS", () -> Optional.ofNullable(
                    envoy.secrets.get(acme + "/certs/shop-tls")));
                Gateway granted = await("the granted listener resolves", () -> gateway(k, "secure")
                    .filter(g -> isTrue(listener(g, "granted"), "ResolvedRefs")));
                assertThat(condition(listener(granted, "not-granted"), "ResolvedRefs").getReason())
                    .isEqualTo("RefNotPermitted");
                assertThat(get(base + "/certificates/bank/bank-tls", user).statusCode())
                    .as("a Secret no ReferenceGrant lets the Gateway use stays in the cluster").isEqualTo(404);
                String firstHash = json(get(base + "/certificates/default/web-tls", user)).path("sha256").asText();

                // Rotation in the cluster: a new upload, a new content hash, a new SDS secret, no listener update.
                List<String> before = eventKeys(acme);
                int listenerUpdates = envoy.listenerUpdates.get();
                k.secrets().inNamespace("default").withName("web-tls").edit(s -> withPem(s, second.chain(), second.key()));
                await("the proxy receives the rotated certificate", () -> Optional.ofNullable(envoy.secrets.get(secret))
                    .filter(served -> served.strip().equals(second.chain().strip())));
                assertThat(json(get(base + "/certificates/default/web-tls", user)).path("sha256").asText())
                    .isNotEqualTo(firstHash);
                Thread.sleep(1_000);
                assertThat(envoy.listenerUpdates.get()).as("no listener update").isEqualTo(listenerUpdates);
                List<String> added = new ArrayList<>(eventKeys(acme));
                before.forEach(added::remove); // keys come partition by partition: compare as multisets
                assertThat(added).as("the rotation's events").containsExactly("certificate/" + acme + "/default/web-tls");
            }

            // A restarted controller uploads the same Secret under the same key: EPIC answers, nothing is appended.
            List<String> before = eventKeys(acme);
            try (KubernetesController again = controller(k)) {
                again.start();
                await("five rounds", () -> Optional.of(again.rounds()).filter(r -> r >= 5));
            }
            assertThat(eventKeys(acme)).as("events after the restart").isEqualTo(before);

            // Referenced no more while no controller ran (the listener edited), the certificate is removed at the
            // next start (it is among the certificates this cluster uploaded); referenced again after a restart, it is
            // stored again though its first upload's key is decided: EPIC says the answer is a replay, the controller
            // finds the certificate absent and uploads it under a key of its run.
            certificateRef(k, "absent-tls");
            try (KubernetesController controller = controller(k)) {
                controller.start();
                await("the unreferenced certificate leaves EPIC", () -> Optional.of(get(base
                    + "/certificates/default/web-tls", user)).filter(r -> r.statusCode() == 404));
            }
            certificateRef(k, "web-tls");
            try (KubernetesController controller = controller(k);
                 AckingProxy envoy = new AckingProxy(AdsClient.sotw(channel, "gateway/" + acme + "/default/secure~envoy-0"))) {
                controller.start();
                await("referenced again after a restart, the proxy receives it over SDS", () -> Optional.ofNullable(
                    envoy.secrets.get(secret)).filter(served -> served.strip().equals(second.chain().strip())));
                await("and the listener resolves", () -> gateway(k, "secure")
                    .filter(g -> isTrue(listener(g, "https"), "ResolvedRefs")));

                // A key that is not the certificate's: EPIC refuses it, the listener says why and serves nothing.
                KeytoolCertificates.Pem other = KeytoolCertificates.selfSigned(dir, "web.example.com", null, 30);
                String current = k.secrets().inNamespace("default").withName("web-tls").get().getData().get("tls.crt");
                k.secrets().inNamespace("default").withName("web-tls").edit(s -> withPem(s,
                    new String(Base64.getDecoder().decode(current), StandardCharsets.UTF_8), other.key()));
                Gateway invalid = await("the listener names the invalid Secret", () -> gateway(k, "secure")
                    .filter(g -> !isTrue(listener(g, "https"), "ResolvedRefs")));
                assertThat(condition(listener(invalid, "https"), "ResolvedRefs").getMessage())
                    .contains("Secret default/web-tls: privateKey does not match the certificate's public key");
                assertThat(condition(listener(invalid, "https"), "Programmed").getStatus()).isEqualTo("False");
                await("the certificate leaves EPIC", () -> Optional.of(get(base + "/certificates/default/web-tls", user))
                    .filter(r -> r.statusCode() == 404));

                k.secrets().inNamespace("default").withName("web-tls").delete();
                Gateway deleted = await("the listener names the deleted Secret", () -> gateway(k, "secure")
                    .filter(g -> condition(listener(g, "https"), "ResolvedRefs").getMessage()
                        .contains("Secret default/web-tls does not exist")));
                assertThat(condition(listener(deleted, "https"), "ResolvedRefs").getReason())
                    .isEqualTo("InvalidCertificateRef");
                assertThat(controller.rounds()).as("the controller keeps going").isPositive();

                // The account's last Gateway of ours goes: so do the certificates uploaded for it.
                assertThat(get(base + "/certificates/certs/shop-tls", user).statusCode()).isEqualTo(200);
                k.resources(Gateway.class).inNamespace("default").withName("secure").delete();
                await("the Gateway is gone", () -> Optional.of(gateway(k, "secure")).filter(Optional::isEmpty));
                await("its certificates leave EPIC", () -> Optional.of(get(base + "/certificates/certs/shop-tls",
                    user)).filter(r -> r.statusCode() == 404));
            }
        } finally {
            channel.shutdownNow();
            server.destroy();
        }
    }

    @Test
    void theCertificatesOfAnAccountWhoseLastGatewayWentWhileNoControllerRanLeaveAtTheNextStart() throws Exception {
        ControllerAccount tenant = controllerAccount("tlsgone", "198.18.94.0/29", false);
        String acme = tenant.name(), template = tenant.template(), user = tenant.user();
        String base = "/api/v1/accounts/" + acme;
        Path dir = Files.createTempDirectory("epic-tls-");
        KubernetesMockServer server = workloadCluster();
        try (KubernetesClient k = server.createClient()) {
            epicClass(k, acme, template, "tls-gone");
            tlsSecret(k, "default", "web-tls", KeytoolCertificates.selfSigned(dir, "web.example.com", null, 30));
            k.resource(new GatewayBuilder().withNewMetadata().withName("secure").withNamespace("default").endMetadata()
                .withNewSpec().withGatewayClassName("epic")
                .addNewListener().withName("https").withPort(443).withProtocol("HTTPS").withHostname("web.example.com")
                .withNewTls().addNewCertificateRef().withName("web-tls").endCertificateRef().endTls().endListener()
                .endSpec().build()).create();
            // Certificates of the account that are not this cluster's: an API user's (no owner) and cluster west's.
            expect(200, putCertificate(base + "/certificates/default/user-tls", user, null,
                KeytoolCertificates.selfSigned(dir, "user.example.com", null, 30)));
            expect(200, putCertificate(base + "/certificates/default/west-tls", user, "west",
                KeytoolCertificates.selfSigned(dir, "west.example.com", null, 30)));
            try (KubernetesController controller = controller(k)) {
                controller.start();
                await("the certificate is in EPIC", () -> Optional.of(get(base + "/certificates/default/web-tls", user))
                    .filter(r -> r.statusCode() == 200));
            }

            // The account's only Gateway deleted while no controller runs (it waits on our finalizer): the next start
            // releases it, and the certificate this cluster uploaded for it goes too, the others' stay.
            k.resources(Gateway.class).inNamespace("default").withName("secure").delete();
            try (KubernetesController controller = controller(k)) {
                controller.start();
                await("the Gateway is gone", () -> Optional.of(gateway(k, "secure")).filter(Optional::isEmpty));
                await("its certificate leaves EPIC", () -> Optional.of(get(base + "/certificates/default/web-tls",
                    user)).filter(r -> r.statusCode() == 404));
                long rounds = controller.rounds();
                await("three more rounds", () -> Optional.of(controller.rounds()).filter(r -> r >= rounds + 3));
            }
            assertThat(get(base + "/certificates/default/user-tls", user).statusCode()).as("an API user's").isEqualTo(200);
            assertThat(get(base + "/certificates/default/west-tls", user).statusCode()).as("cluster west's")
                .isEqualTo(200);
        } finally {
            server.destroy();
        }
    }

    /** Uploads a certificate through EPIC's API, as workload cluster {@code cluster} when not null. */
    private static HttpResponse<String> putCertificate(String path, String auth, String cluster,
                                                       KeytoolCertificates.Pem pem) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path))
            .header("Authorization", auth).header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode().put("certificate", pem.chain())
                .put("privateKey", pem.key()).toString()));
        if (cluster != null) {
            request.header("Epic-Cluster", cluster);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Points the https listener of Gateway default/secure at another Secret. */
    private static void certificateRef(KubernetesClient k, String secret) {
        k.resources(Gateway.class).inNamespace("default").withName("secure").edit(g -> {
            g.getSpec().getListeners().stream().filter(l -> l.getName().equals("https")).findFirst().orElseThrow()
                .getTls().getCertificateRefs().getFirst().setName(secret);
            return g;
        });
    }

    private static void tlsSecret(KubernetesClient k, String namespace, String name, KeytoolCertificates.Pem pem) {
        k.secrets().inNamespace(namespace).resource(withPem(new SecretBuilder().withNewMetadata().withName(name)
            .withNamespace(namespace).endMetadata().withType("kubernetes.io/tls").build(), pem.chain(), pem.key()))
            .create();
    }

    private static io.fabric8.kubernetes.api.model.Secret withPem(io.fabric8.kubernetes.api.model.Secret s,
                                                                  String chain, String key) {
        Base64.Encoder b64 = Base64.getEncoder();
        return new SecretBuilder(s).withData(Map.of("tls.crt", b64.encodeToString(chain.getBytes(StandardCharsets.UTF_8)),
            "tls.key", b64.encodeToString(key.getBytes(StandardCharsets.UTF_8)))).build();
    }

    private static Optional<Gateway> gateway(KubernetesClient k, String name) {
        return Optional.ofNullable(k.resources(Gateway.class).inNamespace("default").withName(name).get());
    }

    /** A listener's conditions in a Gateway's status (none before it has any). */
    private static List<Condition> listener(Gateway g, String name) {
        return g.getStatus() == null || g.getStatus().getListeners() == null ? List.of() : g.getStatus().getListeners()
            .stream().filter(l -> l.getName().equals(name)).findFirst().map(l -> l.getConditions()).orElse(List.of());
    }

    @Test
    void twoReplicasElectOneThatActsAndTheOtherTakesOverWhenItStops() throws Exception {
        KubernetesMockServer server = workloadCluster();
        try (KubernetesClient k = server.createClient();
             Leadership a = new Leadership(k, lease("replica-a"), () -> controller(k)).start();
             Leadership b = new Leadership(k, lease("replica-b"), () -> controller(k)).start()) {
            Leadership leader = await("one replica acts", () -> Optional.ofNullable(a.acting() != null ? a
                : b.acting() != null ? b : null));
            Leadership other = leader == a ? b : a;
            Thread.sleep(3_000);
            assertThat(other.acting()).as("the other replica waits").isNull();
            assertThat(leader.acting().rounds()).as("the leader's controller runs").isPositive();
            String holder = k.leases().inNamespace("epic-system").withName("epic-controller").get().getSpec()
                .getHolderIdentity();
            assertThat(holder).isEqualTo(leader == a ? "replica-a" : "replica-b");

            leader.close();
            await("the other replica takes over", () -> Optional.ofNullable(other.acting()));
            await("and holds the lease", () -> Optional.of(k.leases().inNamespace("epic-system")
                .withName("epic-controller").get().getSpec().getHolderIdentity())
                .filter(h -> h.equals(other == a ? "replica-a" : "replica-b")));
            assertThat(leader.acting()).isNull();
        } finally {
            server.destroy();
        }
    }

    private static Leadership.Settings lease(String identity) {
        return new Leadership.Settings("epic-system", "epic-controller", identity, Duration.ofSeconds(2),
            Duration.ofMillis(1500), Duration.ofMillis(200));
    }

    @Test
    void aLinuxHostsEndpointsReachEdsAndLeaveWhenItStopsCleanly() throws Exception {
        String acme = "hosts-" + UUID.randomUUID().toString().substring(0, 8);
        String user = hostAccount(acme, "198.18.78.0/29");
        HostConfig.HostService site = new HostConfig.HostService("site",
            List.of(new HostConfig.Port("http", 80, 8080, "http")), null);
        HostConfig.HostService old = new HostConfig.HostService("old",
            List.of(new HostConfig.Port("http", 80, 8080, "http")), null);
        HostConfig.Epic east = new HostConfig.Epic(URI.create("http://127.0.0.1:" + apiPort), acme, "host-1",
            "host-password-1", "hosts-east");
        HostConfig config = new HostConfig(east, new HostConfig.Node("host-1", "198.51.100.20"), "default",
            Duration.ofMillis(200), List.of(site));
        // The host's first run also declares a service it will no longer have after its next start.
        LinuxController first = new LinuxController(new HostConfig(east, config.node(), "default",
            Duration.ofMillis(200), List.of(site, old)));
        assertThat(first.declare()).as("refusals").isEmpty();
        String base = "/api/v1/accounts/" + acme;
        assertThat(json(get(base + "/endpointslices/site-host-1", user)).path("owner").asText())
            .as("the host's declarations are its cluster's").isEqualTo("hosts-east");
        assertThat(json(get(base + "/services/site", user)).path("owner").asText()).isEqualTo("hosts-east");
        HostConfig west = new HostConfig(new HostConfig.Epic(east.apiUrl(), acme, "host-1", "host-password-1",
            "hosts-west"), new HostConfig.Node("host-2", "198.51.100.22"), "default", Duration.ofMillis(200),
            List.of(site));
        LinuxController westHost = new LinuxController(west);
        assertThat(westHost.declare()).as("a host of another cluster declaring east's Service")
            .anySatisfy(refusal -> assertThat(refusal).startsWith("Service site: items[0].owner:")
                .contains("belongs to workload cluster 'hosts-east'"));
        westHost.close();

        String cluster = acme + "/default/site:80";
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", xdsPort,
            InsecureChannelCredentials.create()).build();
        try (AckingProxy envoy = new AckingProxy(AdsClient.sotw(channel, "gateway/" + acme + "/default/edge~envoy-0"))) {
            await("the host's endpoint in EDS", () -> Optional.ofNullable(envoy.endpoints.get(cluster))
                .filter(e -> e.contains("198.51.100.20:8080")));
            // The first run ends without a clean stop; the next one no longer declares service old: its slice goes.
            LinuxController host = new LinuxController(config);
            assertThat(host.declare()).as("refusals").isEmpty();
            assertThat(get(base + "/endpointslices/old-host-1", user).statusCode()).as("old's slice after the restart")
                .isEqualTo(404);
            assertThat(get(base + "/endpointslices/site-host-1", user).statusCode()).isEqualTo(200);
            List<String> before = eventKeys(acme);
            assertThat(host.declare()).isEmpty();
            assertThat(eventKeys(acme)).as("a heartbeat with nothing changed appends nothing").hasSameSizeAs(before);
            host.close();
            await("the endpoint leaves EDS", () -> Optional.ofNullable(envoy.endpoints.get(cluster))
                .filter(List::isEmpty));

            LinuxController again = new LinuxController(config);
            try {
                assertThat(again.declare()).as("refusals of the host started again").isEmpty();
                await("the endpoint is back in EDS after the host starts again",
                    () -> Optional.ofNullable(envoy.endpoints.get(cluster)).filter(e -> e.contains("198.51.100.20:8080")));
            } finally {
                again.close();
            }
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void aLinuxHostThatDiesLosesItsEndpointsAfterTheTtl() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String acme = "dying-" + suffix;
        String node = "host-" + suffix;
        String user = hostAccount(acme, "198.18.79.0/29");
        HostConfig config = new HostConfig(new HostConfig.Epic(URI.create("http://127.0.0.1:" + apiPort), acme, "host-1",
            "host-password-1", null), new HostConfig.Node(node, "198.51.100.21"), "default", Duration.ofMillis(200),
            List.of(new HostConfig.HostService("site", List.of(new HostConfig.Port("http", 80, 8080, "http")), null)));
        Path secret = Files.writeString(Files.createTempFile("cluster-secret", ""), "ttl-" + suffix
            + "-0123456789abcdef0123456789abcdef\n");
        // The host as the systemd units run it: the controller re-declaring, the transport agent beating (its data
        // path is not attached: no node records are followed, the heartbeats are what the TTL is about).
        LinuxController host = new LinuxController(config);
        Thread declaring = Thread.ofVirtual().start(() -> {
            try {
                host.run();
            } catch (InterruptedException e) {
                // killed: no clean stop, the slices stay in EPIC
            }
        });
        SchemaRegistryClient registry = new SchemaRegistryClient(platform.schemaRegistryUrl());
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", xdsPort,
            InsecureChannelCredentials.create()).build();
        NetNs hostNs = NetNs.current();
        try (ReportSender reports = new ReportSender(KafkaConnection.plaintext(platform.bootstrapServers())
                .client(NodeAgent.KAFKA_SERVICE), registry);
             AckingProxy envoy = new AckingProxy(AdsClient.sotw(channel, "gateway/" + acme + "/default/edge~envoy-0"))) {
            NodeAgent agent = new NodeAgent(new NodeAgent.Settings(node, NodeKind.CLIENT, "lo", "198.51.100.21", secret,
                BEAT, Duration.ofMinutes(1), null, null), TransportAgent.Options.defaults(
                Path.of("unused.bpf.o"), hostNs, new SimpleMeterRegistry()), reports::send, Clock.systemUTC());
            String cluster = acme + "/default/site:80";
            await("the host's endpoint in EDS", () -> Optional.ofNullable(envoy.endpoints.get(cluster))
                .filter(e -> e.contains("198.51.100.21:8080")));
            await("the host is a live node", () -> Optional.of(eventKeys(("node/" + node)::equals))
                .filter(k -> !k.isEmpty()));
            Thread.sleep(TTL.multipliedBy(2).toMillis());
            assertThat(envoy.endpoints.get(cluster)).as("a beating host keeps its endpoints past the TTL")
                .contains("198.51.100.21:8080");

            // kill -9: the controller stops without deleting its slices, the agent stops beating.
            long killed = System.nanoTime();
            declaring.interrupt();
            agent.close();
            await("the endpoint leaves EDS", () -> Optional.ofNullable(envoy.endpoints.get(cluster))
                .filter(List::isEmpty));
            long goneMs = (System.nanoTime() - killed) / 1_000_000;
            System.out.println("linux host killed: its endpoint left EDS after " + goneMs + " ms (TTL " + TTL + ")");
            assertThat(goneMs).as("not before the TTL (counted from the last beat, up to one interval before the kill)")
                .isGreaterThanOrEqualTo(TTL.minus(BEAT).toMillis());
            JsonNode slice = json(get("/api/v1/accounts/" + acme + "/endpointslices/site-" + node, user));
            assertThat(slice.at("/spec/endpoints/0/nodeName").asText()).as("the slice itself stays, declared")
                .isEqualTo(node);
            assertThat(slice.path("owner").asText()).as("owned by the hosts' default cluster").isEqualTo("linux-hosts");
        } finally {
            channel.shutdownNow();
            hostNs.close();
        }
    }

    @Test
    void aCreateWhoseBatchAnswerIsLostIsOneEvent() throws Exception {
        ControllerAccount tenant = controllerAccount("lossy", "198.18.84.0/29", false);
        String acme = tenant.name(), template = tenant.template(), user = tenant.user();
        KubernetesMockServer lossy = workloadCluster();
        try (LossyLink link = new LossyLink(apiPort); KubernetesClient k = lossy.createClient()) {
            epicClass(k, link.port(), acme, template, "lossy");
            k.resource(new GatewayBuilder().withNewMetadata().withName("web").withNamespace("default").endMetadata()
                .withNewSpec().withGatewayClassName("epic").addNewListener().withName("http").withPort(80)
                .withProtocol("HTTP").endListener().endSpec().build()).create();
            route(k, "default", "shop", "default", "shop", 80);
            service(k, "default", "shop", 80, 8080);
            // EPIC decides the first batch; its answer never reaches the controller (the connection is closed once
            // EPIC answered), so the round fails as unavailable and the next sends the same keys again.
            link.loseNextBatchAnswer();
            try (KubernetesController controller = controller(k)) {
                controller.start();
                await("the first batch's answer lost", () -> Optional.of(link.lost.get()).filter(n -> n == 1));
                await("the route in EPIC", () -> Optional.of(get("/api/v1/accounts/" + acme + "/httproutes/shop?"
                    + "namespace=default", user)).filter(r -> r.statusCode() == 200));
                long rounds = controller.rounds();
                await("three rounds after", () -> Optional.of(controller.rounds()).filter(r -> r >= rounds + 3));
                for (String id : List.of("httproute/" + acme + "/default/shop", "service/" + acme + "/default/shop")) {
                    assertThat(eventKeys(id::equals)).as(id + ": answered replayed and live, not sent again")
                        .hasSize(1);
                }
            }
        } finally {
            lossy.destroy();
        }
    }

    /**
     * Between a controller and EPIC's API: passes every exchange through, except that the answer to the first batch
     * request after {@link #loseNextBatchAnswer} is read from EPIC and dropped, the connection closed: EPIC decided
     * it, the controller never heard.
     */
    private static final class LossyLink implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final AtomicBoolean armed = new AtomicBoolean();
        final AtomicInteger lost = new AtomicInteger();
        private final int target;

        LossyLink(int target) throws IOException {
            this.target = target;
            Thread.ofVirtual().start(this::accept);
        }

        int port() {
            return server.getLocalPort();
        }

        void loseNextBatchAnswer() {
            armed.set(true);
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                    AtomicBoolean doomed = new AtomicBoolean();
                    Thread.ofVirtual().start(() -> pump(client, upstream, doomed, true));
                    Thread.ofVirtual().start(() -> pump(upstream, client, doomed, false));
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        /** One direction of a connection; either ending closes both. HTTP/1.1: a request starts its first write. */
        private void pump(Socket from, Socket to, AtomicBoolean doomed, boolean requests) {
            byte[] buffer = new byte[65536];
            try (from; to) {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                for (int n; (n = in.read(buffer)) > 0; ) {
                    if (requests && new String(buffer, 0, Math.min(n, 200), StandardCharsets.ISO_8859_1)
                        .matches("(?s)POST \\S*/batch .*") && armed.compareAndSet(true, false)) {
                        doomed.set(true);
                    }
                    if (!requests && doomed.get()) {
                        lost.incrementAndGet();
                        return;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // the other direction closed the connection
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    @Test
    void aLinuxHostsWithoutClusterIdServeOneServiceTogetherAndPutBackWhatWasDeleted() throws Exception {
        String acme = "pair-" + UUID.randomUUID().toString().substring(0, 8);
        String user = hostAccount(acme, "198.18.83.0/29");
        URI api = URI.create("http://127.0.0.1:" + apiPort);
        HostConfig.HostService site = new HostConfig.HostService("site",
            List.of(new HostConfig.Port("http", 80, 8080, "http")), null);
        // host.yaml files without clusterId, as written before it existed.
        LinuxController a = new LinuxController(new HostConfig(new HostConfig.Epic(api, acme, "host-1",
            "host-password-1", null), new HostConfig.Node("host-a", "198.51.100.23"), "default", Duration.ofMillis(200),
            List.of(site)));
        LinuxController b = new LinuxController(new HostConfig(new HostConfig.Epic(api, acme, "host-1",
            "host-password-1", null), new HostConfig.Node("host-b", "198.51.100.24"), "default", Duration.ofMillis(200),
            List.of(site)));
        String base = "/api/v1/accounts/" + acme;
        String cluster = acme + "/default/site:80";
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", xdsPort,
            InsecureChannelCredentials.create()).build();
        try (AckingProxy envoy = new AckingProxy(AdsClient.sotw(channel, "gateway/" + acme + "/default/edge~envoy-0"))) {
            assertThat(a.declare()).as("host-a's refusals").isEmpty();
            assertThat(b.declare()).as("host-b's refusals: the Service is its cluster's too").isEmpty();
            await("both hosts' endpoints in EDS", () -> Optional.ofNullable(envoy.endpoints.get(cluster))
                .filter(e -> e.contains("198.51.100.23:8080") && e.contains("198.51.100.24:8080")));
            assertThat(json(get(base + "/services/site", user)).path("owner").asText()).isEqualTo("linux-hosts");

            // Deleted in EPIC while the hosts run (a user; or a Kubernetes controller given the same cluster id,
            // at its start): the unchanged declaration's key is answered from the decided commands, and the host
            // declares the objects again under a new key instead of taking them for there.
            expect(200, delete(base + "/endpointslices/site-host-a", user));
            expect(200, delete(base + "/services/site", user));
            assertThat(a.declare()).as("host-a's refusals after the delete").isEmpty();
            assertThat(get(base + "/services/site", user).statusCode()).as("the Service, declared again").isEqualTo(200);
            assertThat(get(base + "/endpointslices/site-host-a", user).statusCode()).as("host-a's slice").isEqualTo(200);
            await("host-a's endpoint back in EDS", () -> Optional.ofNullable(envoy.endpoints.get(cluster))
                .filter(e -> e.contains("198.51.100.23:8080") && e.contains("198.51.100.24:8080")));
            List<String> before = eventKeys(acme);
            assertThat(a.declare()).isEmpty();
            assertThat(b.declare()).isEmpty();
            assertThat(eventKeys(acme)).as("heartbeats after that append nothing").hasSameSizeAs(before);
        } finally {
            a.close();
            b.close();
            channel.shutdownNow();
        }
    }

    @Test
    void aLinuxHostUpgradedFromItsNodeNamedClusterTakesOverWhatItDeclared() throws Exception {
        String acme = "upg-" + UUID.randomUUID().toString().substring(0, 8);
        String user = hostAccount(acme, "198.18.85.0/29");
        URI api = URI.create("http://127.0.0.1:" + apiPort);
        HostConfig.HostService site = new HostConfig.HostService("site",
            List.of(new HostConfig.Port("http", 80, 8080, "http")), null);
        HostConfig.HostService old = new HostConfig.HostService("old",
            List.of(new HostConfig.Port("http", 81, 8081, "http")), null);
        HostConfig.Node node = new HostConfig.Node("upg-host-a", "198.51.100.25");
        // The controller before linux-hosts: its default cluster was the node's name (343ce3b).
        LinuxController before = new LinuxController(new HostConfig(new HostConfig.Epic(api, acme, "host-1",
            "host-password-1", node.name()), node, "default", Duration.ofMillis(200), List.of(site, old)));
        // A Service of cluster hosts-west that this host declares too: not its node's, so not taken.
        HostConfig.HostService west = new HostConfig.HostService("west",
            List.of(new HostConfig.Port("http", 82, 8082, "http")), null);
        LinuxController westHost = new LinuxController(new HostConfig(new HostConfig.Epic(api, acme, "host-1",
            "host-password-1", "hosts-west"), new HostConfig.Node("upg-host-w", "198.51.100.26"), "default",
            Duration.ofMillis(200), List.of(west)));
        // The upgraded controller on the same host.yaml (no clusterId) and node, killed before (no clean stop), which
        // no longer serves old.
        LinuxController after = new LinuxController(new HostConfig(new HostConfig.Epic(api, acme, "host-1",
            "host-password-1", null), node, "default", Duration.ofMillis(200), List.of(site, west)));
        String base = "/api/v1/accounts/" + acme;
        try {
            assertThat(before.declare()).isEmpty();
            assertThat(westHost.declare()).isEmpty();
            assertThat(json(get(base + "/services/site", user)).path("owner").asText()).isEqualTo(node.name());

            List<String> refused = after.declare();
            assertThat(refused).as("the upgraded host's refusals").hasSize(1);
            assertThat(refused.getFirst()).startsWith("Service west: ")
                .contains("belongs to workload cluster 'hosts-west'");
            assertThat(json(get(base + "/services/site", user)).path("owner").asText()).isEqualTo("linux-hosts");
            assertThat(json(get(base + "/endpointslices/site-upg-host-a", user)).path("owner").asText())
                .isEqualTo("linux-hosts");
            assertThat(get(base + "/endpointslices/old-upg-host-a", user).statusCode())
                .as("the slice of a service it no longer declares").isEqualTo(404);
            assertThat(json(get(base + "/services/west", user)).path("owner").asText()).isEqualTo("hosts-west");
            List<String> events = eventKeys(acme);
            after.declare();
            assertThat(eventKeys(acme)).as("heartbeats after that append nothing").hasSameSizeAs(events);
        } finally {
            after.close();
            westHost.close();
        }
    }

    /** A fresh account, the pool and template its gateways come from, and its API user controller's credentials. */
    private record ControllerAccount(String name, String pool, String template, String user) {}

    /**
     * Account {@code <prefix>-<random>} whose gateways come from a new template over a new pool of {@code range},
     * with the API user controller.
     */
    private static ControllerAccount controllerAccount(String prefix, String range, boolean shareable)
            throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String acme = prefix + "-" + suffix;
        String pool = "pool-" + suffix;
        String template = "tmpl-" + suffix;
        String admin = basic("admin@system", ADMIN_PASSWORD);
        expect(201, post("/api/v1/pools", "{\"pool\":\"" + pool + "\",\"ranges\":[\"" + range + "\"]}", admin));
        expect(201, post("/api/v1/templates", "{\"template\":\"" + template + "\",\"pool\":\"" + pool
            + "\",\"replicas\":1,\"shareable\":" + shareable + ",\"envoyBaseConfig\":\"{}\"}", admin));
        return new ControllerAccount(acme, pool, template, accountWithController(acme));
    }

    /** Creates account {@code account} with the API user controller; that user's credentials. */
    private static String accountWithController(String account) throws Exception {
        String admin = basic("admin@system", ADMIN_PASSWORD);
        expect(201, post("/api/v1/accounts", "{\"account\":\"" + account + "\"}", admin));
        expect(201, post("/api/v1/accounts/" + account + "/users",
            "{\"username\":\"controller\",\"password\":\"controller-password-1\"}", admin));
        return basic("controller@" + account, "controller-password-1");
    }

    /** An account with a pool, a template, a user host-1 and a gateway edge routing to Service site; its user. */
    private static String hostAccount(String acme, String range) throws Exception {
        String pool = "pool-" + acme;
        String template = "tmpl-" + acme;
        String admin = basic("admin@system", ADMIN_PASSWORD);
        expect(201, post("/api/v1/pools", "{\"pool\":\"" + pool + "\",\"ranges\":[\"" + range + "\"]}", admin));
        expect(201, post("/api/v1/templates", "{\"template\":\"" + template + "\",\"pool\":\"" + pool
            + "\",\"replicas\":1,\"shareable\":false,\"envoyBaseConfig\":\"{}\"}", admin));
        expect(201, post("/api/v1/accounts", "{\"account\":\"" + acme + "\"}", admin));
        expect(201, post("/api/v1/accounts/" + acme + "/users", "{\"username\":\"host-1\",\"password\":\"host-password-1\"}",
            admin));
        String user = basic("host-1@" + acme, "host-password-1");
        String base = "/api/v1/accounts/" + acme;
        expect(201, post(base + "/gateways", "{\"name\":\"edge\",\"template\":\"" + template
            + "\",\"listeners\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"HTTP\"}]}", user));
        expect(201, post(base + "/httproutes", "{\"name\":\"site\",\"parentRefs\":[{\"name\":\"edge\"}],"
            + "\"rules\":[{\"backendRefs\":[{\"name\":\"site\",\"port\":80}]}]}", user));
        return user;
    }

    /**
     * A gateway's Envoy as far as xDS goes: subscribes to listeners and clusters, then to the listeners' routes, and
     * ACKs everything it receives on its own thread, remembering the newest cluster names.
     */
    private static KubernetesController controller(KubernetesClient kube) {
        return new KubernetesController(kube, new KubernetesController.Settings(KubernetesController.CONTROLLER_NAME,
            Duration.ofMillis(50), Duration.ofMillis(300)));
    }


    private static void service(KubernetesClient kube, String namespace, String name, int port, int targetPort) {
        kube.services().inNamespace(namespace).resource(new ServiceBuilder().withNewMetadata().withName(name)
            .withNamespace(namespace).endMetadata().withNewSpec().addNewPort().withName("http").withPort(port)
            .withTargetPort(new IntOrString(targetPort)).withAppProtocol("http").endPort().endSpec().build()).create();
    }

    private static void slice(KubernetesClient kube, String namespace, String name, String service, String address) {
        kube.discovery().v1().endpointSlices().inNamespace(namespace).resource(new EndpointSliceBuilder()
            .withNewMetadata().withName(name).withNamespace(namespace)
            .addToLabels("kubernetes.io/service-name", service).endMetadata().withAddressType("IPv4")
            .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort()
            .addNewEndpoint().withAddresses(address).withNodeName("node-1").withNewConditions().withReady(true)
            .endConditions().endEndpoint().build()).create();
    }

    private static void route(KubernetesClient kube, String namespace, String name, String backendNamespace,
                              String backend, int port) {
        kube.resource(new HTTPRouteBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
            .withNewSpec().addNewParentRef().withName("web").endParentRef().withHostnames(name + ".example.com")
            .addNewRule().addNewBackendRef().withName(backend).withNamespace(backendNamespace).withPort(port)
            .endBackendRef().endRule().endSpec().build()).create();
    }

    private static Optional<Gateway> gateway(String name) {
        return Optional.ofNullable(kube.resources(Gateway.class).inNamespace("default").withName(name).get());
    }

    private static Optional<HTTPRoute> httpRoute(String namespace, String name) {
        return Optional.ofNullable(kube.resources(HTTPRoute.class).inNamespace(namespace).withName(name).get());
    }

    private static Condition condition(List<Condition> conditions, String type) {
        return conditions.stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
    }

    private static boolean isTrue(List<Condition> conditions, String type) {
        return conditions != null && conditions.stream().anyMatch(c -> c.getType().equals(type)
            && c.getStatus().equals("True"));
    }

    private static <T> T await(String what, Supplier<Optional<T>> probe) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<T> found = probe.get();
            if (found.isPresent()) {
                return found.get();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    /**
     * The keys of every committed event of the account on epic.events that the workload side causes, in log order per
     * partition: the provisioner's placement reports ({@code placement/...}) and the xds-projector's ACK reports
     * ({@code gatewayconfig/...}) come on their own schedules, after the gateway, and are not the controller's.
     */
    private static List<String> eventKeys(String account) {
        return eventKeys(key -> !key.startsWith("placement/") && !key.startsWith("gatewayconfig/")
            && key.contains("/" + account + "/") || ("account/" + account).equals(key));
    }

    /** The keys of the committed events on epic.events that {@code wanted} selects, in log order per partition. */
    private static List<String> eventKeys(java.util.function.Predicate<String> wanted) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
            new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.EVENTS).stream()
                .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<String> keys = new ArrayList<>();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.key() != null && wanted.test(r.key())) {
                        keys.add(r.key());
                    }
                });
            }
            return keys;
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> get(String path, String auth) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path))
                .header("Authorization", auth).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> post(String path, String body, String auth) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path))
            .header("Authorization", auth).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> delete(String path, String auth) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path))
            .header("Authorization", auth).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.uri() + " " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static JsonNode expect(int status, HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.uri() + " " + response.body()).isEqualTo(status);
        return JSON.readTree(response.body());
    }
}
