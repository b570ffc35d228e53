package org.epicgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.epicgateway.api.proxies.ProxyConfigQueries;
import org.epicgateway.platform.PlatformHealth;
import org.epicgateway.projections.viewtopology.GatewayViewService;
import org.junit.jupiter.api.Test;

/** /healthz tells the truth about every service of the platform, and nothing about any tenant. */
class HealthTest {

    @Test
    void healthzIs503NamingAStoppedStreamAnd200WhenAllRun() throws Exception {
        ApiFixture f = ApiFixture.get();
        PlatformHealth health = new PlatformHealth();
        GatewayViewService views = new GatewayViewService();
        ApiService api = new ApiService(ApiFixture.config(), f.decider, ProxyConfigQueries.NONE, health);
        health.watch(List.of(f.decider, api, views));
        api.start(f.context);
        try {
            Http http = new Http(api.port());
            Http.Response notStarted = http.get("/healthz", null);
            assertThat(notStarted.status()).isEqualTo(503);
            assertThat(notStarted.json().get("healthy").asBoolean()).isFalse();
            assertThat(texts(notStarted, "down")).containsExactly("gateway-view: not started");

            views.start(f.context);
            Http.Response running = http.get("/healthz", null);
            assertThat(running.status()).isEqualTo(200);
            assertThat(running.json().get("healthy").asBoolean()).isTrue();
            assertThat(texts(running, "services")).containsExactly("decider", "command-api", "gateway-view");
            assertThat(running.json().has("down")).isFalse();

            views.close();
            Http.Response stopped = http.get("/healthz", null);
            assertThat(stopped.status()).isEqualTo(503);
            assertThat(texts(stopped, "down")).containsExactly("gateway-view: NOT_RUNNING");
            assertThat(stopped.json().fieldNames()).toIterable().containsExactlyInAnyOrder("healthy", "down");
        } finally {
            views.close();
            api.close();
        }
    }

    private static List<String> texts(Http.Response r, String field) {
        List<String> out = new ArrayList<>();
        r.json().get(field).forEach(n -> out.add(n.asText()));
        return out;
    }
}
