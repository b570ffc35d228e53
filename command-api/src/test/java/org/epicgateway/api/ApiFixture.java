package org.epicgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.platform.PlatformContext;
import org.epicgateway.projections.topology.DeciderService;

/**
 * One real platform per test JVM: the shared embedded broker and Apicurio registry, the real decider, and the
 * command API on a free port. Tests use their own account/pool names since they share the log.
 */
final class ApiFixture {
    static final String ADMIN_PASSWORD = "admin-password-1";
    static final String ADMIN = Http.basic("admin@system", ADMIN_PASSWORD);

    private static ApiFixture shared;

    final EmbeddedPlatform platform;
    final PlatformContext context;
    final DeciderService decider;
    ApiService api;
    Http http;

    private ApiFixture() throws Exception {
        platform = EmbeddedPlatform.sharedForTests();
        Path data = Files.createTempDirectory("epic-command-api-test-");
        context = new PlatformContext(platform.bootstrapServers(), platform.schemaRegistryUrl(), data, platform.meters());
        decider = new DeciderService();
        decider.start(context);
        startApi();
    }

    static synchronized ApiFixture get() throws Exception {
        if (shared == null) {
            shared = new ApiFixture();
        }
        return shared;
    }

    /** bcrypt cost 4 (its minimum) keeps the many logins of the tests cheap; production uses 10. */
    static ApiConfig config() {
        return new ApiConfig("127.0.0.1", 0, "system", "admin", ADMIN_PASSWORD, 4, Duration.ofSeconds(60),
            Duration.ofHours(1), 100_000);
    }

    /** Stops the API (not the decider) and starts a new one on the same data directory. */
    void restartApi() throws Exception {
        api.close();
        startApi();
    }

    private void startApi() throws Exception {
        api = new ApiService(config(), decider);
        api.start(context);
        http = new Http(api.port());
    }

    /** Two tenant accounts, {@code a} with user alice and {@code b} with user bob, and a template on a fresh pool. */
    record Tenants(String template, String a, String b, String alice, String bob) {
    }

    /** Creates {@link Tenants} through the admin API; {@code range} is the new pool's CIDR. */
    Tenants twoTenants(String range) {
        String pool = unique("pool");
        Tenants t = new Tenants(unique("tmpl"), unique("a"), unique("b"), null, null);
        created(http.post("/api/v1/pools", "{\"pool\":\"" + pool + "\",\"ranges\":[\"" + range + "\"]}", ADMIN));
        created(http.post("/api/v1/templates", "{\"template\":\"" + t.template() + "\",\"pool\":\"" + pool
            + "\",\"replicas\":1,\"shareable\":false,\"envoyBaseConfig\":\"{}\"}", ADMIN));
        for (String[] account : new String[][] {{t.a(), "alice"}, {t.b(), "bob"}}) {
            created(http.post("/api/v1/accounts", "{\"account\":\"" + account[0] + "\"}", ADMIN));
            created(http.post("/api/v1/accounts/" + account[0] + "/users", "{\"username\":\"" + account[1]
                + "\",\"password\":\"" + account[1] + "-password-1\"}", ADMIN));
        }
        return new Tenants(t.template(), t.a(), t.b(), Http.basic("alice@" + t.a(), "alice-password-1"),
            Http.basic("bob@" + t.b(), "bob-password-1"));
    }

    /** Asserts a 201 (with the body as the failure message) and returns the response. */
    static Http.Response created(Http.Response r) {
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r;
    }

    /** A fresh DNS-label name so tests sharing the log do not collide. */
    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
