package org.epicgateway.cli.up;

import static io.envoyproxy.controlplane.cache.Resources.V3.CLUSTER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ROUTE_TYPE_URL;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.epicgateway.api.ApiConfig;
import org.epicgateway.api.ApiService;
import org.epicgateway.cli.AckingProxy;
import org.epicgateway.cli.Epic;
import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.platform.PlatformContext;
import org.epicgateway.platform.PlatformService;
import org.epicgateway.xds.AdsClient;
import org.epicgateway.xds.XdsService;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The services of `epic up`, wired as `up` wires them, on the real broker and registry: a tenant reads its gateway's
 * Envoy revisions and its command's receipt through the command API, listing the proxy (xds-projector's raw ADS
 * client) that ACKed the configuration; another tenant gets 403 for both. {@code ./epic xds watch} shows an operator
 * what a proxy of that gateway receives.
 */
class XdsOverApiTest {
    private static final String ADMIN_PASSWORD = "admin-password-1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newHttpClient();
    private int port;
    private int xdsPort;

    /** A test body run against the started services. */
    private interface Scenario {
        void run() throws Exception;
    }

    @Test
    void aTenantSeesItsGatewaysRevisionsAndItsCommandsReceiptAndNoOneElses() throws Exception {
        onPlatform(this::run);
    }

    /**
     * A gateway of acme shared with bank, all through REST: bank's route attaches by parentRefs[].account, a proxy of
     * acme's gateway receives bank's cluster (named with bank's account) and bank's endpoint, not acme's Service of
     * the same name; bank reads its route's status (and nothing of acme's routes), acme's own status does not list
     * bank's route; the revoke takes the cluster off the proxy and the status away from bank.
     */
    @Test
    void aGatewaySharedWithAnotherAccountServesItsRouteUntilRevoked() throws Exception {
        onPlatform(this::shared);
    }

    private void onPlatform(Scenario scenario) throws Exception {
        EmbeddedPlatform platform = EmbeddedPlatform.sharedForTests();
        PlatformContext context = new PlatformContext(platform.bootstrapServers(), platform.schemaRegistryUrl(),
            Files.createTempDirectory("epic-xds-over-api-"), platform.meters());
        ApiConfig api = new ApiConfig("127.0.0.1", 0, "system", "admin", ADMIN_PASSWORD, 4, Duration.ofSeconds(60),
            Duration.ofHours(1), 100_000);
        XdsService xds = new XdsService(new XdsService.Settings("127.0.0.1", 0, Optional.empty(), 10, 1000));
        List<PlatformService> services = Up.services(api, xds);
        List<PlatformService> started = new ArrayList<>();
        try {
            for (PlatformService s : services) {
                s.start(context);
                started.add(s);
            }
            port = services.stream().filter(ApiService.class::isInstance).map(ApiService.class::cast).findFirst().orElseThrow().port();
            xdsPort = xds.xdsPort();
            scenario.run();
        } finally {
            for (PlatformService s : started.reversed()) {
                s.close();
            }
        }
    }

    private void run() throws Exception {
        String admin = basic("admin@system", ADMIN_PASSWORD);
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String pool = "pool-" + suffix;
        String template = "tmpl-" + suffix;
        String acme = "acme-" + suffix;
        String other = "other-" + suffix;
        expect(201, post("/api/v1/pools", "{\"pool\":\"" + pool + "\",\"ranges\":[\"192.0.2.0/29\"]}", admin));
        expect(201, post("/api/v1/templates", "{\"template\":\"" + template + "\",\"pool\":\"" + pool
            + "\",\"replicas\":1,\"shareable\":false,\"envoyBaseConfig\":\"{}\"}", admin));
        for (String account : List.of(acme, other)) {
            expect(201, post("/api/v1/accounts", "{\"account\":\"" + account + "\"}", admin));
            expect(201, post("/api/v1/accounts/" + account + "/users",
                "{\"username\":\"alice\",\"password\":\"alice-password-1\"}", admin));
        }
        String alice = basic("alice@" + acme, "alice-password-1");
        String mallory = basic("alice@" + other, "alice-password-1");
        String base = "/api/v1/accounts/" + acme;
        expect(201, post(base + "/gateways", "{\"name\":\"web\",\"template\":\"" + template
            + "\",\"listeners\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"HTTP\"}]}", alice));
        String routeCommand = expect(201, post(base + "/httproutes", """
            {"name":"web","parentRefs":[{"name":"web"}],"hostnames":["www.example.com"],
             "rules":[{"matches":[{"path":{"type":"PATH_PREFIX","value":"/"}}],
                       "backendRefs":[{"name":"web","port":8080}]}]}""", alice)).get("commandId").asText();

        // The derivation and the projector run asynchronously: wait (generously) for the route's revision.
        String revisions = base + "/gateways/default/web/revisions";
        JsonNode history = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            history = expect(200, get(revisions, alice));
            if (history.toString().contains(routeCommand)) {
                break;
            }
            Thread.sleep(200);
        }
        assertThat(history.get(0).get("sourceCommandIds")).as(history.toString())
            .extracting(JsonNode::asText).contains(routeCommand);
        assertThat(history.get(0).get("served").asBoolean()).isTrue();
        assertThat(history.get(0).get("version").asText()).isNotBlank();
        assertThat(history.get(0).get("runningOn")).as("no proxy is connected").isEmpty();

