package org.epicgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.epicgateway.platform.secrets.KeytoolCertificates;

/**
 * The hostile-input suite of issue 14, on the real platform. For every write endpoint of the OpenAPI document it
 * starts from a body the platform accepts and derives violating inputs from the document's own schema keywords
 * (maxLength, minLength, pattern, enum, minimum/maximum, maxItems, required, types), adds control characters, 100 KB
 * values and the specific inputs the issue found accepted, and sends each. Then the HTTP edges: trailing JSON,
 * duplicate keys, wrong Content-Type, lowercase and overridden methods, malformed chunked bodies, bad names in the URL.
 * Every input must be refused with a 4xx naming the field, none may be a 5xx, and {@code epic.events} must not grow;
 * afterwards the platform still accepts a good write.
 */
class HostileInputTest {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final String BATCH = "POST /api/v1/accounts/{account}/batch";
    /** The kinds a batch takes, by the create endpoint whose body each of its objects is. */
    private static final Map<String, String> BATCH_KINDS = Map.of(
        "POST /api/v1/accounts/{account}/gateways", "Gateway",
        "POST /api/v1/accounts/{account}/httproutes", "HTTPRoute",
        "POST /api/v1/accounts/{account}/grpcroutes", "GRPCRoute",
        "POST /api/v1/accounts/{account}/tcproutes", "TCPRoute",
        "POST /api/v1/accounts/{account}/tlsroutes", "TLSRoute",
        "POST /api/v1/accounts/{account}/endpointslices", "EndpointSlice",
        "POST /api/v1/accounts/{account}/services", "Service",
        "POST /api/v1/accounts/{account}/referencegrants", "ReferenceGrant",
        "POST /api/v1/accounts/{account}/namespaces", "Namespace");
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static ApiFixture f;
    private static ApiFixture.Tenants t;
    private static String pool;
    private static String account;
    private static JsonNode openApi;

    private int tried;
    private int accepted;
    private int serverErrors;
    private final List<String> failures = new ArrayList<>();

    /** One hostile request and the field its refusal must name (null: the refusal need not name one). */
    private record Hostile(String method, String path, String contentType, String body, Map<String, String> headers,
                           String field, String what) {
    }

    private static KeytoolCertificates.Pem certificate;

    @BeforeAll
    static void setUp() throws Exception {
        f = ApiFixture.get();
        t = f.twoTenants("100.64.0.0/28");
        pool = ApiFixture.unique("pool");
        ApiFixture.created(f.http.post("/api/v1/pools", "{\"pool\":\"" + pool + "\",\"ranges\":[\"100.64.1.0/28\"]}",
            ApiFixture.ADMIN));
        account = t.a();
        openApi = f.http.get("/api/v1/openapi.json", null).json();
        certificate = KeytoolCertificates.selfSigned(Files.createTempDirectory("epic-hostile-"), "www.example.com",
            null, 30);
    }

