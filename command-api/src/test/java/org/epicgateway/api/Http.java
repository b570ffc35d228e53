package org.epicgateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/** A tiny JSON-over-HTTP client for the integration tests (java.net.http). */
final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;

    Http(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    record Response(int status, HttpResponse<String> raw) {
        JsonNode json() {
            try {
                return HttpSupport.JSON.readTree(raw.body());
            } catch (IOException e) {
                throw new AssertionError("not JSON (status " + status + "): " + raw.body(), e);
            }
        }

        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        String body() {
            return raw.body();
        }
    }

    static String basic(String login, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((login + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    Response get(String path, String auth) {
        return send("GET", path, null, auth, null);
    }

    Response post(String path, String body, String auth) {
        return send("POST", path, body, auth, null);
    }

    Response put(String path, String body, String auth, String ifMatch) {
        return send("PUT", path, body, auth, ifMatch);
    }

    Response delete(String path, String auth, String ifMatch) {
        return send("DELETE", path, null, auth, ifMatch);
    }

    Response send(String method, String path, String body, String auth, String ifMatch) {
        return sendWithHeaders(method, path, body, auth, ifMatch == null ? Map.of() : Map.of("If-Match", ifMatch));
    }

    Response sendWithHeaders(String method, String path, String body, String auth, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(90))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json");
        if (auth != null) {
            b.header("Authorization", auth);
        }
        headers.forEach(b::header);
        try {
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r);
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
