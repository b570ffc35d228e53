package org.epicgateway.cli.up;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * {@code epic up --exit-when-ready}'s proof that the platform works end to end: health, an admin login traded for a
 * bearer token, and one durable command through REST (create account {@value #ACCOUNT}, or find it from an earlier
 * run), read back. Throws naming the step and the answer when one fails.
 */
final class SmokeCheck {

    static final String ACCOUNT = "epic-smoke";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String root;
    private final String api;

    /** {@code apiUrl} is the REST API's base, e.g. {@code http://127.0.0.1:8080/api/v1}. */
    SmokeCheck(String apiUrl) {
        this.api = apiUrl;
        this.root = apiUrl.substring(0, apiUrl.indexOf("/api/"));
    }

    /** Runs every step; returns a one-line summary of what it did. */
    String run(String adminLogin, String adminPassword) throws IOException, InterruptedException {
        expect("health", send(HttpRequest.newBuilder(URI.create(root + "/healthz")).GET()), 200);
        String basic = "Basic " + Base64.getEncoder().encodeToString(
                (adminLogin + ":" + adminPassword).getBytes(StandardCharsets.UTF_8));
        String token = expect("login", send(HttpRequest.newBuilder(URI.create(api + "/tokens"))
                .header("Authorization", basic).POST(HttpRequest.BodyPublishers.noBody())), 201);
        token = new ObjectMapper().readTree(token).path("token").asText();
        String bearer = "Bearer " + token;
        HttpResponse<String> created = send(HttpRequest.newBuilder(URI.create(api + "/accounts"))
                .header("Authorization", bearer).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"account\":\"" + ACCOUNT + "\"}")));
        if (created.statusCode() != 409) {
            expect("create account " + ACCOUNT, created, 201);
        }
        expect("read account " + ACCOUNT, send(HttpRequest.newBuilder(URI.create(api + "/accounts/" + ACCOUNT))
                .header("Authorization", bearer).GET()), 200);
        return "health 200, login 201, create account " + ACCOUNT + " " + created.statusCode() + ", read it 200";
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String expect(String step, HttpResponse<String> response, int status) {
        if (response.statusCode() != status) {
            throw new IllegalStateException("smoke check, " + step + ": expected " + status + ", got "
                    + response.statusCode() + " " + response.body());
        }
        return response.body();
    }
}
