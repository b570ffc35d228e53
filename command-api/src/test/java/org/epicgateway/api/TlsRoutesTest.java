package org.epicgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.epicgateway.schemas.avro.TlsRouteUpserted;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TLSRoutes over REST on the real platform: create, read, replace, list and delete under
 * {@code /accounts/{a}/tlsroutes/{name}?namespace=}, as a batch item of kind TLSRoute, and refused as the v1 CRD
 * refuses it (no hostnames, an IP as SNI, more than one rule), each refusal naming its field and appending nothing.
 */
class TlsRoutesTest {
    private static ApiFixture f;
    private static ApiFixture.Tenants t;

    @BeforeAll
    static void setUp() throws Exception {
        f = ApiFixture.get();
        t = f.twoTenants("198.18.9.0/28");
        ApiFixture.created(f.http.post("/api/v1/accounts/" + t.a() + "/gateways?namespace=data", "{\"name\":\"edge\","
            + "\"template\":\"" + t.template() + "\",\"listeners\":[{\"name\":\"pass\",\"port\":443,\"protocol\":"
            + "\"TLS\",\"hostname\":\"*.example.com\",\"tlsMode\":\"PASSTHROUGH\"}]}", t.alice()));
    }

    private static String route(String hostnames, String rules) {
        return "{\"parentRefs\":[{\"name\":\"edge\",\"sectionName\":\"pass\"}],\"hostnames\":" + hostnames
            + ",\"rules\":" + rules + "}";
    }

    private static final String RULE = "[{\"backendRefs\":[{\"name\":\"db\",\"port\":5432,\"weight\":3},"
        + "{\"name\":\"replica\",\"port\":5432,\"weight\":1}]}]";

    @Test
    void aTlsRouteIsCreatedReadReplacedListedAndDeleted() {
        String routes = "/api/v1/accounts/" + t.a() + "/tlsroutes";
        String db = routes + "/db?namespace=data";
        Http.Response created = f.http.post(routes + "?namespace=data", "{\"name\":\"db\","
            + route("[\"db.example.com\"]", RULE).substring(1), t.alice());
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode read = f.http.get(db, t.alice()).json();
        assertThat(read.at("/spec/hostnames/0").asText()).isEqualTo("db.example.com");
        assertThat(read.at("/spec/rules/0/backendRefs/1/weight").asInt()).isEqualTo(1);
        assertThat(EventLog.of(f, "tlsroute/" + t.a() + "/data/db")).singleElement()
            .satisfies(e -> assertThat(e.getPayload()).isInstanceOf(TlsRouteUpserted.class));

        Http.Response replaced = f.http.put(db, route("[\"db.example.com\",\"*.db.example.com\"]", RULE), t.alice(),
            "\"1\"");
        assertThat(replaced.status()).as(replaced.body()).isEqualTo(200);
        assertThat(f.http.get(db, t.alice()).json().at("/spec/hostnames/1").asText()).isEqualTo("*.db.example.com");
        assertThat(f.http.get(routes + "?namespace=data", t.alice()).json().get("items").findValuesAsText("name"))
            .contains("db");
        assertThat(f.http.get(db, t.bob()).status()).as("another tenant").isEqualTo(403);

        assertThat(f.http.delete(db, t.alice(), "\"2\"").status()).isEqualTo(200);
        assertThat(f.http.get(db, t.alice()).status()).isEqualTo(404);
    }

    @Test
    void aTlsRouteIsABatchItemAndIsValidatedAsTheCrdSays() {
        String routes = "/api/v1/accounts/" + t.a() + "/tlsroutes";
        long events = EventLog.size(f);
        Http.Response noHostnames = f.http.post(routes + "?namespace=data", "{\"name\":\"x\"," + route("[]", RULE)
            .substring(1), t.alice());
        assertThat(noHostnames.status()).as(noHostnames.body()).isEqualTo(422);
        assertThat(noHostnames.json().get("field").asText()).isEqualTo("hostnames");
        Http.Response ip = f.http.post(routes + "?namespace=data", "{\"name\":\"x\","
            + route("[\"10.0.0.1\"]", RULE).substring(1), t.alice());
        assertThat(ip.status()).as(ip.body()).isEqualTo(422);
        assertThat(ip.json().get("field").asText()).isEqualTo("hostnames[0]");
        Http.Response twoRules = f.http.post(routes + "?namespace=data", "{\"name\":\"x\","
            + route("[\"db.example.com\"]", "[" + RULE.substring(1, RULE.length() - 1) + ","
                + RULE.substring(1, RULE.length() - 1) + "]").substring(1), t.alice());
        assertThat(twoRules.status()).as(twoRules.body()).isEqualTo(422);
        assertThat(twoRules.json().get("field").asText()).isEqualTo("rules");
        assertThat(EventLog.size(f)).as("refused commands append nothing").isEqualTo(events);

        Http.Response batch = f.http.post("/api/v1/accounts/" + t.a() + "/batch", "{\"items\":[{\"kind\":\"TLSRoute\","
            + "\"namespace\":\"data\",\"name\":\"cache\"," + route("[\"cache.example.com\"]", RULE).substring(1) + "]}",
            t.alice());
        assertThat(batch.status()).as(batch.body()).isEqualTo(200);
        assertThat(batch.json().at("/results/0/status").asInt()).as(batch.body()).isEqualTo(201);
        assertThat(batch.json().at("/results/0/aggregateId").asText()).isEqualTo("tlsroute/" + t.a() + "/data/cache");
    }
}
