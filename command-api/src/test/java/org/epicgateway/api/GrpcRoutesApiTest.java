package org.epicgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GRPCRoutes over REST on the real platform: create, read, list, replace through the batch endpoint and delete;
 * refusals name the field and append nothing; another tenant neither reads the route nor attaches to the gateway.
 */
class GrpcRoutesApiTest {
    private static ApiFixture f;
    private static ApiFixture.Tenants t;

    @BeforeAll
    static void setUp() throws Exception {
        f = ApiFixture.get();
        t = f.twoTenants("198.18.12.0/29");
        ApiFixture.created(f.http.post("/api/v1/accounts/" + t.a() + "/gateways", "{\"name\":\"rpc\",\"template\":\""
            + t.template() + "\",\"listeners\":[{\"name\":\"h2c\",\"port\":8080,\"protocol\":\"HTTP\"}]}", t.alice()));
    }

    private static String route(String name, String filterType) {
        return "{\"name\":\"" + name + "\",\"parentRefs\":[{\"name\":\"rpc\"}],\"rules\":[{\"matches\":[{\"method\":"
            + "{\"type\":\"EXACT\",\"service\":\"echo.v1.Echo\",\"method\":\"Say\"}}],\"filters\":[{\"type\":\""
            + filterType + "\",\"requestHeaderModifier\":{\"set\":[{\"name\":\"x-a\",\"value\":\"1\"}]}}],"
            + "\"backendRefs\":[{\"name\":\"echo\",\"port\":50051,\"weight\":3,\"filters\":[{\"type\":"
            + "\"RESPONSE_HEADER_MODIFIER\",\"responseHeaderModifier\":{\"add\":[{\"name\":\"x-served-by\",\"value\":"
            + "\"echo\"}]}}]},{\"name\":\"echo-v2\",\"port\":50051}]}]}";
    }

    @Test
    void aGrpcRouteIsCreatedReadReplacedAndDeletedLikeAnyTenantResource() {
        String base = "/api/v1/accounts/" + t.a() + "/grpcroutes";
        Http.Response created = ApiFixture.created(f.http.post(base, route("echo", "REQUEST_HEADER_MODIFIER"), t.alice()));
        assertThat(created.json().get("aggregateId").asText()).isEqualTo("grpcroute/" + t.a() + "/default/echo");

        Http.Response read = f.http.get(base + "/echo", t.alice());
        assertThat(read.status()).isEqualTo(200);
        JsonNode spec = read.json().get("spec");
        assertThat(read.json().get("kind").asText()).isEqualTo("GRPCRoute");
        assertThat(spec.at("/rules/0/matches/0/method/service").asText()).isEqualTo("echo.v1.Echo");
        assertThat(spec.at("/rules/0/matches/0/method/method").asText()).isEqualTo("Say");
        assertThat(spec.at("/rules/0/backendRefs/0/weight").asInt()).isEqualTo(3);
        assertThat(spec.at("/rules/0/backendRefs/0/filters").toString()).isEqualTo("[{\"type\":"
            + "\"RESPONSE_HEADER_MODIFIER\",\"responseHeaderModifier\":{\"set\":[],\"add\":[{\"name\":"
            + "\"x-served-by\",\"value\":\"echo\"}],\"remove\":[]}}]");
        assertThat(spec.at("/rules/0/backendRefs/1/filters").isMissingNode()).as("none: left out").isTrue();
        assertThat(f.http.get(base, t.alice()).json().toString()).contains("grpcroute/" + t.a() + "/default/echo");

        // Replaced through the batch endpoint, by kind.
        Http.Response batch = f.http.post("/api/v1/accounts/" + t.a() + "/batch", "{\"items\":[" + route("echo",
            "REQUEST_HEADER_MODIFIER").replaceFirst("\\{", "{\"kind\":\"GRPCRoute\",")
            .replace("\"Say\"", "\"Shout\"") + "]}", t.alice());
        assertThat(batch.status()).as(batch.body()).isEqualTo(200);
        assertThat(batch.json().at("/results/0/status").asInt()).as(batch.body()).isEqualTo(200);
        assertThat(batch.json().at("/results/0/version").asLong()).isEqualTo(2);
        assertThat(f.http.get(base + "/echo", t.alice()).json().at("/spec/rules/0/matches/0/method/method").asText())
            .isEqualTo("Shout");

        assertThat(f.http.get("/api/v1/accounts/" + t.a() + "/grpcroutes/echo", t.bob()).status()).isEqualTo(403);
        assertThat(f.http.delete(base + "/echo", t.alice(), null).status()).isEqualTo(200);
        assertThat(f.http.get(base + "/echo", t.alice()).status()).isEqualTo(404);
    }

    @Test
    void refusedGrpcRoutesNameTheFieldAndAppendNothing() {
        String base = "/api/v1/accounts/" + t.a() + "/grpcroutes";
        Http.Response redirect = f.http.post(base, route("redirect", "REQUEST_REDIRECT")
            .replace("requestHeaderModifier\":{\"set\":[{\"name\":\"x-a\",\"value\":\"1\"}]}", "requestRedirect\":{}"),
            t.alice());
        assertThat(redirect.status()).as(redirect.body()).isEqualTo(422);
        assertThat(redirect.json().get("field").asText()).isEqualTo("rules[0].filters[0].type");
        Http.Response service = f.http.post(base, route("bad-service", "REQUEST_HEADER_MODIFIER")
            .replace("echo.v1.Echo", "echo/v1"), t.alice());
        assertThat(service.status()).as(service.body()).isEqualTo(422);
        assertThat(service.json().get("field").asText()).isEqualTo("rules[0].matches[0].method.service");
        // Envoy cannot rewrite per backend: refused naming the filter's type.
        Http.Response backendRewrite = f.http.post(base, route("backend-rewrite", "REQUEST_HEADER_MODIFIER")
            .replace("\"type\":\"RESPONSE_HEADER_MODIFIER\",\"responseHeaderModifier\"", "\"type\":\"URL_REWRITE\","
                + "\"urlRewrite\":{\"hostname\":\"a.example\"},\"responseHeaderModifier\""), t.alice());
        assertThat(backendRewrite.status()).as(backendRewrite.body()).isEqualTo(422);
        assertThat(backendRewrite.json().get("field").asText()).isEqualTo("rules[0].backendRefs[0].filters[0].type");
        assertThat(backendRewrite.body()).contains("cannot be applied per backend");
        // Bob's account has no gateway rpc: the decider's parent rule, so routes never cross tenants.
        Http.Response foreign = f.http.post("/api/v1/accounts/" + t.b() + "/grpcroutes",
            route("foreign", "REQUEST_HEADER_MODIFIER"), t.bob());
        assertThat(foreign.status()).as(foreign.body()).isEqualTo(422);
        assertThat(foreign.json().get("field").asText()).isEqualTo("parentRefs[0].name");
        for (String refused : new String[] {t.a() + "/default/redirect", t.a() + "/default/bad-service",
            t.a() + "/default/backend-rewrite", t.b() + "/default/foreign"}) {
            assertThat(EventLog.of(f, "grpcroute/" + refused)).isEmpty();
        }
    }
}
