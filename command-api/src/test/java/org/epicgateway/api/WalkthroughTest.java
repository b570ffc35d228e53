package org.epicgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.epicgateway.schemas.avro.Actor;
import org.epicgateway.schemas.avro.ActorKind;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.CommandResult;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.GatewayCreated;
import org.epicgateway.schemas.avro.NodeHeartbeat;
import org.epicgateway.schemas.avro.NodeKind;
import org.epicgateway.schemas.avro.ReportReplicaLost;
import org.epicgateway.schemas.avro.ReportReplicaPlaced;
import org.junit.jupiter.api.Test;

/**
 * The README walkthrough against the real broker, registry and decider: the admin creates a pool, a template and an
 * account with an API user; the tenant creates a gateway that gets an address from the pool, an HTTP route and an
 * endpoint slice, reads them back at once, and finds them in /audit.
 */
class WalkthroughTest {

    private static void report(String target, Object payload) throws Exception {
        CommandEnvelope c = CommandEnvelope.newBuilder().setCommandId(ApiFixture.unique("report"))
            .setActor(new Actor(ActorKind.AGENT, "provisioner", null)).setTargetAggregateId(target)
            .setTimestamp(Instant.ofEpochMilli(System.currentTimeMillis())).setPayload(payload).build();
        CommandResult result = ApiFixture.get().decider.commandBus().submit(c, Duration.ofSeconds(30)).get();
        assertThat(result.getAccepted()).as("%s", result.getRejection()).isTrue();
    }

    @Test
    void adminSetsUpTenantWhoCreatesGatewayRouteAndSliceAndSeesThemInAudit() throws Exception {
        ApiFixture f = ApiFixture.get();
        Http http = f.http;
        String pool = ApiFixture.unique("pool");
        String template = ApiFixture.unique("tmpl");
        String account = ApiFixture.unique("acme");
        String alice = Http.basic("alice@" + account, "alice-password-1");

        Http.Response r = http.post("/api/v1/pools",
            "{\"pool\":\"" + pool + "\",\"ranges\":[\"192.0.2.0/29\"]}", ApiFixture.ADMIN);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().get("aggregateId").asText()).isEqualTo("pool/" + pool);
        assertThat(r.json().get("version").asLong()).isEqualTo(1);
        assertThat(r.json().get("commandId").asText()).isNotBlank();

        r = http.post("/api/v1/templates", "{\"template\":\"" + template + "\",\"pool\":\"" + pool
            + "\",\"replicas\":2,\"shareable\":false,\"envoyBaseConfig\":\"{}\"}", ApiFixture.ADMIN);
        assertThat(r.status()).as(r.body()).isEqualTo(201);

        r = http.post("/api/v1/accounts", "{\"account\":\"" + account + "\",\"displayName\":\"Acme\"}", ApiFixture.ADMIN);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        r = http.post("/api/v1/accounts/" + account + "/users",
            "{\"username\":\"alice\",\"password\":\"alice-password-1\"}", ApiFixture.ADMIN);
        assertThat(r.status()).as(r.body()).isEqualTo(201);