    /** A body of each write endpoint that the platform accepts, rich enough to reach every record of its schema. */
    private static Map<String, String> bases() {
        String tmpl = ApiFixture.unique("tmpl");
        Map<String, String> b = new LinkedHashMap<>();
        b.put("POST /api/v1/pools", "{\"pool\":\"" + ApiFixture.unique("pool") + "\",\"ranges\":[\"100.64.2.0/28\","
            + "\"100.64.3.1-100.64.3.9\"],\"altPool\":\"" + pool + "\",\"aggregation\":\"default\"}");
        b.put("PUT /api/v1/pools/{name}", "{\"pool\":\"" + pool + "\",\"ranges\":[\"100.64.4.0/28\"],\"altPool\":\""
            + pool + "\",\"aggregation\":\"/32\"}");
        String template = "{\"pool\":\"" + pool + "\",\"dnsNamePattern\":\"{name}-{namespace}.{account}.gw.example.com\","
            + "\"replicas\":2,\"shareable\":false,\"envoyBaseConfig\":\"cluster:\\n  connectTimeout: 2s\\n\"";
        b.put("POST /api/v1/templates", "{\"template\":\"" + tmpl + "\"," + template.substring(1) + "}");
        b.put("PUT /api/v1/templates/{name}", template + "}");
        b.put("POST /api/v1/accounts", "{\"account\":\"" + ApiFixture.unique("acct") + "\",\"displayName\":\"A\"}");
        b.put("POST /api/v1/accounts/{account}/users",
            "{\"username\":\"" + ApiFixture.unique("u") + "\",\"password\":\"long-enough-1\",\"roles\":[\"tenant\"]}");
        b.put("PUT /api/v1/accounts/{account}/quota", "{\"maxGateways\":50}");
        String listeners = "\"listeners\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"HTTP\",\"hostname\":"
            + "\"*.example.com\",\"allowedRoutes\":{\"namespacesFrom\":\"SAME\",\"kinds\":[\"HTTPRoute\"]}},"
            + "{\"name\":\"tls\",\"port\":443,\"protocol\":\"HTTPS\",\"hostname\":\"www.example.com\","
            + "\"tlsCertificateRefs\":[{\"namespace\":\"default\",\"name\":\"cert\"}]},"
            + "{\"name\":\"pass\",\"port\":8443,\"protocol\":\"TLS\",\"hostname\":\"*.example.com\","
            + "\"tlsMode\":\"PASSTHROUGH\"}]";
        b.put("POST /api/v1/accounts/{account}/gateways", "{\"namespace\":\"default\",\"name\":\""
            + ApiFixture.unique("gw") + "\",\"template\":\"" + t.template() + "\"," + listeners + "}");
        b.put("PUT /api/v1/accounts/{account}/gateways/{name}", "{" + listeners + "}");
        String route = "\"parentRefs\":[{\"namespace\":\"default\",\"name\":\"edge\",\"sectionName\":\"http\","
            + "\"port\":80}],\"hostnames\":[\"shop.example.com\"],\"rules\":[{\"name\":\"api\",\"matches\":[{\"path\":"
            + "{\"type\":\"PATH_PREFIX\",\"value\":\"/api\"},\"headers\":[{\"type\":\"EXACT\",\"name\":\"x-env\","
            + "\"value\":\"prod\"}],\"queryParams\":[{\"type\":\"REGULAR_EXPRESSION\",\"name\":\"v\",\"value\":"
            + "\"[0-9]+\"}],\"method\":\"GET\"}],\"filters\":[{\"type\":\"REQUEST_HEADER_MODIFIER\","
            + "\"requestHeaderModifier\":{\"set\":[{\"name\":\"x-a\",\"value\":\"1\"}],\"add\":[{\"name\":\"x-b\","
            + "\"value\":\"2\"}],\"remove\":[\"x-c\"]}},{\"type\":\"URL_REWRITE\",\"urlRewrite\":{\"hostname\":"
            + "\"internal.example.com\",\"path\":{\"type\":\"REPLACE_FULL_PATH\",\"value\":\"/v2\"}}}],"
            + "\"backendRefs\":[{\"namespace\":\"default\",\"name\":\"web\",\"port\":8080,\"weight\":1,\"kind\":"
            + "\"Service\"}]},{\"matches\":[{\"path\":{\"type\":\"EXACT\",\"value\":\"/old\"}}],\"filters\":[{\"type\":"
            + "\"REQUEST_REDIRECT\",\"requestRedirect\":{\"scheme\":\"https\",\"hostname\":\"new.example.com\","
            + "\"path\":{\"type\":\"REPLACE_FULL_PATH\",\"value\":\"/new\"},\"port\":443,\"statusCode\":301}}]}]";
        b.put("POST /api/v1/accounts/{account}/httproutes", "{\"namespace\":\"default\",\"name\":\""
            + ApiFixture.unique("r") + "\"," + route + "}");
        b.put("PUT /api/v1/accounts/{account}/httproutes/{name}", "{" + route + "}");
        String grpc = "\"parentRefs\":[{\"name\":\"edge\",\"sectionName\":\"http\"}],\"hostnames\":"
            + "[\"rpc.example.com\"],\"rules\":[{\"name\":\"echo\",\"matches\":[{\"method\":{\"type\":\"EXACT\","
            + "\"service\":\"echo.v1.Echo\",\"method\":\"Say\"},\"headers\":[{\"type\":\"REGULAR_EXPRESSION\","
            + "\"name\":\"x-tenant\",\"value\":\"t-[0-9]+\"}]}],\"filters\":[{\"type\":\"RESPONSE_HEADER_MODIFIER\","
            + "\"responseHeaderModifier\":{\"set\":[{\"name\":\"x-a\",\"value\":\"1\"}]}},{\"type\":"
            + "\"REQUEST_MIRROR\",\"requestMirror\":{\"backendRef\":{\"name\":\"shadow\",\"port\":50051},"
            + "\"percent\":10}}],\"backendRefs\":[{\"name\":\"echo\",\"port\":50051,\"weight\":9},"
            + "{\"name\":\"echo-v2\",\"port\":50051,\"weight\":1}]}]";
        b.put("POST /api/v1/accounts/{account}/grpcroutes", "{\"name\":\"" + ApiFixture.unique("g") + "\"," + grpc + "}");
        b.put("PUT /api/v1/accounts/{account}/grpcroutes/{name}", "{" + grpc + "}");
        String tcp = "\"parentRefs\":[{\"name\":\"edge\",\"sectionName\":\"http\"}],\"rules\":[{\"name\":\"db\","
            + "\"backendRefs\":[{\"name\":\"db\",\"port\":5432,\"weight\":1}]}]";
        b.put("POST /api/v1/accounts/{account}/tcproutes", "{\"name\":\"" + ApiFixture.unique("t") + "\"," + tcp + "}");
        b.put("PUT /api/v1/accounts/{account}/tcproutes/{name}", "{" + tcp + "}");
        String tls = "\"parentRefs\":[{\"name\":\"edge\",\"sectionName\":\"http\"}],\"hostnames\":"
            + "[\"db.example.com\"],\"rules\":[{\"name\":\"db\",\"backendRefs\":[{\"name\":\"db\",\"port\":5432,"
            + "\"weight\":1}]}]";
        b.put("POST /api/v1/accounts/{account}/tlsroutes", "{\"name\":\"" + ApiFixture.unique("l") + "\"," + tls + "}");
        b.put("PUT /api/v1/accounts/{account}/tlsroutes/{name}", "{" + tls + "}");
        String slice = "\"serviceName\":\"web\",\"clusterId\":\"cluster-1\",\"ports\":[{\"name\":\"http\",\"port\":8080,"
            + "\"protocol\":\"TCP\"}],\"endpoints\":[{\"addresses\":[\"10.1.0.5\"],\"conditions\":{\"ready\":true,"
            + "\"serving\":true,\"terminating\":false},\"nodeName\":\"node-1\",\"nodeAddress\":\"198.51.100.7\","
            + "\"zone\":\"zone-a\"}]";
        b.put("POST /api/v1/accounts/{account}/endpointslices", "{\"name\":\"" + ApiFixture.unique("s") + "\","
            + slice + "}");
        b.put("PUT /api/v1/accounts/{account}/endpointslices/{name}", "{" + slice + "}");
        String service = "\"ports\":[{\"name\":\"http\",\"port\":8080,\"targetPort\":9090,\"appProtocol\":\"http\"}]";
        b.put("POST /api/v1/accounts/{account}/services", "{\"name\":\"" + ApiFixture.unique("svc") + "\","
            + service + "}");
        b.put("PUT /api/v1/accounts/{account}/services/{name}", "{" + service + "}");
        String grant = "\"from\":[{\"kind\":\"HTTPRoute\",\"namespace\":\"default\"}],\"to\":[{\"kind\":\"Service\","
            + "\"name\":\"web\"}]";
        b.put("POST /api/v1/accounts/{account}/referencegrants", "{\"name\":\"" + ApiFixture.unique("g") + "\","
            + grant + "}");
        b.put("PUT /api/v1/accounts/{account}/referencegrants/{name}", "{" + grant + "}");
        b.put("POST /api/v1/accounts/{account}/namespaces", "{\"name\":\"" + ApiFixture.unique("ns")
            + "\",\"labels\":{\"team\":\"a\",\"example.com/tier\":\"edge\"}}");
        b.put("PUT /api/v1/accounts/{account}/namespaces/{name}", "{\"labels\":{\"team\":\"b\"}}");
        b.put(BATCH, "{\"items\":[{\"kind\":\"EndpointSlice\",\"name\":\"" + ApiFixture.unique("s") + "\","
            + slice + "}]}");
        ObjectNode upload = JSON.objectNode().put("certificate", certificate.chain()).put("privateKey", certificate.key());
        b.put("PUT /api/v1/accounts/{account}/certificates/{namespace}/{name}", upload.toString());
        return b;
    }

