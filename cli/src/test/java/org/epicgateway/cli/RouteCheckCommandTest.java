package org.epicgateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ./epic route-check} end to end: arguments, output lines, exit codes and error messages. */
class RouteCheckCommandTest {

    private static final String MANIFESTS = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: web, namespace: shop}
            spec:
              gatewayClassName: epic
              listeners: [{name: http, port: 80, protocol: HTTP}]
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: store, namespace: shop}
            spec:
              parentRefs: [{name: web}]
              hostnames: [store.example.com]
              rules:
                - matches: [{path: {type: PathPrefix, value: /cart}}]
                  backendRefs: [{name: cart, port: 8080, weight: 3}, {name: cart-canary, port: 8080, weight: 1}]
                - matches: [{path: {type: Exact, value: /old}}]
                  filters: [{type: RequestRedirect, requestRedirect: {scheme: https, statusCode: 301}}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: cart, namespace: shop}
            spec: {ports: [{port: 8080}]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: cart-canary, namespace: shop}
            spec: {ports: [{port: 8080}]}
            """;

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int exit = new CommandLine(new RouteCheckCommand()).execute(args);
            return new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void evaluatesEachRequestLineInOrder(@TempDir Path dir) throws Exception {
        Path manifests = Files.createDirectories(dir.resolve("m"));
        Files.writeString(manifests.resolve("all.yaml"), MANIFESTS);
        Path requests = Files.writeString(dir.resolve("requests.jsonl"), """
                {"host":"store.example.com","method":"GET","path":"/cart/items?x=1"}
                {"host":"store.example.com:80","path":"/old"}
                {"host":"nowhere.example.com","path":"/cart"}
                """);
        Run r = run("--manifests", manifests.toString(), "--requests", requests.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().lines().toList()).containsExactly(
                "{\"status\":200,\"backend\":null,\"backends\":[{\"backend\":\"shop/cart-canary:8080\",\"weight\":1},"
                        + "{\"backend\":\"shop/cart:8080\",\"weight\":3}],\"location\":null,\"host\":\"store.example.com\","
                        + "\"path\":\"/cart/items?x=1\"}",
                "{\"status\":301,\"backend\":null,\"location\":\"https://store.example.com/old\",\"host\":null,\"path\":null}",
                "{\"status\":404,\"backend\":null,\"location\":null,\"host\":null,\"path\":null}");
    }

    @Test
    void invalidManifestExitsNonZeroNamingDocumentAndField(@TempDir Path dir) throws Exception {
        Path manifests = Files.createDirectories(dir.resolve("m"));
        Files.writeString(manifests.resolve("bad.yaml"), MANIFESTS.replace("type: Exact, value: /old", "type: Exact, value: old"));
        Path requests = Files.writeString(dir.resolve("requests.jsonl"), "{\"host\":\"a\",\"path\":\"/\"}\n");
        Run r = run("--manifests", manifests.toString(), "--requests", requests.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("bad.yaml document 2 (HTTPRoute store)").contains("spec.rules[1].matches[0].path.value");
    }

    @Test
    void badRequestLineExitsNonZeroNamingTheLine(@TempDir Path dir) throws Exception {
        Path manifests = Files.createDirectories(dir.resolve("m"));
        Files.writeString(manifests.resolve("all.yaml"), MANIFESTS);
        Path requests = Files.writeString(dir.resolve("requests.jsonl"), "{\"host\":\"a\"}\n{not json\n");
        Run r = run("--manifests", manifests.toString(), "--requests", requests.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("requests line 2");
    }

    private static final String ISSUE_12_MANIFESTS = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: edge, namespace: shop}
            spec:
              gatewayClassName: epic
              listeners:
                - {name: http, port: 80, protocol: HTTP}
                - {name: tls, port: 443, protocol: TLS, hostname: "*.example.com", tls: {mode: Passthrough}}
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: store, namespace: shop}
            spec:
              parentRefs: [{name: edge, sectionName: http}]
              hostnames: [store.example.com]
              rules:
                - matches: [{path: {type: PathPrefix, value: /slow}}]
                  timeouts: {request: 30s}
                  retry: {codes: [503], attempts: 2}
                  filters: [{type: RequestMirror, requestMirror: {backendRef: {name: shadow, port: 8080}}}]
                  backendRefs: [{name: cart, port: 8080}]
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: GRPCRoute
            metadata: {name: echo, namespace: shop}
            spec:
              parentRefs: [{name: edge, sectionName: http}]
              hostnames: [grpc.example.com]
              rules: [{matches: [{method: {service: echo.v1.Echo, method: Say}}], backendRefs: [{name: echo, port: 50051}]}]
            ---
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: TLSRoute
            metadata: {name: db, namespace: shop}
            spec:
              parentRefs: [{name: edge, sectionName: tls}]
              hostnames: [db.example.com]
              rules: [{backendRefs: [{name: db, port: 5432}]}]
            """;

    /** Issue 12's inputs on the command line: a gRPC call, a TLS SNI, and --policies printing timeout, retry, mirrors. */
    @Test
    void grpcCallsSniAndPoliciesOnTheCommandLine(@TempDir Path dir) throws Exception {
        Path manifests = Files.createDirectories(dir.resolve("m"));
        Files.writeString(manifests.resolve("all.yaml"), ISSUE_12_MANIFESTS);
        Path requests = Files.writeString(dir.resolve("requests.jsonl"), """
                {"host":"store.example.com","path":"/slow/report"}
                {"host":"grpc.example.com","grpc":{"service":"echo.v1.Echo","method":"Say"}}
                {"port":443,"sni":"db.example.com"}
                {"port":443,"sni":"web.example.org"}
                """);
        Run r = run("--manifests", manifests.toString(), "--requests", requests.toString(), "--policies");
        assertThat(r.exit()).as(r.err()).isZero();
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : r.out().lines().toList()) {
            lines.add(json.readTree(line));
        }
        assertThat(lines).hasSize(4);
        JsonNode http = lines.get(0);
        assertThat(http.get("backend").asText()).isEqualTo("shop/cart:8080");
        assertThat(http.get("timeout").asText()).isEqualTo("30s");
        assertThat(http.get("retry").get("attempts").asInt()).isEqualTo(2);
        assertThat(http.get("retry").get("codes")).extracting(JsonNode::asInt).containsExactly(503);
        assertThat(http.get("mirrors").get(0).get("backend").asText()).isEqualTo("shop/shadow:8080");
        assertThat(lines.get(1).get("backend").asText()).isEqualTo("shop/echo:50051");
        assertThat(lines.get(1).get("path").asText()).isEqualTo("/echo.v1.Echo/Say");
        assertThat(lines.get(2).get("backend").asText()).isEqualTo("shop/db:5432");
        assertThat(lines.get(3).get("error").asText()).contains("no filter chain for SNI web.example.org");
    }

    @Test
    void envoyPrintsTheDerivedConfig(@TempDir Path dir) throws Exception {
        Path manifests = Files.createDirectories(dir.resolve("m"));
        Files.writeString(manifests.resolve("all.yaml"), MANIFESTS);
        Run r = run("--manifests", manifests.toString(), "--envoy");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("\"gatewayId\" : \"gateway/manifests/shop/web\"")
                .contains("\"pathSeparatedPrefix\" : \"/cart\"");
    }
}
