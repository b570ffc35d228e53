package org.epicgateway.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * A client for the Confluent Schema Registry REST API (Confluent SR, Karapace, Redpanda, Apicurio's
 * {@code /apis/ccompat/v7}), written here because Confluent's client jars are not on Maven Central. Only Avro.
 *
 * <p>Schema ids are immutable, so schemas by id and ids by (subject, schema) are cached for the life of the client;
 * share one client per registry URL.
 */
public final class SchemaRegistryClient {
  static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  /** Confluent's error code for "subject not found" and "schema not found" on lookups. */
  private static final int SUBJECT_NOT_FOUND = 40401;
  private static final int SCHEMA_NOT_FOUND = 40403;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration RETRY_PAUSE = Duration.ofMillis(100);

  private final String baseUrl;
  private final Duration timeout;
  private final HttpClient http;
  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
  private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();

  private record SubjectSchema(String subject, Schema schema) {}

  /**
   * @param baseUrl the API root, e.g. {@code http://127.0.0.1:8081} for Confluent SR or
   *     {@code http://127.0.0.1:8080/apis/ccompat/v7} for Apicurio; a trailing '/' is ignored
   */
  public SchemaRegistryClient(String baseUrl, Duration timeout) {
    if (baseUrl == null || baseUrl.isBlank()) {
      throw new IllegalArgumentException("schema registry URL is empty");
    }
    URI uri = URI.create(baseUrl.trim());
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      throw new IllegalArgumentException("schema registry URL '" + baseUrl + "' is not http(s)");
    }
    this.baseUrl = baseUrl.trim().replaceAll("/+$", "");
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  public SchemaRegistryClient(String baseUrl) {
    this(baseUrl, Duration.ofSeconds(30));
  }

  public String baseUrl() {
    return baseUrl;
  }

  /** Registers the schema under the subject (idempotent for an identical schema) and returns its id. */
  public int register(String subject, Schema schema) {
    SubjectSchema key = new SubjectSchema(subject, schema);
    Integer cached = idsBySubjectSchema.get(key);
    if (cached != null) {
      return cached;
    }
    JsonNode body = call("POST", "/subjects/" + encode(subject) + "/versions", subject, schemaBody(schema));
    int id = requiredInt(body, "id", "POST", "/subjects/" + subject + "/versions");
    idsBySubjectSchema.put(key, id);
    schemasById.putIfAbsent(id, schema);
    return id;
  }

  /** Finds the schema among the subject's versions; empty when the subject or the schema is not registered. */
  public Optional<RegisteredSchema> lookup(String subject, Schema schema) {
    JsonNode body;
    try {
      body = call("POST", "/subjects/" + encode(subject), subject, schemaBody(schema));
    } catch (SchemaRegistryException e) {
      if (e.status() == 404 && (e.errorCode() == SUBJECT_NOT_FOUND || e.errorCode() == SCHEMA_NOT_FOUND)) {
        return Optional.empty();
      }
      throw e;
    }
    String path = "/subjects/" + subject;
    RegisteredSchema found = new RegisteredSchema(subject, requiredInt(body, "version", "POST", path),
        requiredInt(body, "id", "POST", path), schema);
    idsBySubjectSchema.put(new SubjectSchema(subject, schema), found.id());
    schemasById.putIfAbsent(found.id(), schema);
    return Optional.of(found);
  }

  /** A version of a subject: a number, or {@code "latest"}. */
  public RegisteredSchema version(String subject, String version) {
    String path = "/subjects/" + encode(subject) + "/versions/" + encode(version);
    JsonNode body = call("GET", path, subject, null);
    int id = requiredInt(body, "id", "GET", path);
    Schema schema = schemasById.computeIfAbsent(id, i -> parse(requiredText(body, "schema", "GET", path), path));
    return new RegisteredSchema(subject, requiredInt(body, "version", "GET", path), id, schema);
  }

  /** The schema with this id (cached: ids never change meaning). */
  public Schema schemaById(int id) {
    return schemasById.computeIfAbsent(id, i -> {
      String path = "/schemas/ids/" + i;
      return parse(requiredText(call("GET", path, null, null), "schema", "GET", path), path);
    });
  }

  /** Sets the compatibility level of one subject. */
  public void setCompatibility(String subject, Compatibility level) {
    call("PUT", "/config/" + encode(subject), subject, compatibilityBody(level));
  }