    /** The names the item routes use: resources the bases create or that exist from the setup. */
    private static String url(String route) {
        return route.replace("{account}", account)
            .replace("/pools/{name}", "/pools/" + pool)
            .replace("/templates/{name}", "/templates/" + t.template())
            .replace("/gateways/{name}", "/gateways/edge")
            .replace("{namespace}", "default")
            .replace("{name}", "existing");
    }

    @Test
    void everyHostileInputIsRefusedNamingTheFieldWithNo5xxAndNoEvent() throws Exception {
        Map<String, String> bases = bases();
        // The documented write endpoints are exactly the ones with a base body here: a new one must get one.
        List<String> documented = new ArrayList<>();
        openApi.get("paths").fields().forEachRemaining(p -> p.getValue().fields().forEachRemaining(m -> {
            if (m.getValue().has("requestBody")) {
                documented.add(m.getKey().toUpperCase() + " " + p.getKey());
            }
        }));
        assertThat(bases.keySet()).containsExactlyInAnyOrderElementsOf(documented);

        // The parent gateway and resources the item routes name; each base must be what the platform accepts.
        String tenant = "/api/v1/accounts/" + account;
        ApiFixture.created(f.http.post(tenant + "/gateways", "{\"name\":\"edge\",\"template\":\"" + t.template()
            + "\",\"listeners\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"HTTP\"}]}", t.alice()));
        for (String kind : List.of("httproutes", "grpcroutes", "tcproutes", "tlsroutes", "endpointslices", "services",
            "referencegrants", "namespaces")) {
            String base = bases.get("POST /api/v1/accounts/{account}/" + kind);
            String existing = ((ObjectNode) HttpSupport.JSON.readTree(base)).put("name", "existing").toString();
            ApiFixture.created(f.http.post(tenant + "/" + kind, existing, t.alice()));
        }
        for (Map.Entry<String, String> base : bases.entrySet()) {
            String[] route = base.getKey().split(" ", 2);
            Http.Response r = send(new Hostile(route[0], url(route[1]), "application/json", base.getValue(), Map.of(),
                null, "base"));
            // A pool cannot be redefined (409); every other base is a write the platform accepts.
            int expected = route[1].equals("/api/v1/pools/{name}") ? 409
                : route[0].equals("POST") && !base.getKey().equals(BATCH) ? 201 : 200;
            assertThat(r.status()).as(base.getKey() + ": " + r.body()).isEqualTo(expected);
        }

        long eventsBefore = EventLog.size(f);
        for (Map.Entry<String, String> base : bases.entrySet()) {
            String[] route = base.getKey().split(" ", 2);
            if (base.getKey().equals(BATCH)) {
                // The batch's own framing; its objects get every violation of their kind's body below.
                for (Hostile h : edges(route[0], url(route[1]), base.getValue())) {
                    expectRefused(h);
                }
                continue;
            }
            ObjectNode body = (ObjectNode) HttpSupport.JSON.readTree(base.getValue());
            JsonNode schema = openApi.at("/paths/" + route[1].replace("/", "~1") + "/" + route[0].toLowerCase()
                + "/requestBody/content/application~1json/schema");
            List<Hostile> inputs = new ArrayList<>();
            mutations(body, schema, "", "", body, (edited, field, what) -> {
                if (edited == null) {
                    failures.add(base.getKey() + " " + field + ": " + what);
                } else {
                    inputs.add(new Hostile(route[0], url(route[1]), "application/json", edited, Map.of(), field, what));
                }
            });
            inputs.addAll(issueFindings(route[0], url(route[1]), base.getKey(), body));
            inputs.addAll(edges(route[0], url(route[1]), base.getValue()));
            for (Hostile h : inputs) {
                expectRefused(h);
            }
            String kind = BATCH_KINDS.get(base.getKey());
            if (kind != null) {
                for (Hostile h : inputs) {
                    if (h.contentType() != null && h.contentType().equals("application/json") && h.headers().isEmpty()
                        && h.method().equals("POST") && h.field() != null && !h.field().equals("body")) {
                        ObjectNode item = (ObjectNode) HttpSupport.JSON.readTree(h.body());
                        ObjectNode batch = JSON.objectNode();
                        batch.putArray("items").addObject().put("kind", kind).setAll(item);
                        expectRefused(new Hostile("POST", url(BATCH.split(" ", 2)[1]), "application/json",
                            batch.toString(), Map.of(), "items[0]." + h.field(), "batch " + h.what()));
                    }
                }
            }
        }
        urlParameters(tenant);
        malformedChunkedBodies(tenant);
        long appended = EventLog.size(f) - eventsBefore;

        System.out.printf("hostile inputs: tried %d, accepted %d, 5xx %d, events appended %d%n",
            tried, accepted, serverErrors, appended);
        assertThat(failures).as("refusals that were wrong").isEmpty();
        assertThat(accepted).isZero();
        assertThat(serverErrors).isZero();
        assertThat(appended).as("events appended by hostile inputs").isZero();
        assertThat(tried).isGreaterThan(500);

        // Still healthy: the health check answers and a good write is accepted.
        assertThat(f.http.get("/healthz", null).status()).isEqualTo(200);
        ApiFixture.created(f.http.post(tenant + "/gateways", "{\"name\":\"after\",\"template\":\"" + t.template()
            + "\",\"listeners\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"HTTP\"}]}", t.alice()));
    }

