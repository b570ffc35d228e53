package org.epicgateway.projections.routecheck;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.epicgateway.projections.envoy.EnvoyConfig;
import org.epicgateway.projections.envoy.EnvoyDerivation;
import org.epicgateway.schemas.avro.GatewayView;

/**
 * {@code route-check}: loads manifests, derives each Gateway's Envoy config with the projections' own code, and
 * answers one JSON line per request line:
 * {@code {"status", "backend", "backends" (when weighted), "location", "host", "path"}} (plus {@code "route",
 * "requestHeaders", "responseHeaders", "responseHeadersRemoved"} when asked for headers, also on each weighted backend
 * whose backendRef filters change headers of its own, {@code "timeout", "retry",
 * "mirrors"} when asked for policies, or {@code "error"}).
 */
public final class RouteCheckRunner {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, EnvoyConfig> configs = new LinkedHashMap<>();

    /** Derives every Gateway of {@code views}; fails with the derivation's message if one is invalid. */
    public RouteCheckRunner(List<GatewayView> views) {
        for (GatewayView v : views) {
            configs.put(v.getGateway().getNamespace() + "/" + v.getGateway().getName(), EnvoyDerivation.derive(v));
        }
    }

    public static RouteCheckRunner fromManifests(Path dir) {
        return new RouteCheckRunner(ManifestLoader.load(dir));
    }

    public Map<String, EnvoyConfig> configs() {
        return configs;
    }

    /**
     * Evaluates each line of {@code requests} and prints one line per request to {@code out}, with the header changes
     * and the matched route's timeouts, retries and mirrors when asked.
     */
    public void run(Path requests, PrintStream out, boolean withHeaders, boolean withPolicies) throws IOException {
        List<String> lines = Files.readAllLines(requests);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            RouteCheck.Request request = parse(i + 1, line);
            RouteCheck.Result result = evaluate(request);
            ObjectNode o = toNode(result, withHeaders);
            if (withPolicies && result.error() == null) {
                putPolicies(o, result.route() == null ? Optional.empty()
                        : select(request).flatMap(c -> RouteCheck.policies(c, result.route())));
            }
            out.println(o);
        }
    }

    private static void putPolicies(ObjectNode o, Optional<RouteCheck.Policies> policies) {
        o.put("timeout", policies.map(RouteCheck.Policies::timeout).orElse(null));
        RouteCheck.Retry retry = policies.map(RouteCheck.Policies::retry).orElse(null);
        o.set("retry", retry == null ? null : JSON.valueToTree(retry));
        o.set("mirrors", JSON.valueToTree(policies.map(RouteCheck.Policies::mirrors).orElse(List.of())));
    }

    /** Parses one request line; the message names the line and what is wrong. */
    public static RouteCheck.Request parse(int lineNumber, String line) {
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("requests line " + lineNumber + ": not JSON: " + e.getOriginalMessage());
        }
        if (!n.isObject()) {
            throw new IllegalArgumentException("requests line " + lineNumber + ": not a JSON object");
        }
        if (n.has("port") && !n.get("port").canConvertToInt()) {
            throw new IllegalArgumentException("requests line " + lineNumber + ": port must be a number");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        n.path("headers").fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
        String host = n.hasNonNull("host") ? n.get("host").asText() : headers.getOrDefault("host", headers.get("Host"));
        String method = text(n, "method");
        String path = text(n, "path");
        JsonNode grpc = n.path("grpc");
        if (!grpc.isMissingNode()) {
            // A gRPC call is an HTTP/2 POST to /<service>/<method> with content-type application/grpc.
            if (path != null || !grpc.path("service").isTextual() || !grpc.path("method").isTextual()) {
                throw new IllegalArgumentException("requests line " + lineNumber
                        + ": grpc needs service and method (strings) and no path");
            }
            path = "/" + grpc.get("service").asText() + "/" + grpc.get("method").asText();
            method = method == null ? "POST" : method;
            headers.putIfAbsent("content-type", "application/grpc");
        }
        return new RouteCheck.Request(text(n, "gateway"), n.hasNonNull("port") ? n.get("port").asInt() : null, host,
                method, path, headers, text(n, "sni"));
    }

    public RouteCheck.Result evaluate(RouteCheck.Request request) {
        return select(request).map(c -> RouteCheck.evaluate(c, request))
                .orElseGet(() -> RouteCheck.Result.error(selectionProblem(request)));
    }

    /** The config of the request's gateway ({@code gateway}, a unique bare name, or the only one). */
    private Optional<EnvoyConfig> select(RouteCheck.Request request) {
        if (request.gateway() == null) {
            return configs.size() == 1 ? Optional.of(configs.values().iterator().next()) : Optional.empty();
        }
        EnvoyConfig config = configs.get(request.gateway());
        if (config == null && !request.gateway().contains("/")) {
            // A bare name is enough when it is unique across namespaces.
            List<EnvoyConfig> named = configs.entrySet().stream()
                    .filter(e -> e.getKey().endsWith("/" + request.gateway())).map(Map.Entry::getValue).toList();
            config = named.size() == 1 ? named.get(0) : null;
        }
        return Optional.ofNullable(config);
    }

    private String selectionProblem(RouteCheck.Request request) {
        return request.gateway() != null ? "no gateway " + request.gateway() + " in the manifests " + configs.keySet()
                : "the manifests hold " + configs.size() + " gateways " + configs.keySet()
                        + ": give the request a \"gateway\"";
    }

    private static ObjectNode toNode(RouteCheck.Result r, boolean withHeaders) {
        ObjectNode o = JSON.createObjectNode();
        if (r.error() != null) {
            o.put("error", r.error());
            return o;
        }
        o.put("status", r.status());
        o.put("backend", r.backend());
        if (!r.backends().isEmpty()) {
            ArrayNode backends = o.putArray("backends");
            r.backends().forEach(b -> {
                ObjectNode bo = backends.addObject().put("backend", b.backend()).put("weight", b.weight());
                if (withHeaders && b.requestHeaders() != null) {
                    bo.set("requestHeaders", JSON.valueToTree(b.requestHeaders()));
                    bo.set("responseHeaders", JSON.valueToTree(b.responseHeaders()));
                    bo.set("responseHeadersRemoved", JSON.valueToTree(b.responseHeadersRemoved()));
                }
            });
        }
        o.put("location", r.location());
        o.put("host", r.host());
        o.put("path", r.path());
        if (withHeaders) {
            o.put("route", r.route());
            o.set("requestHeaders", JSON.valueToTree(r.requestHeaders()));
            o.set("responseHeaders", JSON.valueToTree(r.responseHeaders()));
            o.set("responseHeadersRemoved", JSON.valueToTree(r.responseHeadersRemoved()));
        }
        return o;
    }

    private static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }
}
