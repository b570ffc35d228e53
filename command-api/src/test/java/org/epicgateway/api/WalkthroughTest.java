package org.epicgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.GatewayCreated;
import org.junit.jupiter.api.Test;

/**
 * The README walkthrough against the real broker, registry and decider: the admin creates a pool, a template and an
 * account with an API user; the tenant creates a gateway that gets an address from the pool, an HTTP route and an
 * endpoint slice, reads them back at once, and finds them in /audit.
 */
class WalkthroughTest {

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
    }
}