    @FunctionalInterface
    private interface Sink {
        void add(String body, String field, String what);
    }

    /**
     * Violations of every keyword the document states for each property of {@code node} (recursively): the JSON path
     * of the property is the field the refusal must name.
     */
    private static void mutations(ObjectNode node, JsonNode schema, String path, String pointer, ObjectNode root,
                                  Sink sink) {
        JsonNode s = resolve(schema);
        Iterator<Map.Entry<String, JsonNode>> props = s.path("properties").fields();
        while (props.hasNext()) {
            Map.Entry<String, JsonNode> p = props.next();
            String name = p.getKey();
            String at = path.isEmpty() ? name : path + "." + name;
            JsonNode ps = resolve(p.getValue());
            JsonNode current = node.get(name);
            String type = ps.path("type").asText();
            Consumer<JsonNode> set = v -> sink.add(edit(root, pointer, n -> n.set(name, v)), at, type + " " + v);
            // Nothing unbounded: every string and array states its limit in the document.
            JsonNode bounded = type.equals("array") ? resolve(ps.path("items")) : ps;
            boolean map = type.equals("object") && ps.path("additionalProperties").isObject();
            if (type.equals("array") && !ps.has("maxItems") || map && !ps.has("maxProperties")
                || bounded.path("type").asText().equals("string") && !bounded.has("maxLength") && !bounded.has("enum")
                || map && !ps.path("additionalProperties").has("maxLength")) {
                sink.add(null, at, "undocumented limit");
            }
            switch (type) {
                case "string" -> strings(ps, set);
                case "integer" -> integers(ps, set);
                case "boolean" -> set.accept(JSON.textNode("yes"));
                case "array" -> {
                    set.accept(JSON.objectNode());
                    JsonNode items = resolve(ps.path("items"));
                    if (current != null && current.isArray() && !current.isEmpty()) {
                        if (ps.has("maxItems")) {
                            ArrayNode many = JSON.arrayNode();
                            for (int i = 0; i <= ps.get("maxItems").asInt(); i++) {
                                many.add(current.get(0).deepCopy());
                            }
                            set.accept(many);
                        }
                        if (ps.path("minItems").asInt() > 0) {
                            set.accept(JSON.arrayNode());
                        }
                        for (int i = 0; i < current.size(); i++) {
                            int index = i;
                            String item = at + "[" + i + "]";
                            if (items.path("type").asText().equals("object")) {
                                mutations((ObjectNode) current.get(i), ps.path("items"), item,
                                    pointer + "/" + name + "/" + i, root, sink);
                            } else if (i == 0) {
                                strings(items, v -> sink.add(edit(root, pointer,
                                    n -> ((ArrayNode) n.get(name)).set(index, v)), item, "item " + v));
                                sink.add(edit(root, pointer, n -> ((ArrayNode) n.get(name)).set(index,
                                    JSON.numberNode(7))), item, "item of the wrong type");
                            }
                        }
                    }
                }
                case "object" -> {
                    set.accept(JSON.arrayNode());
                    if (map && current != null && current.isObject() && !current.isEmpty()) {
                        // A map (labels): too many entries, and every bad value under its first key.
                        ObjectNode many = JSON.objectNode();
                        for (int i = 0; i <= ps.get("maxProperties").asInt(); i++) {
                            many.set("k" + i, current.elements().next().deepCopy());
                        }
                        set.accept(many);
                        String key = current.fieldNames().next();
                        strings(ps.path("additionalProperties"), v -> sink.add(edit(root, pointer,
                            n -> ((ObjectNode) n.get(name)).set(key, v)), at + "." + key, "value " + v));
                    } else if (current != null && current.isObject()) {
                        mutations((ObjectNode) current, p.getValue(), at, pointer + "/" + name, root, sink);
                    }
                }
                default -> {
                }
            }
            if (current != null && contains(s.path("required"), name)) {
                sink.add(edit(root, pointer, n -> n.remove(name)), at, "required field removed");
            }
        }
    }

