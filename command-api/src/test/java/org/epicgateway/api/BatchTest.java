package org.epicgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /accounts/{account}/batch} on the real platform: each object its own command and event with its own
 * result, created when absent and replaced when present, a bad object refused alone naming its field.
 */
class BatchTest {
    private static ApiFixture f;
    private static ApiFixture.Tenants t;

    @BeforeAll
    static void setUp() throws Exception {
        f = ApiFixture.get();
        t = f.twoTenants("198.18.2.0/28");
    }

    private static String slice(String name, String address) {
        return "{\"kind\":\"EndpointSlice\",\"name\":\"" + name + "\",\"serviceName\":\"web\",\"ports\":[{\"name\":"
            + "\"http\",\"port\":8080,\"protocol\":\"TCP\"}],\"endpoints\":[{\"addresses\":[\"" + address + "\"],"
            + "\"conditions\":{\"ready\":true}}]}";
    }

    private Http.Response batch(String account, String auth, String... items) {
        return f.http.post("/api/v1/accounts/" + account + "/batch", "{\"items\":[" + String.join(",", items) + "]}",
            auth);
    }

    @Test
    void eachObjectIsItsOwnCommandAndABadOneIsRefusedAlone() {
        String batch = "/api/v1/accounts/" + t.a();
        ApiFixture.created(f.http.post(batch + "/endpointslices", slice("existing", "10.0.0.1")
            .replace("\"kind\":\"EndpointSlice\",", ""), t.alice()));

        Http.Response r = batch(t.a(), t.alice(),
            slice("new-1", "10.0.0.2"),
            "{\"kind\":\"Gateway\",\"name\":\"shop\",\"template\":\"" + t.template() + "\",\"listeners\":[{\"name\":"
                + "\"http\",\"port\":80,\"protocol\":\"HTTP\"}]}",
            slice("existing", "10.0.0.9"),
            slice("bad", "10.0.0.3").replace("\"serviceName\":\"web\",", ""),
            "{\"kind\":\"Pool\",\"name\":\"x\"}",
            slice("invalid", "not-an-address"));

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode results = r.json().get("results");
        assertThat(results).hasSize(6);
        assertThat(results.get(0).get("status").asInt()).isEqualTo(201);
        assertThat(results.get(0).get("aggregateId").asText()).isEqualTo("endpointslice/" + t.a() + "/default/new-1");
        assertThat(results.get(0).get("version").asLong()).isEqualTo(1);
        assertThat(results.get(1).get("status").asInt()).isEqualTo(201);
        assertThat(results.get(1).get("kind").asText()).isEqualTo("Gateway");
        // Present already: replaced, the next version of the same aggregate.
        assertThat(results.get(2).get("status").asInt()).isEqualTo(200);
        assertThat(results.get(2).get("version").asLong()).isEqualTo(2);
        assertThat(results.get(3).get("status").asInt()).isEqualTo(400);
        assertThat(results.get(3).get("field").asText()).isEqualTo("items[3].serviceName");
        assertThat(results.get(4).get("status").asInt()).isEqualTo(400);
        assertThat(results.get(4).get("field").asText()).isEqualTo("items[4].kind");
        // The decider's own refusal, as a single request would get it, its field placed in the batch.
        assertThat(results.get(5).get("status").asInt()).as(results.get(5).toString()).isEqualTo(422);
        assertThat(results.get(5).get("field").asText()).startsWith("items[5].");

        // Each accepted object's event carries its own command id; the refused ones appended nothing.
        Map<String, String> commandOf = IntStream.of(0, 1, 2).boxed().collect(Collectors.toMap(
            i -> results.get(i).get("aggregateId").asText(), i -> results.get(i).get("commandId").asText()));
        commandOf.forEach((aggregate, command) -> assertThat(EventLog.of(f, aggregate))
            .filteredOn(e -> e.getCorrelationId().equals(command)).hasSize(1));
        for (String refused : new String[] {"bad", "invalid"}) {
            assertThat(EventLog.of(f, "endpointslice/" + t.a() + "/default/" + refused)).isEmpty();
        }
        Http.Response replaced = f.http.get(batch + "/endpointslices/existing", t.alice());
        assertThat(replaced.json().at("/spec/endpoints/0/addresses/0").asText()).isEqualTo("10.0.0.9");
    }

