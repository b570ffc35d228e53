package org.epicgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Password guessing over HTTP: Basic logins and POST /tokens answer 429 with Retry-After once a login is throttled. */
class LoginThrottleTest {

    @Test
    void sixWrongPasswordsThrottleTheLoginOnEveryPasswordEndpoint() throws Exception {
        ApiFixture f = ApiFixture.get();
        String account = ApiFixture.unique("thr");
        ApiFixture.created(f.http.post("/api/v1/accounts", "{\"account\":\"" + account + "\"}", ApiFixture.ADMIN));
        ApiFixture.created(f.http.post("/api/v1/accounts/" + account + "/users",
            "{\"username\":\"gina\",\"password\":\"gina-password-1\"}", ApiFixture.ADMIN));
        String own = "/api/v1/accounts/" + account;
        long eventsBefore = EventLog.size(f);

        for (int i = 0; i < 6; i++) {
            Http.Response r = f.http.get(own, Http.basic("gina@" + account, "guess-" + i));
            assertThat(r.status()).as(r.body()).isEqualTo(401);
        }
        for (Http.Response r : new Http.Response[] {
            f.http.get(own, Http.basic("gina@" + account, "gina-password-1")),
            f.http.post("/api/v1/tokens", null, Http.basic("gina@" + account, "gina-password-1"))}) {
            assertThat(r.status()).as(r.body()).isEqualTo(429);
            assertThat(r.json().get("code").asText()).isEqualTo("TOO_MANY_REQUESTS");
            assertThat(Long.parseLong(r.header("Retry-After"))).isBetween(1L, 900L);
        }
        // Other users are not affected, and nothing was appended.
        assertThat(f.http.get(own, ApiFixture.ADMIN).status()).isEqualTo(200);
        assertThat(EventLog.size(f)).isEqualTo(eventsBefore);

        Thread.sleep(1_100); // the first wait is one second
        Http.Response after = f.http.post("/api/v1/tokens", null, Http.basic("gina@" + account, "gina-password-1"));
        assertThat(after.status()).as(after.body()).isEqualTo(201);
    }
}