    private static void strings(JsonNode s, Consumer<JsonNode> set) {
        int max = s.path("maxLength").asInt(253);
        set.accept(JSON.textNode("a".repeat(max + 1)));
        set.accept(JSON.textNode("x".repeat(100_000)));
        if (s.path("minLength").asInt(0) > 0) {
            set.accept(JSON.textNode(""));
        }
        set.accept(JSON.textNode("a\u0000b"));
        set.accept(JSON.textNode("a\u001bb"));
        if (!s.path("description").asText().contains("other than tab, CR and LF")) {
            set.accept(JSON.textNode("a\r\nSet-Cookie: x=1"));
            set.accept(JSON.textNode("a\nb"));
        }
        if (s.has("pattern")) {
            set.accept(JSON.textNode("Bad Value"));
            set.accept(JSON.textNode("a/b"));
        }
        if (s.has("enum")) {
            set.accept(JSON.textNode("NOT_IN_ENUM"));
            set.accept(JSON.textNode(s.get("enum").get(0).asText().toLowerCase() + " "));
        }
        set.accept(JSON.numberNode(12));
        set.accept(JSON.objectNode());
    }

    private static void integers(JsonNode s, Consumer<JsonNode> set) {
        if (s.has("minimum")) {
            set.accept(JSON.numberNode(s.get("minimum").asLong() - 1));
        }
        if (s.has("maximum")) {
            set.accept(JSON.numberNode(s.get("maximum").asLong() + 1));
        }
        if (s.has("enum")) {
            set.accept(JSON.numberNode(200));
            set.accept(JSON.numberNode(399));
        }
        set.accept(JSON.numberNode(Integer.MAX_VALUE));
        set.accept(JSON.numberNode(Integer.MIN_VALUE));
        set.accept(JSON.numberNode(1L << 31));
        set.accept(JSON.numberNode(1.5));
        set.accept(JSON.textNode("80"));
    }

