package org.epicgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sharing a gateway with another account over REST on the real platform: only the owner grants (403 for anyone
 * else), the grant shows on the gateway, the grantee's route names the gateway with parentRefs[].account and is
 * refused naming the missing grant before it and after a revoke; refusals append nothing.
 */
class SharingApiTest {
    private static ApiFixture f;
    private static ApiFixture.Tenants t;
    private static String shared;

    @BeforeAll
    static void setUp() throws Exception {
        f = ApiFixture.get();
        t = f.twoTenants("198.18.14.0/29");
        shared = ApiFixture.unique("shared");
        ApiFixture.created(f.http.post("/api/v1/templates", "{\"template\":\"" + shared + "\",\"pool\":\""
            + f.http.get("/api/v1/templates/" + t.template(), ApiFixture.ADMIN).json().at("/spec/pool").asText()
            + "\",\"replicas\":1,\"shareable\":true,\"envoyBaseConfig\":\"{}\"}", ApiFixture.ADMIN));
        for (String[] g : new String[][] {{"public", shared}, {"private", t.template()}}) {
            ApiFixture.created(f.http.post("/api/v1/accounts/" + t.a() + "/gateways", "{\"name\":\"" + g[0]
                + "\",\"template\":\"" + g[1] + "\",\"listeners\":[{\"name\":\"http\",\"port\":80,"
                + "\"protocol\":\"HTTP\"}]}", t.alice()));
        }
    }

    private static String sharing(String gateway, String grantee) {
        return "/api/v1/accounts/" + t.a() + "/gateways/default/" + gateway + "/sharing/" + grantee;
    }

    private static Http.Response bobsRoute() {
        return f.http.put("/api/v1/accounts/" + t.b() + "/httproutes/web", """
            {"parentRefs":[{"account":"%s","name":"public"}],"hostnames":["bank.example.com"],
             "rules":[{"backendRefs":[{"name":"web","port":8080}]}]}""".formatted(t.a()), t.bob(), null);
    }

    private static void refused(Http.Response r, int status, String field, String message) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.json().get("field").asText()).isEqualTo(field);
        assertThat(r.json().get("message").asText()).contains(message);
    }

    @Test
    void theOwnerGrantsAnotherAccountWhoseRouteThenNamesTheGatewayUntilRevoked() {
        String gateway = "/api/v1/accounts/" + t.a() + "/gateways/public";
        assertThat(f.http.get(gateway, t.alice()).json().at("/spec/sharingKey").asText()).startsWith("share-");
        long before = EventLog.size(f);
        String missing = "account '" + t.a() + "' has not granted account '" + t.b() + "' its gateway 'default/public'";
        Http.Response first = f.http.post("/api/v1/accounts/" + t.b() + "/httproutes", """
            {"name":"web","parentRefs":[{"account":"%s","name":"public"}],"hostnames":["bank.example.com"],
             "rules":[{"backendRefs":[{"name":"web","port":8080}]}]}""".formatted(t.a()), t.bob());
        refused(first, 403, "parentRefs[0].account", missing);
        Http.Response byBob = f.http.put(sharing("public", t.b()), null, t.bob(), null);
        assertThat(byBob.status()).as("only the owner grants: " + byBob.body()).isEqualTo(403);
        refused(f.http.put(sharing("private", t.b()), null, t.alice(), null), 422, "targetAggregateId",
            "gateway 'default/private' is not shared");
        refused(f.http.put(sharing("public", "no-such-account"), null, t.alice(), null), 422, "account",
            "account 'no-such-account' does not exist");
        assertThat(f.http.put(sharing("absent", t.b()), null, t.alice(), null).status()).isEqualTo(404);
        assertThat(EventLog.size(f)).as("refusals append nothing").isEqualTo(before);

        Http.Response grant = f.http.put(sharing("public", t.b()), null, t.alice(), null);
        assertThat(grant.status()).as(grant.body()).isEqualTo(200);
        assertThat(f.http.get(gateway, t.alice()).json().at("/spec/sharedWith").toString())
            .isEqualTo("[\"" + t.b() + "\"]");
        ApiFixture.created(f.http.post("/api/v1/accounts/" + t.b() + "/httproutes", """
            {"name":"web","parentRefs":[{"account":"%s","name":"public"}],"hostnames":["bank.example.com"],
             "rules":[{"backendRefs":[{"name":"web","port":8080}]}]}""".formatted(t.a()), t.bob()));
        assertThat(f.http.get("/api/v1/accounts/" + t.b() + "/httproutes/web", t.bob()).json()
            .at("/spec/parentRefs/0/account").asText()).isEqualTo(t.a());

        Http.Response revoke = f.http.delete(sharing("public", t.b()), t.alice(), null);
        assertThat(revoke.status()).as(revoke.body()).isEqualTo(200);
        assertThat(f.http.get(gateway, t.alice()).json().at("/spec").has("sharedWith")).isFalse();
        refused(bobsRoute(), 403, "parentRefs[0].account", missing);
        assertThat(EventLog.of(f, "gateway/" + t.a() + "/default/public"))
            .extracting(e -> e.getPayload().getClass().getSimpleName())
            .containsExactly("GatewayCreated", "GatewaySharingSet", "GatewaySharingSet");
    }

    @Test
    void aGranteeFindsTheSharedGatewayByItsKeyOnlyWhileGrantedAndLearnsNothingElseOfTheOwner() {
        ApiFixture.created(f.http.post("/api/v1/accounts/" + t.a() + "/gateways", "{\"name\":\"lookup\",\"template\":\""
            + shared + "\",\"listeners\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"HTTP\"}]}", t.alice()));
        String key = f.http.get("/api/v1/accounts/" + t.a() + "/gateways/lookup", t.alice()).json()
            .at("/spec/sharingKey").asText();
        String bobs = "/api/v1/accounts/" + t.b() + "/shared-gateways?sharingKey=";
        Http.Response before = f.http.get(bobs + key, t.bob());
        assertThat(before.status()).as("not granted yet: " + before.body()).isEqualTo(404);
        assertThat(f.http.get(bobs + "share-00000000000000000000000000000000", t.bob()).json().get("message").asText())
            .as("one answer whether the key exists or not")
            .isEqualTo(before.json().get("message").asText().replace(key, "share-00000000000000000000000000000000"));
        assertThat(f.http.get(bobs + key, t.alice()).status()).as("alice may not ask as bob").isEqualTo(403);
        refused(f.http.get("/api/v1/accounts/" + t.b() + "/shared-gateways", t.bob()), 400, "sharingKey",
            "sharingKey is required");

        assertThat(f.http.put(sharing("lookup", t.b()), null, t.alice(), null).status()).isEqualTo(200);
        Http.Response found = f.http.get(bobs + key, t.bob());
        assertThat(found.status()).as(found.body()).isEqualTo(200);
        assertThat(found.json().toString()).isEqualTo("{\"owner\":\"" + t.a()
            + "\",\"namespace\":\"default\",\"name\":\"lookup\"}");
        assertThat(f.http.get("/api/v1/accounts/" + t.a() + "/shared-gateways?sharingKey=" + key, t.alice()).status())
            .as("the owner's own gateway is not shared with it").isEqualTo(404);

        assertThat(f.http.delete(sharing("lookup", t.b()), t.alice(), null).status()).isEqualTo(200);
        assertThat(f.http.get(bobs + key, t.bob()).status()).as("revoked").isEqualTo(404);
    }
}
