package org.epicgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Error codes and tenant isolation against the real platform. Every refused request is also checked to have
 * appended nothing to epic.events.
 */
class ErrorsAndIsolationTest {
    private static final String LISTENERS = "\"listeners\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"HTTP\"}]";
    private static ApiFixture f;
    private static String template;
    private static String a;
    private static String b;
    private static String alice;
    private static String bob;

    @BeforeAll
    static void setUp() throws Exception {
        f = ApiFixture.get();
        ApiFixture.Tenants t = f.twoTenants("203.0.113.0/28");
        template = t.template();
        a = t.a();
        b = t.b();
        alice = t.alice();
        bob = t.bob();
        ApiFixture.created(f.http.post("/api/v1/accounts/" + a + "/gateways",
            "{\"name\":\"gw\",\"template\":\"" + template + "\"," + LISTENERS + "}", alice));
    }

    /** Runs a request that must be refused with {@code status} and {@code code}, and must append no event. */
    private static JsonNode refused(int status, String code, java.util.function.Supplier<Http.Response> request) {
        long before = EventLog.size(f);
        Http.Response r = request.get();
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        JsonNode body = r.json();
        assertThat(body.get("code").asText()).isEqualTo(code);
        assertThat(body.get("message").asText()).isNotBlank();
        assertThat(EventLog.size(f)).as("events appended by a refused request").isEqualTo(before);
        return body;
    }

    @Test
    void aTenantCannotReadOrChangeAnotherAccountsResources() {
        String gw = "/api/v1/accounts/" + a + "/gateways/gw";
        refused(403, "FORBIDDEN", () -> f.http.get(gw, bob));
        refused(403, "FORBIDDEN", () -> f.http.get("/api/v1/accounts/" + a + "/gateways", bob));
        refused(403, "FORBIDDEN", () -> f.http.put(gw, "{" + LISTENERS + "}", bob, null));
        refused(403, "FORBIDDEN", () -> f.http.delete(gw, bob, null));
        refused(403, "FORBIDDEN", () -> f.http.post("/api/v1/accounts/" + a + "/gateways",
            "{\"name\":\"evil\",\"template\":\"" + template + "\"," + LISTENERS + "}", bob));
        refused(403, "FORBIDDEN", () -> f.http.get("/api/v1/accounts/" + a, bob));
        refused(403, "FORBIDDEN", () -> f.http.get("/api/v1/accounts/" + a + "/users", bob));
        refused(403, "FORBIDDEN", () -> f.http.get("/api/v1/audit?account=" + a, bob));
        // A missing resource in another account is 403 as well: existence does not leak.
        refused(403, "FORBIDDEN", () -> f.http.get("/api/v1/accounts/" + a + "/gateways/nope", bob));

        // Bob's own audit shows none of alice's events; alice's gateway is untouched.
        Http.Response audit = f.http.get("/api/v1/audit?limit=500", bob);
        assertThat(audit.status()).isEqualTo(200);
        assertThat(audit.json().get("items")).isNotEmpty()
            .allSatisfy(e -> assertThat(e.get("account").asText()).isEqualTo(b));
        assertThat(f.http.get(gw, alice).json().get("version").asLong()).isEqualTo(1);
    }

    @Test
    void tenantsCannotUseAdminResources() {
        refused(403, "FORBIDDEN", () -> f.http.post("/api/v1/pools", "{\"pool\":\"p\",\"ranges\":[]}", bob));
        refused(403, "FORBIDDEN", () -> f.http.get("/api/v1/accounts", bob));
        refused(403, "FORBIDDEN", () -> f.http.post("/api/v1/accounts/" + b + "/users",
            "{\"username\":\"eve\",\"password\":\"eve-password-1\",\"roles\":[\"admin\"]}", bob));
        refused(403, "FORBIDDEN", () -> f.http.put("/api/v1/accounts/" + b + "/quota", "{\"maxGateways\":100}", bob, null));
    }