    /** The inputs issue 14 found accepted, at the fields they were found in. */
    private static List<Hostile> issueFindings(String method, String url, String route, ObjectNode body) {
        List<Hostile> out = new ArrayList<>();
        Sink sink = (edited, field, what) -> out.add(new Hostile(method, url, "application/json", edited, Map.of(),
            field, what));
        if (route.endsWith("/httproutes") || route.endsWith("/httproutes/{name}")) {
            String match = "/rules/0/matches/0";
            for (String v : List.of("((a{1000}){1000}){1000}", "(a{1000}){1000}", "/api/(v1", "a(?=b)")) {
                sink.add(edit(body, match, m -> ((ObjectNode) m.get("path")).put("type", "REGULAR_EXPRESSION")
                    .put("value", v)), "rules[0].matches[0].path.value", "regex " + v);
                sink.add(edit(body, match, m -> ((ObjectNode) m.at("/headers/0")).put("type", "REGULAR_EXPRESSION")
                    .put("value", v)), "rules[0].matches[0].headers[0].value", "header regex " + v);
                sink.add(edit(body, match, m -> ((ObjectNode) m.at("/queryParams/0")).put("value", v)),
                    "rules[0].matches[0].queryParams[0].value", "query regex " + v);
            }
            for (String v : List.of("/a\r\nb", "/a\u0000", "//evil.example.com", "/a/../b", "/a%2fb", "api")) {
                sink.add(edit(body, match, m -> ((ObjectNode) m.get("path")).put("value", v)),
                    "rules[0].matches[0].path.value", "path " + v);
            }
            String redirect = "/rules/1/filters/0/requestRedirect";
            for (String v : List.of("javascript", "ftp", "http\r\nLocation: x", "HTTP")) {
                sink.add(edit(body, redirect, r -> r.put("scheme", v)), "rules[1].filters[0].requestRedirect.scheme",
                    "scheme " + v);
            }
            for (int code : new int[] {200, 304, 399, 500, 0}) {
                sink.add(edit(body, redirect, r -> r.put("statusCode", code)),
                    "rules[1].filters[0].requestRedirect.statusCode", "status " + code);
            }
            sink.add(edit(body, redirect, r -> ((ObjectNode) r.get("path")).put("value", "//evil.example.com")),
                "rules[1].filters[0].requestRedirect.path.value", "redirect to another host");
            String modifier = "/rules/0/filters/0/requestHeaderModifier";
            for (String v : List.of("", "x\r\ny", ":authority", ":path", "Host", "host", "a b")) {
                sink.add(edit(body, modifier, m -> ((ObjectNode) m.at("/set/0")).put("name", v)),
                    "rules[0].filters[0].requestHeaderModifier.set[0].name", "header name " + v);
                sink.add(edit(body, modifier, m -> ((ArrayNode) m.get("remove")).set(0, JSON.textNode(v))),
                    "rules[0].filters[0].requestHeaderModifier.remove[0]", "removed header " + v);
            }
            sink.add(edit(body, modifier, m -> ((ObjectNode) m.at("/add/0")).put("value", "v\r\nX-Injected: 1")),
                "rules[0].filters[0].requestHeaderModifier.add[0].value", "header value with CRLF");
            for (String kind : List.of("Pod", "ServiceImport", "service", "")) {
                sink.add(edit(body, "/rules/0/backendRefs/0", b -> b.put("kind", kind)),
                    "rules[0].backendRefs[0].kind", "backend kind " + kind);
            }
            sink.add(edit(body, "/rules/1", r -> r.set("backendRefs",
                body.at("/rules/0/backendRefs").deepCopy())), "rules[1].backendRefs", "redirect with backends");
            sink.add(edit(body, "/rules/0/filters/0", fl -> fl.putObject("requestRedirect")),
                "rules[0].filters[0].requestRedirect", "settings of another filter type");
        }
        if (route.endsWith("/endpointslices") || route.endsWith("/endpointslices/{name}")) {
            String endpoint = "/endpoints/0";
            for (String a : List.of("127.0.0.1", "0.0.0.0", "::", "::1", "169.254.169.254", "fe80::1", "224.0.0.1",
                "ff02::1", "255.255.255.255", "::ffff:127.0.0.1", "10.0.0.256", "localhost")) {
                sink.add(edit(body, endpoint, e -> ((ArrayNode) e.get("addresses")).set(0, JSON.textNode(a))),
                    "endpoints[0].addresses[0]", "endpoint address " + a);
            }
            sink.add(edit(body, endpoint, e -> e.put("nodeAddress", "127.0.0.1")), "endpoints[0].nodeAddress",
                "loopback node");
            sink.add(edit(body, endpoint, e -> e.put("nodeName", "n".repeat(700_000))), "body", "0.7 MB field");
        }
        if (route.startsWith("POST /api/v1/pools") || route.startsWith("PUT /api/v1/pools")) {
            for (String r : List.of("0.0.0.0/0", "::/0", "127.0.0.0/8", "224.0.0.0/4", "ff00::/8", "169.254.0.0/16",
                "100.64.2.1/24", "1.2.3.4/33", "255.255.255.255-255.255.255.255")) {
                sink.add(edit(body, "", p -> ((ArrayNode) p.get("ranges")).set(0, JSON.textNode(r))), "ranges[0]",
                    "range " + r);
            }
            // Overlapping another pool is the decider's to find (it needs the other pools); a PUT of an existing pool
            // is refused for that first.
            for (String r : List.of("100.64.0.0/28", "100.64.0.8-100.64.0.9")) {
                sink.add(edit(body, "", p -> {
                    p.set("ranges", JSON.arrayNode().add(r));
                    if (method.equals("POST")) {
                        p.put("pool", ApiFixture.unique("overlap"));
                    }
                }), method.equals("PUT") ? "pool" : "ranges[0]", "overlapping range " + r);
            }
            ArrayNode tenThousand = JSON.arrayNode();
            for (int i = 0; i < 10_000; i++) {
                tenThousand.add("10." + i / 256 + "." + i % 256 + ".0/24");
            }
            sink.add(edit(body, "", p -> p.set("ranges", tenThousand)), "ranges", "10,000 ranges");
        }
        if (route.contains("/templates")) {
            for (String config : List.of("{\"listener\": [unclosed", "not: [valid", "{\"bogus\":{}}", "[1,2]")) {
                sink.add(edit(body, "", p -> p.put("envoyBaseConfig", config)), "envoyBaseConfig", "base " + config);
            }
        }
        if (route.contains("/gateways")) {
            ArrayNode thousand = JSON.arrayNode();
            for (int i = 0; i < 1000; i++) {
                thousand.addObject().put("name", "l" + i).put("port", 1 + i).put("protocol", "HTTP");
            }
            sink.add(edit(body, "", g -> g.set("listeners", thousand)), "listeners", "1,000 listeners");
            sink.add(edit(body, "/listeners/0", l -> l.put("protocol", "TCP")),
                "listeners[0].hostname", "hostname on a TCP listener");
        }
        return out;
    }

