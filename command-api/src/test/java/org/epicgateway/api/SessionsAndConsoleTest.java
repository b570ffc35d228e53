package org.epicgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Browser sessions (cookie + CSRF token), the console's files, and the endpoints the console added to the API
 * (gateway view, audit verify, pool capacity), on the real broker, registry and decider. A session is authorized
 * exactly as its user's bearer token: another account is 403 through a cookie too.
 */
class SessionsAndConsoleTest {
    private final ApiFixture f = ApiFixture.get();

    SessionsAndConsoleTest() throws Exception {
    }

    @Test
    void aSessionCookieActsAsItsUserAndWritesNeedTheCsrfToken() {
        ApiFixture.Tenants t = f.twoTenants("198.18.10.0/29");
        Http.Response started = ApiFixture.created(f.http.post("/api/v1/sessions", null, t.alice()));
        String setCookie = started.header("Set-Cookie");
        assertThat(setCookie).startsWith("epic_session=epic1.").contains("; HttpOnly", "; SameSite=Strict", "; Path=/")
            .as("plain HTTP on 127.0.0.1: a Secure cookie would be dropped").doesNotContain("Secure");
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        String csrf = started.json().get("csrfToken").asText();
        assertThat(started.json().get("user").asText()).isEqualTo("alice@" + t.a());
        assertThat(started.json().get("admin").asBoolean()).isFalse();

        Map<String, String> session = Map.of("Cookie", cookie);
        Http.Response current = f.http.sendWithHeaders("GET", "/api/v1/sessions/current", null, null, session);
        assertThat(current.status()).isEqualTo(200);
        assertThat(current.json().get("csrfToken").asText()).isEqualTo(csrf);
        assertThat(f.http.sendWithHeaders("GET", "/api/v1/accounts/" + t.a() + "/gateways", null, null, session)
            .status()).isEqualTo(200);
        assertThat(f.http.sendWithHeaders("GET", "/api/v1/accounts/" + t.b() + "/gateways", null, null, session)
            .status()).as("another account through a session").isEqualTo(403);

        String gateway = "{\"name\":\"web\",\"template\":\"" + t.template()
            + "\",\"listeners\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"HTTP\"}]}";
        String gateways = "/api/v1/accounts/" + t.a() + "/gateways";
        Http.Response noToken = f.http.sendWithHeaders("POST", gateways, gateway, null, session);
        assertThat(noToken.status()).isEqualTo(403);
        assertThat(noToken.json().get("code").asText()).isEqualTo("CSRF");
        assertThat(noToken.json().get("field").asText()).isEqualTo("X-CSRF-Token");
        assertThat(f.http.sendWithHeaders("POST", gateways, gateway, null,
            Map.of("Cookie", cookie, "X-CSRF-Token", csrf.replace(csrf.charAt(0), csrf.charAt(0) == 'a' ? 'b' : 'a')))
            .status()).isEqualTo(403);
        assertThat(f.http.get(gateways + "/web", t.alice()).status()).as("nothing was written").isEqualTo(404);
        ApiFixture.created(f.http.sendWithHeaders("POST", gateways, gateway, null,
            Map.of("Cookie", cookie, "X-CSRF-Token", csrf)));

        Http.Response ended = f.http.sendWithHeaders("DELETE", "/api/v1/sessions/current", null, null,
            Map.of("Cookie", cookie, "X-CSRF-Token", csrf));
        assertThat(ended.status()).isEqualTo(200);
        assertThat(ended.header("Set-Cookie")).startsWith("epic_session=;").contains("Max-Age=0");
        Http.Response replayed = f.http.sendWithHeaders("GET", "/api/v1/sessions/current", null, null, session);
        assertThat(replayed.status()).as("the signed-out cookie, sent again, is revoked on the server").isEqualTo(401);

        // An admin revokes alice's sessions and bearer tokens: refused at once; bob's are not touched.
        String aliceCookie = sessionCookie(t.alice());
        String aliceToken = ApiFixture.created(f.http.post("/api/v1/tokens", null, t.alice())).json().get("token").asText();
        assertThat(f.http.delete("/api/v1/accounts/" + t.a() + "/users/alice/sessions", t.alice(), null).status())
            .as("admins only").isEqualTo(403);
        Http.Response revoked = f.http.delete("/api/v1/accounts/" + t.a() + "/users/alice/sessions", ApiFixture.ADMIN, null);
        assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);
        assertThat(f.http.sendWithHeaders("GET", "/api/v1/sessions/current", null, null, Map.of("Cookie", aliceCookie))
            .status()).isEqualTo(401);
        assertThat(f.http.get("/api/v1/accounts/" + t.a(), "Bearer " + aliceToken).status()).isEqualTo(401);
        assertThat(f.http.get("/api/v1/accounts/" + t.b() + "/gateways", t.bob()).status()).as("bob is not affected")
            .isEqualTo(200);