    @Test
    void authenticationFailuresAre401WithAChallenge() {
        String gws = "/api/v1/accounts/" + b + "/gateways";
        refused(401, "UNAUTHORIZED", () -> f.http.get(gws, null));
        refused(401, "UNAUTHORIZED", () -> f.http.get(gws, Http.basic("bob@" + b, "wrong-password")));
        refused(401, "UNAUTHORIZED", () -> f.http.get(gws, Http.basic("nobody@" + b, "bob-password-1")));
        refused(401, "UNAUTHORIZED", () -> f.http.get(gws, Http.basic("bob", "bob-password-1")));
        refused(401, "UNAUTHORIZED", () -> f.http.get(gws, "Basic !!!"));
        refused(401, "UNAUTHORIZED", () -> f.http.get(gws, "Digest abc"));
        assertThat(f.http.get(gws, null).header("WWW-Authenticate")).contains("Basic");
    }

    @Test
    void malformedInputIs400NamingTheProblem() {
        String gws = "/api/v1/accounts/" + b + "/gateways";
        refused(400, "MALFORMED_JSON", () -> f.http.post(gws, "{\"name\":", bob));
        refused(400, "BAD_REQUEST", () -> f.http.post(gws, "", bob));
        refused(400, "BAD_REQUEST", () -> f.http.post(gws, "[1,2]", bob));
        JsonNode unknown = refused(400, "BAD_REQUEST", () -> f.http.post(gws, "{\"name\":\"x\",\"template\":\""
            + template + "\",\"listeners\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"HTTP\",\"prot\":1}]}", bob));
        assertThat(unknown.get("field").asText()).isEqualTo("listeners[0].prot");
        JsonNode type = refused(400, "BAD_REQUEST", () -> f.http.post(gws, "{\"name\":\"x\",\"template\":\""
            + template + "\",\"listeners\":[{\"name\":\"http\",\"port\":\"eighty\",\"protocol\":\"HTTP\"}]}", bob));
        assertThat(type.get("field").asText()).isEqualTo("listeners[0].port");
        JsonNode enumValue = refused(400, "BAD_REQUEST", () -> f.http.post(gws, "{\"name\":\"x\",\"template\":\""
            + template + "\",\"listeners\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"QUIC\"}]}", bob));
        assertThat(enumValue.get("message").asText()).contains("HTTP", "HTTPS", "TLS", "TCP");
        JsonNode missing = refused(400, "BAD_REQUEST", () -> f.http.post(gws, "{\"name\":\"x\"," + LISTENERS + "}", bob));
        assertThat(missing.get("field").asText()).isEqualTo("template");
        refused(400, "BAD_REQUEST", () -> f.http.get(gws + "?limit=0", bob));
        refused(400, "BAD_REQUEST", () -> f.http.get("/api/v1/audit?from=yesterday", bob));
        refused(400, "BAD_REQUEST", () -> f.http.get("/api/v1/audit?cursor=@@@", bob));
        refused(400, "BAD_REQUEST", () -> f.http.put("/api/v1/accounts/" + a + "/gateways/gw", "{" + LISTENERS + "}",
            alice, "version-7"));
        JsonNode mismatch = refused(400, "BAD_REQUEST", () -> f.http.send("PUT",
            "/api/v1/accounts/" + b + "/httproutes/r1?namespace=ns1", "{\"namespace\":\"ns2\"}", bob, null));
        assertThat(mismatch.get("field").asText()).isEqualTo("namespace");
    }

    @Test
    void aBodyOverOneMebibyteIs413() {
        String big = "{\"name\":\"" + "x".repeat((int) CommandApi.MAX_BODY_BYTES) + "\"}";
        refused(413, "BODY_TOO_LARGE", () -> f.http.post("/api/v1/accounts/" + b + "/gateways", big, bob));
    }

    @Test
    void semanticallyInvalidCommandsAre422FromTheDeciderAndAppendNothing() {
        String gws = "/api/v1/accounts/" + b + "/gateways";
        JsonNode port = refused(422, "VALIDATION", () -> f.http.post(gws, "{\"name\":\"bad\",\"template\":\"" + template
            + "\",\"listeners\":[{\"name\":\"http\",\"port\":70000,\"protocol\":\"HTTP\"}]}", bob));
        assertThat(port.get("field").asText()).isEqualTo("listeners[0].port");
        JsonNode name = refused(422, "VALIDATION", () -> f.http.post(gws, "{\"name\":\"Not_A_Name\",\"template\":\""
            + template + "\"," + LISTENERS + "}", bob));
        assertThat(name.get("message").asText()).contains("Not_A_Name");
        JsonNode ref = refused(422, "NOT_FOUND", () -> f.http.post(gws, "{\"name\":\"orphan\",\"template\":\"no-such-template\","
            + LISTENERS + "}", bob));
        assertThat(ref.get("field").asText()).isEqualTo("template");
        refused(422, "VALIDATION", () -> f.http.post("/api/v1/accounts/" + b + "/users",
            "{\"username\":\"short\",\"password\":\"123\"}", ApiFixture.ADMIN));
    }