        String base = "/api/v1/accounts/" + account;
        r = http.post(base + "/gateways", "{\"name\":\"web\",\"template\":\"" + template
            + "\",\"listeners\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"HTTP\"}]}", alice);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.header("Location")).isEqualTo(base + "/gateways/web?namespace=default");
        long gatewayVersion = r.json().get("version").asLong();

        // Read-your-write: the gateway is there at once, with an address from the pool.
        r = http.get(base + "/gateways/web", alice);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.header("ETag")).isEqualTo("\"" + gatewayVersion + "\"");
        JsonNode gateway = r.json().get("spec");
        assertThat(gateway.get("address").asText()).matches("192\\.0\\.2\\.[0-7]");
        assertThat(gateway.get("listeners").get(0).get("port").asInt()).isEqualTo(80);
        assertThat(r.json().at("/placement/readyReplicas").asInt()).isZero();
        assertThat(r.json().at("/placement/problem").isNull()).isTrue();


        r = http.post(base + "/httproutes", """
            {"name":"web","parentRefs":[{"name":"web"}],"hostnames":["www.example.com"],
             "rules":[{"matches":[{"path":{"type":"PATH_PREFIX","value":"/"}}],
                       "backendRefs":[{"name":"web","port":8080}]}]}""", alice);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        r = http.post(base + "/endpointslices", """
            {"name":"web-1","serviceName":"web","ports":[{"name":"http","port":8080,"protocol":"TCP"}],
             "endpoints":[{"addresses":["10.1.0.5"],"conditions":{"ready":true},
                           "nodeName":"node-1","nodeAddress":"198.51.100.7"}]}""", alice);
        assertThat(r.status()).as(r.body()).isEqualTo(201);

        r = http.get(base + "/httproutes/web", alice);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().at("/spec/rules/0/backendRefs/0/port").asInt()).isEqualTo(8080);
        assertThat(r.json().at("/spec/rules/0/backendRefs/0/weight").asInt()).isEqualTo(1);
        r = http.get(base + "/endpointslices?namespace=default", alice);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("items")).hasSize(1);
        assertThat(r.json().at("/items/0/spec/endpoints/0/nodeAddress").asText()).isEqualTo("198.51.100.7");
        r = http.get(base + "/gateways", alice);
        assertThat(r.json().get("items")).extracting(i -> i.get("aggregateId").asText())
            .containsExactly("gateway/" + account + "/default/web");

        // The event is on epic.events, by the tenant, with the allocated address.
        List<EventEnvelope> events = EventLog.of(f, "gateway/" + account + "/default/web");
        assertThat(events).hasSize(1);
        assertThat(events.get(0).getActor().getId()).isEqualTo("alice@" + account);
        assertThat(((GatewayCreated) events.get(0).getPayload()).getAddress()).isEqualTo(gateway.get("address").asText());

        // The tenant's audit: its own events, newest first, with the tenant as actor.
        r = http.get("/api/v1/audit?limit=50", alice);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        List<String> types = new ArrayList<>();
        Instant previous = Instant.MAX;
        for (JsonNode e : r.json().get("items")) {
            assertThat(e.get("account").asText()).isEqualTo(account);
            Instant at = Instant.parse(e.get("timestamp").asText());
            assertThat(at).isBeforeOrEqualTo(previous);
            previous = at;
            types.add(e.get("type").asText());
        }
        assertThat(types).startsWith("EndpointSliceUpserted", "HttpRouteUpserted", "GatewayCreated");
        assertThat(types).contains("AddressAllocated", "ApiUserAdded", "AccountCreated");
        assertThat(r.json().at("/items/0/actor/id").asText()).isEqualTo("alice@" + account);
        assertThat(r.body()).doesNotContain("passwordHash").doesNotContain("$2a$");

        r = http.get("/api/v1/audit?aggregate=gateway/" + account + "/default/web", alice);
        assertThat(r.json().get("items")).extracting(i -> i.get("type").asText()).containsExactly("GatewayCreated");

        // The provisioner's reports (commands by an agent) show in the gateway's placement, the reason verbatim.
        String node = ApiFixture.unique("epic");
        String gatewayId = "gateway/" + account + "/default/web";
        String placement = "placement/" + account + "/default/web";
        String noEnvoy = "no envoy binary on PATH: the local provider runs Envoy only";
        report("node/" + node, new NodeHeartbeat(node, NodeKind.EPIC, List.of("172.16.0.9"), "eth0", null, null));
        report(placement, new ReportReplicaPlaced(gatewayId, "r0", node, "local", null));
        report(placement, new ReportReplicaLost(gatewayId, "r0", node, noEnvoy));
        r = http.get(base + "/gateways/web", alice);
        assertThat(r.json().at("/placement/problem/reason").asText()).isEqualTo(noEnvoy);
        assertThat(r.json().at("/placement/problem/node").asText()).isEqualTo(node);
        assertThat(r.json().at("/placement/replicas").size()).isZero();
        r = http.get("/api/v1/audit?aggregate=" + placement, alice);
        assertThat(r.json().get("items")).extracting(i -> i.get("type").asText())
            .containsExactly("ReplicaLost", "ReplicaPlaced");
    }
}