        JsonNode receipt = expect(200, get("/api/v1/receipts/" + routeCommand, alice));
        assertThat(receipt.get("commandId").asText()).isEqualTo(routeCommand);
        assertThat(receipt.get("acked")).as("no proxy has ACKed yet").isEmpty();

        // A proxy of the gateway fetches listeners, clusters and routes and ACKs them: it now runs the revision.
        String node = "gateway/" + acme + "/default/web~envoy-0";
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", xdsPort,
            InsecureChannelCredentials.create()).build();
        try (AdsClient envoy = AdsClient.sotw(channel, node)) {
            envoy.request(LISTENER_TYPE_URL, List.of(), "", "");
            DiscoveryResponse lds = envoy.response();
            List<String> routeNames = List.of(lds.getResources(0).unpack(Listener.class).getFilterChains(0)
                .getFilters(0).getTypedConfig().unpack(HttpConnectionManager.class).getRds().getRouteConfigName());
            envoy.ack(lds, List.of());
            envoy.request(CLUSTER_TYPE_URL, List.of(), "", "");
            envoy.ack(envoy.response(), List.of());
            envoy.request(ROUTE_TYPE_URL, routeNames, "", "");
            envoy.ack(envoy.response(), routeNames);

            deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && receipt.get("acked").isEmpty()) {
                Thread.sleep(100);
                receipt = expect(200, get("/api/v1/receipts/" + routeCommand, alice));
            }
            assertThat(receipt.get("acked")).as(receipt.toString()).extracting(a -> a.get("nodeId").asText())
                .containsExactly(node);
            assertThat(receipt.at("/acked/0/gatewayId").asText()).isEqualTo("gateway/" + acme + "/default/web");
            assertThat(expect(200, get(revisions, alice)).at("/0/runningOn")).extracting(JsonNode::asText)
                .containsExactly(node);
        } finally {
            channel.shutdownNow();
        }
        expect(200, get("/api/v1/receipts/" + routeCommand, admin));

        StringWriter watched = new StringWriter();
        int exit = new CommandLine(new Epic()).setOut(new PrintWriter(watched)).execute("xds", "watch",
            "--server", "127.0.0.1:" + xdsPort, "--node", "gateway/" + acme + "/default/web~watch", "--responses", "3");
        assertThat(exit).as(watched.toString()).isZero();
        assertThat(watched.toString()).as("listeners, clusters, then the listener's routes")
            .containsPattern("Listener version \\S+: \\[\\S+]")
            .contains("Cluster version ")
            .containsPattern("RouteConfiguration version \\S+: \\[\\S+]");

        assertThat(get(revisions, mallory).statusCode()).isEqualTo(403);
        assertThat(get("/api/v1/receipts/" + routeCommand, mallory).statusCode()).isEqualTo(403);
        assertThat(get(revisions, null).statusCode()).isEqualTo(401);
        assertThat(expect(404, get(base + "/gateways/default/nosuch/revisions", alice)).get("message").asText())
            .contains("gateway/" + acme + "/default/nosuch");
        assertThat(get("/api/v1/receipts/no-such-command-" + suffix, alice).statusCode()).isEqualTo(404);
    }

    private void shared() throws Exception {
        String admin = basic("admin@system", ADMIN_PASSWORD);
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String pool = "pool-" + suffix;
        String template = "shared-" + suffix;
        String acme = "acme-" + suffix;
        String bank = "bank-" + suffix;
        expect(201, post("/api/v1/pools", "{\"pool\":\"" + pool + "\",\"ranges\":[\"192.0.2.8/29\"]}", admin));
        expect(201, post("/api/v1/templates", "{\"template\":\"" + template + "\",\"pool\":\"" + pool
            + "\",\"replicas\":1,\"shareable\":true,\"envoyBaseConfig\":\"{}\"}", admin));
        for (String account : List.of(acme, bank)) {
            expect(201, post("/api/v1/accounts", "{\"account\":\"" + account + "\"}", admin));
            expect(201, post("/api/v1/accounts/" + account + "/users",
                "{\"username\":\"alice\",\"password\":\"alice-password-1\"}", admin));
        }
        String owner = basic("alice@" + acme, "alice-password-1");
        String grantee = basic("alice@" + bank, "alice-password-1");
        String service = "{\"name\":\"web\",\"ports\":[{\"name\":\"http\",\"port\":8080}]}";
        String slice = """
            {"name":"web-1","serviceName":"web","ports":[{"name":"http","port":8080,"protocol":"TCP"}],
             "endpoints":[{"addresses":["%s"],"conditions":{"ready":true}}]}""";
        expect(201, post("/api/v1/accounts/" + acme + "/gateways", "{\"name\":\"public\",\"template\":\""
            + template + "\",\"listeners\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"HTTP\","
            + "\"allowedRoutes\":{\"namespacesFrom\":\"ALL\"}}]}", owner));
        expect(201, post("/api/v1/accounts/" + acme + "/services", service, owner));
        expect(201, post("/api/v1/accounts/" + acme + "/endpointslices", slice.formatted("10.9.9.9"), owner));
        expect(201, post("/api/v1/accounts/" + bank + "/services", service, grantee));
        expect(201, post("/api/v1/accounts/" + bank + "/endpointslices", slice.formatted("10.1.0.5"), grantee));
        String grant = "/api/v1/accounts/" + acme + "/gateways/default/public/sharing/" + bank;
        expect(200, send("PUT", grant, owner));
        expect(201, post("/api/v1/accounts/" + bank + "/httproutes", """
            {"name":"web","parentRefs":[{"account":"%s","name":"public"}],"hostnames":["bank.example.com"],
             "rules":[{"backendRefs":[{"name":"web","port":8080}]}]}""".formatted(acme), grantee));

        String cluster = bank + "/default/web:8080";
        String sharedStatus = "/api/v1/accounts/" + bank + "/shared-gateways/" + acme + "/default/public/status";
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", xdsPort,
            InsecureChannelCredentials.create()).build();
        try (AckingProxy proxy = new AckingProxy(AdsClient.sotw(channel, "gateway/" + acme + "/default/public~envoy-0"))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (System.nanoTime() < deadline && !proxy.endpoints.containsKey(cluster)) {
                Thread.sleep(100);
            }
            assertThat(proxy.clusters).as("acme's proxy gets bank's cluster, named with bank's account")
                .containsExactly(cluster);
            assertThat(proxy.endpoints.get(cluster)).as("bank's endpoint, never acme's Service of the same name")
                .singleElement().asString().contains("10.1.0.5");

            JsonNode status = expect(200, get(sharedStatus, grantee));
            assertThat(status.get("addresses")).isNotEmpty();
            assertThat(status.has("listeners")).as("nothing of acme's listeners").isFalse();
            assertThat(status.get("routes")).singleElement().satisfies(r -> {
                assertThat(r.get("name").asText()).isEqualTo("web");
                assertThat(r.at("/parentRef/account").asText()).isEqualTo(acme);
                assertThat(r.at("/conditions/0/type").asText()).isEqualTo("Accepted");
                assertThat(r.at("/conditions/0/status").asText()).as(r.toString()).isEqualTo("True");
                assertThat(r.at("/conditions/1/type").asText()).isEqualTo("ResolvedRefs");
                assertThat(r.at("/conditions/1/status").asText()).as(r.toString()).isEqualTo("True");
            });
            assertThat(expect(200, get("/api/v1/accounts/" + acme + "/gateways/default/public/status", owner))
                .get("routes")).as("bank's route is bank's to see").isEmpty();
            assertThat(get("/api/v1/accounts/" + acme + "/shared-gateways/" + acme + "/default/public/status", grantee)
                .statusCode()).as("bank may not read as acme").isEqualTo(403);

            expect(200, send("DELETE", grant, owner));
            deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && proxy.clusters.contains(cluster)) {
                Thread.sleep(100);
            }
            assertThat(proxy.clusters).as("the revoke detaches bank's route").doesNotContain(cluster);
            assertThat(expect(404, get(sharedStatus, grantee)).get("message").asText())
                .contains("is shared with account '" + bank + "'");
        } finally {
            channel.shutdownNow();
        }
    }

    private HttpResponse<String> send(String method, String path, String auth) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", auth).method(method, HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> get(String path, String auth) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body, String auth) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", auth).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode expect(int status, HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.uri() + " " + response.body()).isEqualTo(status);
        return JSON.readTree(response.body());
    }
}