        Http.Response noSession = f.http.sendWithHeaders("GET", "/api/v1/sessions/current", null, null,
            Map.of("Cookie", "epic_session=epic1.forged.token", "X-Epic-Console", "1"));
        assertThat(noSession.status()).isEqualTo(401);
        assertThat(noSession.header("WWW-Authenticate")).as("no browser login dialog for the console").isNull();
        assertThat(f.http.get("/api/v1/sessions/current", null).header("WWW-Authenticate")).contains("Basic");
    }

    private String sessionCookie(String basic) {
        String setCookie = ApiFixture.created(f.http.post("/api/v1/sessions", null, basic)).header("Set-Cookie");
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    @Test
    void aRefusedOidcCallbackSendsABrowserToTheSignInPageWithTheReasonAndAnyOtherClientTheJsonError() {
        Http.Response browser = f.http.sendWithHeaders("GET", "/api/v1/oidc/callback?code=c&state=s", null, null,
            Map.of("Accept", "text/html,application/xhtml+xml"));
        assertThat(browser.status()).isEqualTo(303);
        assertThat(browser.header("Location")).startsWith("/ui/#signin-refused=").contains("EPIC_OIDC_ISSUER");
        Http.Response client = f.http.get("/api/v1/oidc/callback?code=c&state=s", null);
        assertThat(client.status()).isEqualTo(404);
        assertThat(client.json().get("message").asText()).contains("EPIC_OIDC_ISSUER");
    }

    @Test
    void theConsolePagesAndLibrariesAreServedFromThePlatformWithAStrictPolicy() {
        Http.Response page = f.http.get("/ui/", null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(page.header("Content-Security-Policy"))
            .contains("default-src 'self'", "script-src 'self' 'sha256-", "frame-ancestors 'none'");
        assertThat(page.body()).contains("/ui/lib/preact.mjs", "/ui/lib/cytoscape.mjs").doesNotContain("https://");
        for (String lib : new String[] {"/ui/lib/preact.mjs", "/ui/lib/preact-hooks.mjs", "/ui/lib/cytoscape.mjs",
            "/ui/app.js", "/ui/graph.js"}) {
            Http.Response js = f.http.get(lib, null);
            assertThat(js.status()).as(lib).isEqualTo(200);
            assertThat(js.header("Content-Type")).as(lib).startsWith("text/javascript");
            assertThat(js.body()).as(lib).isNotBlank();
        }
        assertThat(f.http.get("/ui/../api/v1/openapi.json.js", null).status()).isEqualTo(404);
        // Without EPIC_OIDC_ISSUER the sign-in page offers no provider, and its routes say why.
        assertThat(f.http.get("/api/v1/oidc", null).json().get("enabled").asBoolean()).isFalse();
        Http.Response noProvider = f.http.get("/api/v1/oidc/login", null);
        assertThat(noProvider.status()).isEqualTo(404);
        assertThat(noProvider.json().get("message").asText()).contains("EPIC_OIDC_ISSUER");
        assertThat(f.http.get("/ui/lib/nothing.mjs", null).status()).isEqualTo(404);
    }

    @Test
    void theConsolesEndpointsAreTenantConfined() {
        ApiFixture.Tenants t = f.twoTenants("198.18.11.0/29");
        ApiFixture.created(f.http.post("/api/v1/accounts/" + t.a() + "/gateways",
            "{\"name\":\"web\",\"template\":\"" + t.template()
                + "\",\"listeners\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"HTTP\"}]}", t.alice()));
        String view = "/api/v1/accounts/" + t.a() + "/gateways/default/web/view";
        assertThat(f.http.get(view, t.bob()).status()).isEqualTo(403);
        assertThat(f.http.get(view + "/events", t.bob()).status()).isEqualTo(403);
        assertThat(f.http.get("/api/v1/accounts/" + t.a() + "/gateways/default/nosuch/view", t.alice()).status())
            .isEqualTo(404);
        // The data plane: the gateway's own only; nodes are admins'.
        String dataPlane = "/api/v1/accounts/" + t.a() + "/gateways/default/web/dataplane";
        Http.Response mine = f.http.get(dataPlane, t.alice());
        assertThat(mine.status()).as(mine.body()).isEqualTo(200);
        assertThat(mine.json().get("gatewayId").asText()).isEqualTo("gateway/" + t.a() + "/default/web");
        assertThat(mine.json().get("replicas")).as("no EPIC node in this test").isEmpty();
        assertThat(f.http.get(dataPlane, t.bob()).status()).isEqualTo(403);
        Http.Response badInstant = f.http.get(dataPlane + "?at=yesterday", t.alice());
        assertThat(badInstant.status()).isEqualTo(400);
        assertThat(badInstant.json().get("field").asText()).isEqualTo("at");
        Http.Response past = f.http.get(dataPlane + "?at=" + java.time.Instant.now(), t.alice());
        assertThat(past.status()).as(past.body()).isEqualTo(200);
        assertThat(past.json().get("replicas")).isEmpty();
        assertThat(f.http.get("/api/v1/nodes", t.alice()).status()).isEqualTo(403);
        assertThat(f.http.get("/api/v1/nodes", ApiFixture.ADMIN).json().get("items").isArray()).isTrue();

        Http.Response verified = f.http.get("/api/v1/audit/verify", t.alice());
        assertThat(verified.status()).as(verified.body()).isEqualTo(200);
        assertThat(verified.json().get("intact").asBoolean()).isTrue();
        assertThat(verified.json().get("aggregates").asInt()).as("alice's account and gateway").isEqualTo(2);
        assertThat(f.http.get("/api/v1/audit/verify?account=" + t.b(), t.alice()).status()).isEqualTo(403);

        Http.Response pools = f.http.get("/api/v1/pools?limit=500", ApiFixture.ADMIN);
        assertThat(pools.json().findValues("spec")).anySatisfy(spec -> {
            assertThat(spec.get("ranges").get(0).asText()).isEqualTo("198.18.11.0/29");
            assertThat(spec.get("capacity").asText()).as("a /29 less network and broadcast").isEqualTo("6");
            assertThat(spec.get("allocated")).hasSize(1);
        });
    }
}