    @Test
    void missingInOwnAccountIs404UnknownRoutes404AndWrongMethods405() {
        refused(404, "NOT_FOUND", () -> f.http.get("/api/v1/accounts/" + b + "/gateways/nope", bob));
        refused(404, "NOT_FOUND", () -> f.http.delete("/api/v1/accounts/" + b + "/tcproutes/nope", bob, null));
        refused(404, "NOT_FOUND", () -> f.http.get("/api/v1/no-such-thing", bob));
        refused(405, "METHOD_NOT_ALLOWED", () -> f.http.delete("/api/v1/pools/any", ApiFixture.ADMIN, null));
    }

    @Test
    void duplicatesAndStaleVersionsAre409AndIfMatchMakesWritesConditional() {
        String gws = "/api/v1/accounts/" + b + "/gateways";
        ApiFixture.created(f.http.post(gws, "{\"name\":\"edge\",\"template\":\"" + template + "\"," + LISTENERS + "}", bob));
        refused(409, "CONFLICT", () -> f.http.post(gws, "{\"name\":\"edge\",\"template\":\"" + template + "\","
            + LISTENERS + "}", bob));
        String edge = gws + "/edge";
        String etag = f.http.get(edge, bob).header("ETag");
        assertThat(etag).isEqualTo("\"1\"");
        String twoListeners = "{\"listeners\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"HTTP\"},"
            + "{\"name\":\"tcp\",\"port\":5432,\"protocol\":\"TCP\"}]}";
        refused(409, "CONFLICT", () -> f.http.put(edge, twoListeners, bob, "\"7\""));
        Http.Response ok = f.http.put(edge, twoListeners, bob, etag);
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(ok.json().get("version").asLong()).isEqualTo(2);
        assertThat(ok.header("ETag")).isEqualTo("\"2\"");
        assertThat(f.http.get(edge, bob).json().at("/spec/listeners/1/port").asInt()).isEqualTo(5432);
        // The old version is stale now.
        refused(409, "CONFLICT", () -> f.http.delete(edge, bob, etag));

        Http.Response deleted = f.http.delete(edge, bob, "\"2\"");
        assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
        refused(404, "NOT_FOUND", () -> f.http.get(edge, bob));
        assertThat(f.http.get(gws, bob).json().get("items")).isEmpty();
        // Re-creating a deleted gateway continues its event chain.
        Http.Response again = f.http.post(gws, "{\"name\":\"edge\",\"template\":\"" + template + "\"," + LISTENERS + "}", bob);
        assertThat(again.status()).as(again.body()).isEqualTo(201);
        assertThat(again.json().get("version").asLong()).isGreaterThan(3);
    }

    @Test
    void theQuotaIsEnforcedAs409() {
        String c = ApiFixture.unique("c");
        String carol = Http.basic("carol@" + c, "carol-password-1");
        ApiFixture.created(f.http.post("/api/v1/accounts", "{\"account\":\"" + c + "\"}", ApiFixture.ADMIN));
        ApiFixture.created(f.http.post("/api/v1/accounts/" + c + "/users",
            "{\"username\":\"carol\",\"password\":\"carol-password-1\"}", ApiFixture.ADMIN));
        Http.Response quota = f.http.put("/api/v1/accounts/" + c + "/quota", "{\"maxGateways\":1}", ApiFixture.ADMIN, null);
        assertThat(quota.status()).as(quota.body()).isEqualTo(200);
        assertThat(f.http.get("/api/v1/accounts/" + c, carol).json().at("/spec/maxGateways").asInt()).isEqualTo(1);
        String gws = "/api/v1/accounts/" + c + "/gateways";
        ApiFixture.created(f.http.post(gws, "{\"name\":\"one\",\"template\":\"" + template + "\"," + LISTENERS + "}", carol));
        refused(409, "QUOTA_EXCEEDED", () -> f.http.post(gws, "{\"name\":\"two\",\"template\":\"" + template + "\","
            + LISTENERS + "}", carol));
    }
}