    @Test
    void servicesAndReferenceGrantsAreObjectsOfTheAccountLikeTheOthers() {
        Http.Response r = batch(t.a(), t.alice(),
            "{\"kind\":\"Service\",\"namespace\":\"backends\",\"name\":\"api\",\"ports\":[{\"name\":\"http\","
                + "\"port\":8080,\"targetPort\":9090,\"appProtocol\":\"kubernetes.io/h2c\"}]}",
            "{\"kind\":\"ReferenceGrant\",\"namespace\":\"backends\",\"name\":\"from-default\",\"from\":[{\"kind\":"
                + "\"HTTPRoute\",\"namespace\":\"default\"}],\"to\":[{\"kind\":\"Service\"}]}",
            "{\"kind\":\"ReferenceGrant\",\"namespace\":\"backends\",\"name\":\"bad\",\"from\":[{\"kind\":"
                + "\"Pod\",\"namespace\":\"default\"}],\"to\":[{\"kind\":\"Service\"}]}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode results = r.json().get("results");
        assertThat(results.get(0).get("aggregateId").asText()).isEqualTo("service/" + t.a() + "/backends/api");
        assertThat(results.get(1).get("aggregateId").asText())
            .isEqualTo("referencegrant/" + t.a() + "/backends/from-default");
        assertThat(results.get(2).get("status").asInt()).isEqualTo(422);
        assertThat(results.get(2).get("field").asText()).isEqualTo("items[2].from[0].kind");

        JsonNode service = f.http.get("/api/v1/accounts/" + t.a() + "/services/api?namespace=backends", t.alice())
            .json().get("spec");
        assertThat(service.get("ports").get(0).get("appProtocol").asText()).isEqualTo("kubernetes.io/h2c");
        assertThat(service.get("ports").get(0).get("targetPort").asInt()).isEqualTo(9090);
        JsonNode grant = f.http.get("/api/v1/accounts/" + t.a() + "/referencegrants/from-default?namespace=backends",
            t.alice()).json().get("spec");
        assertThat(grant.get("from").get(0).get("namespace").asText()).isEqualTo("default");
        assertThat(f.http.delete("/api/v1/accounts/" + t.a() + "/referencegrants/from-default?namespace=backends",
            t.alice(), null).status()).isEqualTo(200);
    }

    @Test
    void anotherTenantsAccountAndAnEmptyOrOversizedBatchAreRefused() {
        long before = EventLog.size(f);
        assertThat(batch(t.a(), t.bob(), slice("x", "10.0.0.4")).status()).isEqualTo(403);
        Http.Response empty = batch(t.a(), t.alice());
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.json().get("field").asText()).isEqualTo("items");
        String[] many = IntStream.range(0, 1001).mapToObj(i -> slice("s" + i, "10.0.0.5")).toArray(String[]::new);
        assertThat(batch(t.a(), t.alice(), many).status()).isEqualTo(400);
        assertThat(EventLog.size(f)).isEqualTo(before);
    }

    @Test
    void aRetriedBatchWithAnIdempotencyKeyGetsTheSameAnswers() {
        String body = "{\"items\":[" + slice("keyed-1", "10.0.0.6") + "," + slice("keyed-2", "10.0.0.7") + "]}";
        Map<String, String> key = Map.of(HttpSupport.IDEMPOTENCY_KEY, "load-7");
        String path = "/api/v1/accounts/" + t.a() + "/batch";
        Http.Response first = f.http.sendWithHeaders("POST", path, body, t.alice(), key);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        long after = EventLog.size(f);
        Http.Response retry = f.http.sendWithHeaders("POST", path, body, t.alice(), key);
        assertThat(retry.status()).as(retry.body()).isEqualTo(200);
        for (int i = 0; i < 2; i++) {
            JsonNode a = first.json().get("results").get(i);
            JsonNode b = retry.json().get("results").get(i);
            assertThat(b.get("commandId")).isEqualTo(a.get("commandId"));
            assertThat(b.get("version")).isEqualTo(a.get("version"));
            assertThat(a.has("replayed")).as("decided now").isFalse();
            assertThat(b.path("replayed").asBoolean()).as("answered from the decided commands").isTrue();
            assertThat(b.path("live").asBoolean(false)).as("a retry whose answer was lost: the object is there")
                .isTrue();
        }
        assertThat(EventLog.size(f)).isEqualTo(after);

        // Deleted since: the same key is still answered from the decided commands, now saying the object has gone,
        // so a client knows to create it again under a new key rather than take it for there.
        assertThat(f.http.delete("/api/v1/accounts/" + t.a() + "/endpointslices/keyed-1", t.alice(), null).status())
            .isEqualTo(200);
        long deleted = EventLog.size(f);
        Http.Response late = f.http.sendWithHeaders("POST", path, body, t.alice(), key);
        assertThat(late.json().get("results").get(0).path("replayed").asBoolean()).isTrue();
        assertThat(late.json().get("results").get(0).path("live").asBoolean(true)).as("keyed-1, deleted").isFalse();
        assertThat(late.json().get("results").get(1).path("live").asBoolean(false)).as("keyed-2").isTrue();
        assertThat(EventLog.size(f)).isEqualTo(deleted);
    }
}
