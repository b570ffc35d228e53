package org.epicgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code Idempotency-Key} on writes, against the real platform: a retried write is the same command (same answer,
 * one event), keys are scoped to the user, and a malformed key is refused before anything is sent.
 */
class IdempotencyKeyTest {
    private static final String KEY = HttpSupport.IDEMPOTENCY_KEY;
    private static ApiFixture f;
    private static String template;
    private static String a;
    private static String b;
    private static String alice;
    private static String bob;

    @BeforeAll
    static void setUp() throws Exception {
        f = ApiFixture.get();
        ApiFixture.Tenants t = f.twoTenants("198.18.0.0/28");
        template = t.template();
        a = t.a();
        b = t.b();
        alice = t.alice();
        bob = t.bob();
    }


    private static String gateway(String name) {
        return "{\"name\":\"" + name + "\",\"template\":\"" + template
            + "\",\"listeners\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"HTTP\"}]}";
    }

    private static Http.Response post(String path, String body, String auth, String key) {
        return f.http.sendWithHeaders("POST", path, body, auth, Map.of(KEY, key));
    }

    @Test
    void aRetriedCreateGetsTheSameAnswerAndAppendsOneEvent() {
        String gateways = "/api/v1/accounts/" + a + "/gateways";
        Http.Response first = ApiFixture.created(post(gateways, gateway("shop"), alice, "order-42:create.gw_1"));
        long afterFirst = EventLog.size(f);
        // Without the key this retry would be 409 (the gateway exists now); with it, it is the same command.
        Http.Response retry = ApiFixture.created(post(gateways, gateway("shop"), alice, "order-42:create.gw_1"));

        assertThat(retry.json()).isEqualTo(first.json());
        assertThat(retry.header("ETag")).isEqualTo(first.header("ETag")).isEqualTo("\"1\"");
        assertThat(retry.header("Location")).isEqualTo(first.header("Location"));
        String commandId = first.json().get("commandId").asText();
        assertThat(commandId).startsWith("idem-").hasSize("idem-".length() + 64);
        assertThat(EventLog.size(f)).as("events appended by the retry").isEqualTo(afterFirst);
        assertThat(EventLog.of(f, "gateway/" + a + "/default/shop")).singleElement()
            .satisfies(e -> assertThat(e.getCorrelationId()).isEqualTo(commandId));
    }

    @Test
    void aRetriedDeleteGetsTheSameAnswerInsteadOf404() {
        String gateways = "/api/v1/accounts/" + a + "/gateways";
        ApiFixture.created(f.http.post(gateways, gateway("gone"), alice));
        Map<String, String> key = Map.of(KEY, "delete-gone");
        Http.Response first = f.http.sendWithHeaders("DELETE", gateways + "/gone", null, alice, key);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        long afterFirst = EventLog.size(f);
        Http.Response retry = f.http.sendWithHeaders("DELETE", gateways + "/gone", null, alice, key);
        assertThat(retry.status()).as(retry.body()).isEqualTo(200);
        assertThat(retry.json()).isEqualTo(first.json());
        assertThat(EventLog.size(f)).isEqualTo(afterFirst);
        assertThat(EventLog.of(f, "gateway/" + a + "/default/gone")).extracting(e -> e.getPayload().getClass()
            .getSimpleName()).containsExactly("GatewayCreated", "GatewayDeleted");
    }

    @Test
    void theSameKeyFromAnotherTenantIsAnotherCommand() {
        Http.Response alices = ApiFixture.created(post("/api/v1/accounts/" + a + "/gateways", gateway("mine"), alice, "shared-key"));
        Http.Response bobs = ApiFixture.created(post("/api/v1/accounts/" + b + "/gateways", gateway("mine"), bob, "shared-key"));
        assertThat(bobs.json().get("commandId").asText()).isNotEqualTo(alices.json().get("commandId").asText());
        assertThat(bobs.json().get("aggregateId").asText()).isEqualTo("gateway/" + b + "/default/mine");
        assertThat(EventLog.of(f, "gateway/" + b + "/default/mine")).hasSize(1);
    }

