package org.epicgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Bearer tokens, and what survives a restart of the API (state, users, tokens) on the real platform. */
class TokensAndRestartTest {

    @Test
    void tokensWorkAcrossAnApiRestartAndDieWithTheirUser() throws Exception {
        ApiFixture f = ApiFixture.get();
        String account = ApiFixture.unique("tok");
        String dave = Http.basic("dave@" + account, "dave-password-1");
        assertThat(f.http.post("/api/v1/accounts", "{\"account\":\"" + account + "\"}", ApiFixture.ADMIN).status()).isEqualTo(201);
        assertThat(f.http.post("/api/v1/accounts/" + account + "/users",
            "{\"username\":\"dave\",\"password\":\"dave-password-1\"}", ApiFixture.ADMIN).status()).isEqualTo(201);

        Http.Response issued = f.http.post("/api/v1/tokens", null, dave);
        assertThat(issued.status()).as(issued.body()).isEqualTo(201);
        String bearer = "Bearer " + issued.json().get("token").asText();
        assertThat(issued.json().get("expiresAt").asText()).isNotBlank();
        String own = "/api/v1/accounts/" + account;
        assertThat(f.http.get(own, bearer).status()).isEqualTo(200);

        // A token cannot mint tokens, and a tampered one is refused.
        assertThat(f.http.post("/api/v1/tokens", null, bearer).status()).isEqualTo(401);
        String tampered = bearer.substring(0, bearer.length() - 2) + (bearer.endsWith("A") ? "BB" : "AA");
        assertThat(f.http.get(own, tampered).status()).isEqualTo(401);

        f.restartApi();
        // The signing key is under the data directory, so the token outlives the API process; state is still there.
        Http.Response again = f.http.get(own, bearer);
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.json().at("/spec/users/0/username").asText()).isEqualTo("dave");
        assertThat(again.body()).doesNotContain("$2a$");

        // Removing the user revokes both its password and its tokens.
        assertThat(f.http.delete(own + "/users/dave", ApiFixture.ADMIN, null).status()).isEqualTo(200);
        assertThat(f.http.get(own, bearer).status()).isEqualTo(401);
        assertThat(f.http.get(own, dave).status()).isEqualTo(401);
        assertThat(f.http.get(own + "/users", ApiFixture.ADMIN).json().get("items")).isEmpty();
    }

    @Test
    void theBootstrapAdminIsCreatedThroughTheDeciderAndIsInTheAudit() throws Exception {
        ApiFixture f = ApiFixture.get();
        Http.Response audit = f.http.get("/api/v1/audit?aggregate=account/system", ApiFixture.ADMIN);
        assertThat(audit.status()).as(audit.body()).isEqualTo(200);
        assertThat(audit.json().get("items")).extracting(e -> e.get("type").asText())
            .containsExactly("ApiUserAdded", "AccountCreated");
        assertThat(audit.json().at("/items/0/actor/kind").asText()).isEqualTo("SYSTEM");
        assertThat(audit.json().at("/items/0/payload/roles/0").asText()).isEqualTo("admin");
        assertThat(audit.json().at("/items/0/payload").has("passwordHash")).isFalse();
        // A restart finds the admin and adds nothing.
        f.restartApi();
        Http.Response after = f.http.get("/api/v1/audit?aggregate=account/system", ApiFixture.ADMIN);
        assertThat(after.status()).as(after.body()).isEqualTo(200);
        assertThat(after.json().get("items")).hasSize(2);
    }
}
