package org.epicgateway.edge.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The controllers' only way into EPIC: its REST API under {@code /api/v1/accounts/{account}}. Writes go through the
 * batch endpoint, each object with its own idempotency key, so an object sent twice (a restart, a resync, a retry) is
 * one command and one event; deletes are single requests with a key too.
 */
public final class EpicApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /**
     * Where EPIC is and who the controller is there; {@code cluster}, when set, is the workload cluster it speaks
     * for (header {@code Epic-Cluster}): EPIC records that cluster as the owner of what it writes.
     */
    public record Connection(URI apiUrl, String account, String username, String password, String cluster) {
        public Connection {
            if (apiUrl == null || account == null || username == null || password == null) {
                throw new IllegalArgumentException("apiUrl, account, username and password are all required");
            }
        }

        public Connection(URI apiUrl, String account, String username, String password) {
            this(apiUrl, account, username, password, null);
        }

        /** A workload cluster's id as EPIC records it: a DNS subdomain (lower case, digits, '-', '.'). */
        public static boolean isClusterId(String id) {
            return id.length() <= 253 && id.matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
        }

        String authorization() {
            return "Basic " + Base64.getEncoder().encodeToString((username + "@" + account + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
        }
    }

    /** One object to apply: its kind's title, the create body, and the key that makes it one command. */
    public record Item(String kind, ObjectNode body, String idempotencyKey) {}

    /** What EPIC answered for one object: the HTTP status a single request would get, and the rest of its answer. */
    public record Result(int status, JsonNode answer) {
        public boolean ok() {
            return status / 100 == 2;
        }

        /**
         * Answered from EPIC's decided commands (the key was used before) while the object is not there: deleted
         * since, so only a new key creates it again. A replayed answer for a live object is a retry whose first answer
         * was lost, as good as done.
         */
        public boolean gone() {
            return ok() && answer.path("replayed").asBoolean() && !answer.path("live").asBoolean(true);
        }

        /** The error EPIC gave, naming the field, for a condition message. */
        public String problem() {
            String field = answer.path("field").asText("");
            return (field.isEmpty() ? "" : field + ": ") + answer.path("message").asText("status " + status);
        }
    }

    /** EPIC refused a whole request (auth, overload, unreachable): the caller retries later. */
    public static class Unavailable extends Exception {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Connection connection;
    private final HttpClient http;

    public EpicApi(Connection connection) {
        this.connection = connection;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    public Connection connection() {
        return connection;
    }

    /** Applies up to 1,000 objects in one request; one result per item, in order. */
    public List<Result> apply(List<Item> items) throws Unavailable {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode array = body.putArray("items");
        for (Item item : items) {
            ObjectNode o = array.addObject().put("kind", item.kind()).put("idempotencyKey", item.idempotencyKey());
            o.setAll(item.body());
        }
        JsonNode answer = send("POST", "/batch", body, null, 200);
        List<Result> results = new ArrayList<>();
        answer.get("results").forEach(r -> results.add(new Result(r.path("status").asInt(), r)));
        return results;
    }

    /**
     * Deletes one object ({@code collection} as in the URL: gateways, httproutes, ...; {@code namespace} null for an
     * account-wide one, a Namespace); absent counts as done.
     */
    public Result delete(String collection, String namespace, String name, String idempotencyKey) throws Unavailable {
        return single("DELETE", "/" + collection + "/" + name + (namespace == null ? "" : "?namespace="
            + URLEncoder.encode(namespace, StandardCharsets.UTF_8)), null, idempotencyKey);
    }

    /**
     * One write outside the batch endpoint: its answer as a {@link Result} (a DELETE of what is absent counts as
     * done); auth, overload and server errors are {@link Unavailable}, for the next round to retry.
     */
    private Result single(String method, String path, JsonNode body, String idempotencyKey) throws Unavailable {
        HttpRequest.Builder b = request(path, idempotencyKey);
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
            : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            int status = r.statusCode();
            if (status == 401 || status == 403 || status == 429 || status >= 500) {
                throw new Unavailable(method + " " + path + ": " + status + " " + r.body(), null);
            }
            return new Result(status == 404 && method.equals("DELETE") ? 200 : status,
                r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body()));
        } catch (IOException e) {
            throw new Unavailable(method + " " + path + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted", e);
        }
    }

    /**
     * Uploads (or rotates) the listener certificate {@code namespace/name}: PEM chain and key. A 422 names what is
     * wrong with it (expired, key not the certificate's, not PEM); the key material stays in EPIC's certificate store.
     */
    public Result putCertificate(String namespace, String name, String chainPem, String keyPem, String idempotencyKey)
            throws Unavailable {
        ObjectNode body = JSON.createObjectNode().put("certificate", chainPem).put("privateKey", keyPem);
        return single("PUT", "/certificates/" + namespace + "/" + name, body, idempotencyKey);
    }

    /** The content hash of the certificate EPIC's store holds as {@code namespace/name}; empty when it holds none. */
    public Optional<String> certificateHash(String namespace, String name) throws Unavailable {
        try {
            return Optional.of(send("GET", "/certificates/" + namespace + "/" + name, null, null, 200).path("sha256")
                .asText());
        } catch (NotFound e) {
            return Optional.empty();
        }
    }

    /** Removes the listener certificate {@code namespace/name}; absent counts as done. */
    public Result deleteCertificate(String namespace, String name, String idempotencyKey) throws Unavailable {
        return single("DELETE", "/certificates/" + namespace + "/" + name, null, idempotencyKey);
    }

    /** A gateway in EPIC: its account (this connection's, or another that shared it with this one), namespace, name. */
    public record GatewayRef(String account, String namespace, String name) {}

    /**
     * The Gateway API status EPIC derives for a gateway and the routes naming it; empty when EPIC has no view yet. A
     * gateway of another account is read through its shared status (this account's routes only), which is empty too
     * while the share is not granted.
     */
    public Optional<JsonNode> gatewayStatus(GatewayRef gateway) throws Unavailable {
        String path = (gateway.account().equals(connection.account()) ? "/gateways/"
            : "/shared-gateways/" + gateway.account() + "/") + gateway.namespace() + "/" + gateway.name() + "/status";
        try {
            return Optional.of(send("GET", path, null, null, 200));
        } catch (NotFound e) {
            return Optional.empty();
        }
    }

    /** An object EPIC holds: where it lives (namespace null for an account-wide one), its version and its spec. */
    public record Listed(String namespace, String name, long version, JsonNode spec) {}

    /** Every live object of a collection (gateways, httproutes, ...) of the account that {@code owner} wrote. */
    public List<Listed> listOwned(String collection, String owner) throws Unavailable {
        List<Listed> out = new ArrayList<>();
        String after = null;
        do {
            JsonNode page = send("GET", "/" + collection + "?limit=500&owner=" + URLEncoder.encode(owner,
                StandardCharsets.UTF_8) + (after == null ? "" : "&after=" + URLEncoder.encode(after,
                StandardCharsets.UTF_8)), null, null, 200);
            for (JsonNode item : page.path("items")) {
                String[] id = item.path("aggregateId").asText().split("/");
                out.add(new Listed(id.length == 4 ? id[2] : null, id[id.length - 1], item.path("version").asLong(),
                    item.path("spec")));
            }
            after = page.path("next").isTextual() ? page.path("next").asText() : null;
        } while (after != null);
        return out;
    }

    /**
     * The gateway that carries {@code sharingKey}: the account's own, else another account's that granted this one;
     * empty when neither does.
     */
    public Optional<GatewayRef> sharedGateway(String sharingKey) throws Unavailable {
        String key = URLEncoder.encode(sharingKey, StandardCharsets.UTF_8);
        for (JsonNode item : send("GET", "/gateways?limit=1&sharingKey=" + key, null, null, 200).path("items")) {
            String[] id = item.path("aggregateId").asText().split("/");
            return Optional.of(new GatewayRef(connection.account(), id[2], id[3]));
        }
        try {
            JsonNode other = send("GET", "/shared-gateways?sharingKey=" + key, null, null, 200);
            return Optional.of(new GatewayRef(other.path("owner").asText(), other.path("namespace").asText(),
                other.path("name").asText()));
        } catch (NotFound e) {
            return Optional.empty();
        }
    }

    /** Checks the connection and the credentials (the account is readable). */
    public void check() throws Unavailable {
        send("GET", "", null, null, 200);
    }

    private static final class NotFound extends Unavailable {
        NotFound(String message) {
            super(message, null);
        }
    }

    private JsonNode send(String method, String path, JsonNode body, String key, int expected) throws Unavailable {
        HttpRequest.Builder b = request(path, key);
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
            : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 404) {
                throw new NotFound(method + " " + path + ": " + r.body());
            }
            if (r.statusCode() != expected) {
                throw new Unavailable(method + " " + path + ": " + r.statusCode() + " " + r.body(), null);
            }
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new Unavailable(method + " " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted", e);
        }
    }

    private HttpRequest.Builder request(String path, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(connection.apiUrl().toString().replaceAll("/+$", "")
                + "/api/v1/accounts/" + connection.account() + path))
            .timeout(TIMEOUT).header("Authorization", connection.authorization());
        if (connection.cluster() != null) {
            b.header("Epic-Cluster", connection.cluster());
        }
        return key == null ? b : b.header("Idempotency-Key", key);
    }
}