    /** Issue 14: a key reused with a different body returned the first answer and did nothing; now it is 422. */
    @Test
    void theSameKeyWithAnotherBodyIs422AndAppendsNothing() {
        String gateways = "/api/v1/accounts/" + a + "/gateways";
        ApiFixture.created(post(gateways, gateway("first"), alice, "reused-key"));
        long before = EventLog.size(f);
        Http.Response other = post(gateways, gateway("second"), alice, "reused-key");
        assertThat(other.status()).as(other.body()).isEqualTo(422);
        assertThat(other.json().get("field").asText()).isEqualTo(KEY);
        assertThat(other.json().get("message").asText()).contains("different request");
        assertThat(EventLog.size(f)).isEqualTo(before);
        assertThat(f.http.get(gateways + "/second", alice).status()).isEqualTo(404);
        // Whitespace is not a different request.
        ApiFixture.created(post(gateways, " " + gateway("first").replace(",", ", "), alice, "reused-key"));
    }

    /** Issue 14: a key reused on another endpoint returned the first answer; now it is that endpoint's own command. */
    @Test
    void theSameKeyOnAnotherEndpointIsAnotherCommand() {
        String gateways = "/api/v1/accounts/" + a + "/gateways";
        Http.Response gw = ApiFixture.created(post(gateways, gateway("keyed"), alice, "one-key"));
        Http.Response slice = ApiFixture.created(post("/api/v1/accounts/" + a + "/endpointslices",
            "{\"name\":\"keyed\",\"serviceName\":\"web\"}", alice, "one-key"));
        assertThat(slice.json().get("commandId").asText()).isNotEqualTo(gw.json().get("commandId").asText());
        assertThat(slice.json().get("aggregateId").asText()).isEqualTo("endpointslice/" + a + "/default/keyed");
        Http.Response otherNamespace = ApiFixture.created(post(gateways + "?namespace=shop", gateway("keyed"), alice,
            "one-key"));
        assertThat(otherNamespace.json().get("aggregateId").asText()).isEqualTo("gateway/" + a + "/shop/keyed");
    }

    @Test
    void aMalformedKeyIs400NamingTheHeaderAndAppendsNothing() {
        for (String bad : new String[] {"", "has space", "slash/not-allowed", "x".repeat(129)}) {
            long before = EventLog.size(f);
            Http.Response r = post("/api/v1/accounts/" + a + "/gateways", gateway("bad-key"), alice, bad);
            assertThat(r.status()).as("key '%s': %s", bad, r.body()).isEqualTo(400);
            JsonNode body = r.json();
            assertThat(body.get("code").asText()).isEqualTo("BAD_REQUEST");
            assertThat(body.get("field").asText()).isEqualTo(KEY);
            assertThat(body.get("message").asText()).contains(KEY);
            assertThat(EventLog.size(f)).as("events appended for key '%s'", bad).isEqualTo(before);
        }
        assertThat(f.http.get("/api/v1/accounts/" + a + "/gateways/bad-key", alice).status()).isEqualTo(404);
        // The longest allowed key is accepted.
        ApiFixture.created(post("/api/v1/accounts/" + a + "/gateways", gateway("long-key"), alice, "k".repeat(128)));
    }

    @Test
    void theOpenApiDocumentOffersTheKeyOnCommandsOnly() {
        JsonNode doc = f.http.get("/api/v1/openapi.json", null).json();
        assertThat(doc.at("/paths/~1api~1v1~1accounts~1{account}~1gateways/post/parameters").findValuesAsText("name"))
            .contains(KEY);
        assertThat(doc.at("/paths/~1api~1v1~1accounts~1{account}~1gateways~1{name}/delete/parameters")
            .findValuesAsText("name")).contains(KEY);
        assertThat(doc.at("/paths/~1api~1v1~1tokens/post/parameters").findValuesAsText("name")).doesNotContain(KEY);
        assertThat(doc.at("/paths/~1api~1v1~1accounts~1{account}~1gateways/get/parameters").findValuesAsText("name"))
            .doesNotContain(KEY);
    }
}
