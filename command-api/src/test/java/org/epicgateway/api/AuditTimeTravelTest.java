package org.epicgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** {@code /audit/replay} and {@code /audit/diff} over the real broker, registry and decider. */
class AuditTimeTravelTest {

    @Test
    void aTenantReplaysAndDiffsItsGatewayAndNothingElse() throws Exception {
        ApiFixture f = ApiFixture.get();
        Http http = f.http;
        ApiFixture.Tenants tenants = f.twoTenants("198.51.100.0/29");
        String account = tenants.a();
        String other = tenants.b();
        String alice = tenants.alice();
        String bob = tenants.bob();
        String base = "/api/v1/accounts/" + account;
        assertThat(http.post(base + "/gateways", "{\"name\":\"web\",\"template\":\"" + tenants.template()
            + "\",\"listeners\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"HTTP\"}]}", alice).status()).isEqualTo(201);
        String route = """
            {"name":"web","parentRefs":[{"name":"web"}],"hostnames":["www.example.com"],
             "rules":[{"matches":[{"path":{"type":"PATH_PREFIX","value":"%s"}}],"backendRefs":[{"name":"web","port":8080}]}]}""";
        assertThat(http.post(base + "/httproutes", route.formatted("/"), alice).status()).isEqualTo(201);
        assertThat(http.post(base + "/endpointslices", """
            {"name":"web-1","serviceName":"web","ports":[{"name":"http","port":8080,"protocol":"TCP"}],
             "endpoints":[{"addresses":["10.1.0.5"],"conditions":{"ready":true}}]}""", alice).status()).isEqualTo(201);
        Thread.sleep(20);
        Instant between = Instant.now();
        Thread.sleep(20);
        Http.Response put = http.put(base + "/httproutes/web", route.formatted("/v2"), alice, null);
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        String changedBy = put.json().get("commandId").asText();
        Instant after = Instant.now().plusSeconds(1);

        Http.Response r = http.get("/api/v1/audit/replay?at=" + between + "&gateway=web", alice);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("aggregates")).extracting(a -> a.get("aggregateId").asText())
            .containsExactly("endpointslice/" + account + "/default/web-1", "gateway/" + account + "/default/web",
                "httproute/" + account + "/default/web");
        assertThat(r.json().at("/aggregates/2/resource/rules/0/matches/0/path/value").asText()).isEqualTo("/");
        JsonNode envoy = r.json().at("/gateways/0/envoy");
        assertThat(envoy.get("listeners")).hasSize(1);
        assertThat(envoy.get("clusters")).hasSize(1);

        r = http.get("/api/v1/audit/diff?from=" + between + "&to=" + after + "&gateway=default/web", alice);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode change = r.json().at("/changes/0");
        assertThat(r.json().get("changes")).hasSize(1);
        assertThat(change.get("aggregateId").asText()).isEqualTo("httproute/" + account + "/default/web");
        assertThat(change.at("/fields/0/path").asText()).isEqualTo("rules[0].matches[0].path.value");
        assertThat(change.at("/fields/0/after").asText()).isEqualTo("/v2");
        assertThat(change.at("/causes/0/commandId").asText()).isEqualTo(changedBy);
        assertThat(change.at("/causes/0/actor").asText()).isEqualTo("USER:alice@" + account);

        // The account as replayed carries its users; their password hashes never leave the API.
        r = http.get("/api/v1/audit/replay?at=" + after, alice);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("aggregates")).extracting(a -> a.get("aggregateId").asText())
            .contains("account/" + account).doesNotContain("account/" + other).noneMatch(id -> id.startsWith("pool/"));
        assertThat(r.body()).contains("\"username\":\"alice\"").doesNotContain("passwordHash").doesNotContain("$2a$");

        // Another tenant may not look at this gateway; bad instants are 400.
        r = http.get("/api/v1/audit/replay?at=" + after + "&gateway=" + account + "/default/web", bob);
        assertThat(r.status()).as(r.body()).isEqualTo(403);
        r = http.get("/api/v1/audit/replay?gateway=web", alice);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("field").asText()).isEqualTo("at");
        r = http.get("/api/v1/audit/diff?from=" + after + "&to=" + between, alice);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("message").asText()).contains("must be after");
    }
}