    /** The body's framing and the request line around an otherwise good body. */
    private static List<Hostile> edges(String method, String url, String good) {
        List<Hostile> out = new ArrayList<>();
        for (String trailing : List.of(" x", "{}", " []", "\"x\"", " 1", "}")) {
            out.add(new Hostile(method, url, "application/json", good + trailing, Map.of(), "body", "trailing"));
        }
        out.add(new Hostile(method, url, "application/json", "{\"a\":1," + good.substring(1).replaceFirst("^", "\"a\":2,"),
            Map.of(), "body", "duplicate key"));
        String first = good.substring(2, good.indexOf('"', 2));
        out.add(new Hostile(method, url, "application/json", good.replaceFirst("\\{", "{\"" + first + "\":null,"),
            Map.of(), "body", "duplicate key " + first));
        for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "application/xml",
            "application/json; charset=latin1", "application/jsonx", "multipart/form-data; boundary=x")) {
            out.add(new Hostile(method, url, type, good, Map.of(), "Content-Type", type));
        }
        out.add(new Hostile(method, url, null, good, Map.of(), "Content-Type", "no content type"));
        out.add(new Hostile(method, url, "application/json", "", Map.of(), "body", "empty"));
        out.add(new Hostile(method, url, "application/json", "{\"a\":", Map.of(), "body", "truncated"));
        out.add(new Hostile(method, url, "application/json", "{\"a\":\"\\ud800\"", Map.of(), "body", "broken"));
        out.add(new Hostile(method.toLowerCase(), url, "application/json", good, Map.of(), null, "lowercase method"));
        out.add(new Hostile(method, url, "application/json", good, Map.of("X-HTTP-Method-Override", "DELETE"),
            "X-HTTP-Method-Override", "method override"));
        out.add(new Hostile(method, url, "application/json", good, Map.of("X-HTTP-Method", "DELETE"),
            "X-HTTP-Method", "method override"));
        return out;
    }

    /** Names in the URL: empty, with '/', upper case, too long, control characters. */
    private void urlParameters(String tenant) {
        String gw = "{\"listeners\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"HTTP\"}]}";
        for (String name : List.of("Bad_Name", "a%2Fb", "x".repeat(64), "a%0D%0Ab", "a%20b")) {
            expectRefused(new Hostile("PUT", tenant + "/gateways/" + name, "application/json", gw, Map.of(), "name",
                "path name " + name));
            expectRefused(new Hostile("DELETE", tenant + "/httproutes/" + name, null, null, Map.of(), "name",
                "path name " + name));
        }
        // Refused by the HTTP server itself (Jetty: "Bad Message 400") before any route runs.
        for (String name : List.of("a%00b", "..")) {
            expectRefused(new Hostile("DELETE", tenant + "/httproutes/" + name, null, null, Map.of(), null,
                "path name " + name));
        }
        for (String ns : List.of("", "a%2Fb", "Default", "n".repeat(64), "a%0Ab")) {
            expectRefused(new Hostile("POST", tenant + "/gateways?namespace=" + ns, "application/json",
                "{\"name\":\"q\",\"template\":\"" + t.template() + "\"," + gw.substring(1), Map.of(), "namespace",
                "namespace " + ns));
        }
        for (String acct : List.of("Bad_Account", "a%2Fb", "x".repeat(64))) {
            expectRefused(new Hostile("POST", "/api/v1/accounts/" + acct + "/gateways", "application/json", gw,
                Map.of(), "account", "account " + acct));
        }
        for (String name : List.of("", "a/b", "Bad")) {
            expectRefused(new Hostile("POST", tenant + "/gateways", "application/json", "{\"name\":\"" + name
                + "\",\"template\":\"" + t.template() + "\"," + gw.substring(1), Map.of(), "name", "body name " + name));
        }
        expectRefused(new Hostile("POST", tenant + "/gateways", "application/json", "{\"name\":\"x\",\"namespace\":"
            + "\"a/b\",\"template\":\"" + t.template() + "\"," + gw.substring(1), Map.of(), "namespace", "body ns"));
    }

    /** Chunked framing that lies (bad sizes, missing terminator) on a raw socket: 400, never 5xx. */
    private void malformedChunkedBodies(String tenant) throws IOException {
        String body = "{\"name\":\"chunky\",\"template\":\"" + t.template() + "\",\"listeners\":[]}";
        List<String> framings = List.of(
            "zz\r\n" + body + "\r\n0\r\n\r\n",
            Integer.toHexString(body.length() + 50) + "\r\n" + body + "\r\n0\r\n\r\n",
            "5\r\n{\"nam\r\nzz\r\n\r\n",
            "ffffffffffffffff\r\n" + body + "\r\n0\r\n\r\n",
            "-1\r\n" + body + "\r\n0\r\n\r\n");
        for (String framing : framings) {
            tried++;
            String request = "POST " + tenant + "/gateways HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + t.alice()
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + framing;
            int status;
            try (Socket socket = new Socket("127.0.0.1", f.api.port())) {
                socket.setSoTimeout(15_000);
                OutputStream out = socket.getOutputStream();
                out.write(request.getBytes(StandardCharsets.UTF_8));
                out.flush();
                socket.shutdownOutput();
                InputStream in = socket.getInputStream();
                String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
                status = head.length() >= 12 ? Integer.parseInt(head.substring(9, 12)) : 0;
            }
            if (status >= 500) {
                serverErrors++;
            }
            if (status < 400 || status >= 500) {
                if (status < 400) {
                    accepted++;
                }
                failures.add("chunked framing " + framing.substring(0, Math.min(20, framing.length())).replace("\r\n",
                    "\\r\\n") + ": status " + status);
            }
        }
    }

    private void expectRefused(Hostile h) {
        tried++;
        Http.Response r;
        try {
            r = send(h);
        } catch (IOException e) {
            failures.add(h.what() + " at " + h.field() + ": " + e);
            return;
        }
        JsonNode answer;
        try {
            answer = HttpSupport.JSON.readTree(r.body());
        } catch (IOException e) {
            answer = JSON.objectNode();
        }
        int status = r.status();
        if (status == 200 && h.path().endsWith("/batch")) {
            // A batch answers each object on its own: the object's status and field are what count.
            answer = answer.path("results").path(0);
            status = answer.path("status").asInt(200);
        }
        if (status >= 500) {
            serverErrors++;
        } else if (status < 400) {
            accepted++;
        }
        String problem = null;
        if (status < 400 || status >= 500) {
            problem = "status " + status;
        } else if (h.field() != null) {
            if (!h.field().equals(answer.path("field").asText(null))) {
                problem = "status " + status + " names field " + answer.path("field").asText(null);
            }
        }
        if (problem != null) {
            String body = r.body();
            failures.add(h.method() + " " + h.path() + " " + h.what().substring(0, Math.min(60, h.what().length()))
                + " (expected field " + h.field() + "): " + problem + ": "
                + body.substring(0, Math.min(200, body.length())));
        }
    }

    private static Http.Response send(Hostile h) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + f.api.port() + h.path()))
            .timeout(Duration.ofSeconds(60))
            .method(h.method(), h.body() == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(h.body()))
            .header("Authorization", ApiFixture.ADMIN);
        if (h.contentType() != null) {
            b.header("Content-Type", h.contentType());
        }
        h.headers().forEach(b::header);
        try {
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Http.Response(r.statusCode(), r);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** A copy of the whole body in which the object at {@code pointer} was changed by {@code change}. */
    private static String edit(ObjectNode root, String pointer, Consumer<ObjectNode> change) {
        ObjectNode copy = root.deepCopy();
        change.accept(pointer.isEmpty() ? copy : (ObjectNode) copy.at(pointer));
        return copy.toString();
    }

    private static JsonNode resolve(JsonNode schema) {
        if (schema.has("$ref")) {
            return openApi.at(schema.get("$ref").asText().substring(1));
        }
        return schema;
    }

    private static boolean contains(JsonNode array, String value) {
        for (JsonNode v : array) {
            if (v.asText().equals(value)) {
                return true;
            }
        }
        return false;
    }
}
