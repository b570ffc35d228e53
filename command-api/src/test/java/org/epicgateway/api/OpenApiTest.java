package org.epicgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The served OpenAPI document lists exactly the endpoints Javalin registered; health and metrics answer. */
class OpenApiTest {
    private static final Set<String> NOT_ENDPOINTS = Set.of("BEFORE", "AFTER", "BEFORE_MATCHED", "AFTER_MATCHED");

    @Test
    void everyRegisteredEndpointIsDocumentedAndNothingElse() throws Exception {
        ApiFixture f = ApiFixture.get();
        Http.Response r = f.http.get("/api/v1/openapi.json", null);
        assertThat(r.status()).isEqualTo(200);
        JsonNode doc = r.json();
        assertThat(doc.get("openapi").asText()).startsWith("3.");

        List<String> registered = f.api.api().registeredEndpoints().stream()
            .filter(e -> !NOT_ENDPOINTS.contains(e.substring(0, e.indexOf(' '))))
            .sorted().toList();
        List<String> documented = new ArrayList<>();
        doc.get("paths").fields().forEachRemaining(p -> p.getValue().fieldNames()
            .forEachRemaining(m -> documented.add(m.toUpperCase(Locale.ROOT) + " " + p.getKey())));
        assertThat(registered).hasSizeGreaterThan(30);
        assertThat(documented).containsExactlyInAnyOrderElementsOf(registered);

        // Request bodies are real schemas: a gateway needs name, template and listeners of a known shape.
        JsonNode create = doc.at("/paths/~1api~1v1~1accounts~1{account}~1gateways/post/requestBody/content/application~1json/schema");
        assertThat(create.get("required")).extracting(JsonNode::asText).contains("name", "template");
        assertThat(create.at("/properties/listeners/items/$ref").asText()).isEqualTo("#/components/schemas/Listener");
        assertThat(doc.at("/components/schemas/Listener/properties/protocol/enum")).extracting(JsonNode::asText)
            .containsExactly("HTTP", "HTTPS", "TLS", "TCP");
        assertThat(create.get("properties").has("account")).isFalse();
    }

    @Test
    void healthAndMetricsAreServed() throws Exception {
        ApiFixture f = ApiFixture.get();
        Http.Response health = f.http.get("/healthz", null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("healthy").asBoolean()).isTrue();
        f.http.get("/api/v1/pools", ApiFixture.ADMIN);
        assertThat(f.http.get("/metrics", null).status()).as("metrics need a login").isEqualTo(401);
        Http.Response metrics = f.http.get("/metrics", ApiFixture.ADMIN);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("epic_api_requests_seconds_count{method=\"GET\",route=\"/api/v1/pools\"");
    }
}
