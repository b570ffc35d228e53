package org.epicgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Namespaces (their labels) and listeners selecting namespaces by label, over REST on the real platform: a namespace
 * is created, relabelled, listed and deleted under {@code /accounts/{a}/namespaces/{name}} and applied as a batch
 * item; a bad selector or label is refused as the Kubernetes API server refuses it, naming the field and appending
 * nothing.
 */
class NamespacesApiTest {
    private static ApiFixture f;
    private static ApiFixture.Tenants t;

    @BeforeAll
    static void setUp() throws Exception {
        f = ApiFixture.get();
        t = f.twoTenants("198.18.13.0/29");
    }

    private static String gateway(String name, String selector) {
        return "{\"name\":\"" + name + "\",\"template\":\"" + t.template() + "\",\"listeners\":[{\"name\":\"http\","
            + "\"port\":80,\"protocol\":\"HTTP\",\"allowedRoutes\":{\"namespacesFrom\":\"SELECTOR\""
            + (selector == null ? "" : ",\"namespaceSelector\":" + selector) + "}}]}";
    }

    @Test
    void aNamespaceIsCreatedRelabelledListedAndDeleted() {
        String namespaces = "/api/v1/accounts/" + t.a() + "/namespaces";
        Http.Response created = f.http.post(namespaces, "{\"name\":\"team-a\",\"labels\":{\"team\":\"a\","
            + "\"example.com/tier\":\"\"}}", t.alice());
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("aggregateId").asText()).isEqualTo("namespace/" + t.a() + "/team-a");
        JsonNode read = f.http.get(namespaces + "/team-a", t.alice()).json();
        assertThat(read.get("kind").asText()).isEqualTo("Namespace");
        assertThat(read.at("/spec/labels").toString()).isEqualTo("{\"example.com/tier\":\"\",\"team\":\"a\"}");

        Http.Response relabelled = f.http.put(namespaces + "/team-a", "{\"labels\":{\"team\":\"b\"}}", t.alice(),
            "\"1\"");
        assertThat(relabelled.status()).as(relabelled.body()).isEqualTo(200);
        assertThat(f.http.get(namespaces + "/team-a", t.alice()).json().at("/spec/labels/team").asText())
            .isEqualTo("b");
        assertThat(f.http.get(namespaces, t.alice()).json().get("items").findValuesAsText("aggregateId"))
            .containsExactly("namespace/" + t.a() + "/team-a");
        assertThat(f.http.get(namespaces + "/team-a", t.bob()).status()).as("another tenant").isEqualTo(403);

        Http.Response batch = f.http.post("/api/v1/accounts/" + t.a() + "/batch", "{\"items\":[{\"kind\":\"Namespace\","
            + "\"name\":\"team-a\",\"labels\":{\"team\":\"c\"}}]}", t.alice());
        assertThat(batch.json().at("/results/0/status").asInt()).as(batch.body()).isEqualTo(200);
        assertThat(batch.json().at("/results/0/version").asLong()).isEqualTo(3);

        assertThat(f.http.delete(namespaces + "/team-a", t.alice(), "\"3\"").status()).isEqualTo(200);
        assertThat(f.http.get(namespaces + "/team-a", t.alice()).status()).isEqualTo(404);
        assertThat(EventLog.of(f, "namespace/" + t.a() + "/team-a")).extracting(e -> e.getPayload().getClass().getSimpleName())
            .containsExactly("NamespaceUpserted", "NamespaceUpserted", "NamespaceUpserted", "NamespaceRemoved");
    }

    @Test
    void aSelectingListenerKeepsItsSelectorAndBadSelectorsAreRefusedNamingTheField() {
        String gateways = "/api/v1/accounts/" + t.a() + "/gateways";
        long events = EventLog.size(f);
        String f0 = "listeners[0].allowedRoutes.namespaceSelector";
        refused(gateways, gateway("no-selector", null), f0, "is required when namespacesFrom is SELECTOR");
        refused(gateways, gateway("in-no-values", "{\"matchExpressions\":[{\"key\":\"team\",\"operator\":\"IN\"}]}"),
            f0 + ".matchExpressions[0].values", "must be specified when `operator` is 'In' or 'NotIn'");
        refused(gateways, gateway("exists-values", "{\"matchExpressions\":[{\"key\":\"team\",\"operator\":\"EXISTS\","
            + "\"values\":[\"a\"]}]}"), f0 + ".matchExpressions[0].values", "may not be specified");
        refused(gateways, gateway("bad-key", "{\"matchExpressions\":[{\"key\":\"-team\",\"operator\":\"EXISTS\"}]}"),
            f0 + ".matchExpressions[0].key", "name part must consist of alphanumeric characters");
        refused(gateways, gateway("bad-value", "{\"matchLabels\":{\"team\":\"a b\"}}"), f0 + ".matchLabels.team",
            "'a b' must be empty or consist of alphanumeric characters");
        refused(gateways, gateway("bad-label-key", "{\"matchLabels\":{\"Team.io/x\":\"a\"}}"), f0 + ".matchLabels",
            "key 'Team.io/x' prefix part must be a DNS-1123 subdomain");
        Http.Response operator = f.http.post(gateways, gateway("bad-operator",
            "{\"matchExpressions\":[{\"key\":\"team\",\"operator\":\"Gt\"}]}"), t.alice());
        assertThat(operator.status()).as(operator.body()).isEqualTo(400);
        assertThat(operator.json().get("field").asText())
            .isEqualTo("listeners[0].allowedRoutes.namespaceSelector.matchExpressions[0].operator");
        refused("/api/v1/accounts/" + t.a() + "/namespaces", "{\"name\":\"apps\",\"labels\":"
            + "{\"kubernetes.io/metadata.name\":\"other\"}}", "labels", "is the namespace's name ('apps')");
        assertThat(EventLog.size(f)).as("refused commands append nothing").isEqualTo(events);

        String selector = "{\"matchLabels\":{\"team\":\"a\"},\"matchExpressions\":[{\"key\":\"env\",\"operator\":"
            + "\"NOT_IN\",\"values\":[\"prod\"]},{\"key\":\"shared\",\"operator\":\"EXISTS\"}]}";
        Http.Response created = f.http.post(gateways, gateway("teams", selector), t.alice());
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode allowed = f.http.get(gateways + "/teams", t.alice()).json().at("/spec/listeners/0/allowedRoutes");
        assertThat(allowed.get("namespacesFrom").asText()).isEqualTo("SELECTOR");
        assertThat(allowed.get("namespaceSelector").toString()).isEqualTo("{\"matchLabels\":{\"team\":\"a\"},"
            + "\"matchExpressions\":[{\"key\":\"env\",\"operator\":\"NOT_IN\",\"values\":[\"prod\"]},"
            + "{\"key\":\"shared\",\"operator\":\"EXISTS\",\"values\":[]}]}");
    }

    private static void refused(String path, String body, String field, String message) {
        Http.Response r = f.http.post(path, body, t.alice());
        assertThat(r.status()).as(r.body()).isEqualTo(422);
        assertThat(r.json().get("field").asText()).as(r.body()).isEqualTo(field);
        assertThat(r.json().get("message").asText()).as(r.body()).contains(message);
    }
}