  /** Sets the registry-wide default compatibility level. */
  public void setGlobalCompatibility(Compatibility level) {
    call("PUT", "/config", null, compatibilityBody(level));
  }

  /** Whether the schema may be registered next under the subject, by the subject's compatibility level. */
  public boolean testCompatibility(String subject, Schema schema) {
    String path = "/compatibility/subjects/" + encode(subject) + "/versions/latest";
    JsonNode body = call("POST", path, subject, schemaBody(schema));
    JsonNode verdict = body.get("is_compatible");
    if (verdict == null || !verdict.isBoolean()) {
      throw new SchemaRegistryException("POST " + baseUrl + path + ": response has no boolean is_compatible: " + body,
          200, 0, null);
    }
    return verdict.booleanValue();
  }

  private static ObjectNode schemaBody(Schema schema) {
    // schemaType may be omitted for Avro; Confluent SR 5.4 and older reject the field.
    return JSON.createObjectNode().put("schema", schema.toString());
  }

  private static ObjectNode compatibilityBody(Compatibility level) {
    return JSON.createObjectNode().put("compatibility", level.name());
  }

  private JsonNode call(String method, String path, String subject, JsonNode body) {
    String url = baseUrl + path;
    String what = method + " " + url + (subject == null ? "" : " (subject " + subject + ")");
    HttpRequest request = HttpRequest.newBuilder(URI.create(url))
        .timeout(timeout)
        .header("Accept", CONTENT_TYPE + ", application/json")
        .header("Content-Type", CONTENT_TYPE)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8))
        .build();
    HttpResponse<String> response = send(request, what);
    JsonNode json = readJson(response.body());
    if (response.statusCode() / 100 != 2) {
      int errorCode = json != null && json.path("error_code").isInt() ? json.get("error_code").intValue() : 0;
      String message = json != null && json.hasNonNull("message") ? json.get("message").asText() : response.body();
      throw new SchemaRegistryException(what + " returned HTTP " + response.statusCode()
          + (errorCode == 0 ? "" : " error_code " + errorCode) + ": " + message, response.statusCode(), errorCode, null);
    }
    if (json == null) {
      throw new SchemaRegistryException(what + " returned HTTP " + response.statusCode() + " with a body that is not JSON: "
          + response.body(), response.statusCode(), 0, null);
    }
    return json;
  }

  /**
   * Sends, waiting up to the client's timeout for a registry that is not serving yet (connection refused, or 503 while
   * it loads its storage): {@code epic up} starts the services while the registry still boots, and their first lookup
   * waits for it here. Past the timeout the error says how long it waited.
   */
  private HttpResponse<String> send(HttpRequest request, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String notServing;
      Exception cause = null;
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() != 503) {
          return response;
        }
        notServing = "HTTP 503: " + response.body();
      } catch (ConnectException e) {
        notServing = e.toString();
        cause = e;
      } catch (IOException e) {
        throw new SchemaRegistryException(what + " failed: " + e, 0, 0, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SchemaRegistryException(what + " interrupted", 0, 0, e);
      }
      if (System.nanoTime() > deadline) {
        throw new SchemaRegistryException(what + " failed: the registry did not serve within " + timeout + " (" + notServing
            + ")", cause == null ? 503 : 0, 0, cause);
      }
      try {
        Thread.sleep(RETRY_PAUSE);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SchemaRegistryException(what + " interrupted while waiting for the registry", 0, 0, e);
      }
    }
  }

  private static JsonNode readJson(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      return JSON.readTree(body);
    } catch (IOException notJson) {
      return null;
    }
  }

  private int requiredInt(JsonNode body, String field, String method, String path) {
    JsonNode value = body.get(field);
    if (value == null || !value.canConvertToInt()) {
      throw new SchemaRegistryException(method + " " + baseUrl + path + ": response has no integer '" + field + "': "
          + body, 200, 0, null);
    }
    return value.intValue();
  }

  private String requiredText(JsonNode body, String field, String method, String path) {
    JsonNode value = body.get(field);
    if (value == null || !value.isTextual()) {
      throw new SchemaRegistryException(method + " " + baseUrl + path + ": response has no string '" + field + "': "
          + body, 200, 0, null);
    }
    return value.textValue();
  }

  private Schema parse(String schema, String path) {
    try {
      return new Schema.Parser().parse(schema);
    } catch (RuntimeException e) {
      throw new SchemaRegistryException("GET " + baseUrl + path + ": registry returned a schema Avro cannot parse: "
          + e.getMessage(), 200, 0, e);
    }
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
