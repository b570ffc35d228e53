package org.epicgateway.api.openapi;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.epicgateway.api.HttpSupport;
import org.epicgateway.api.auth.Access;
import org.epicgateway.api.resources.ResourceKind;
import org.epicgateway.api.resources.ResourceKind.BodySchema;
import org.epicgateway.api.validation.Limit;
import org.epicgateway.api.validation.Limits;

/**
 * The OpenAPI 3.0 document, generated from the same route table the server registers. Request bodies are the Avro
 * command schemas rendered as JSON Schema (the JSON mirrors them), minus the fields the URL supplies.
 */
public final class OpenApiDocument {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}]+)}");

    private final ObjectNode schemas = JSON.objectNode();

    private OpenApiDocument() {
    }

    public static ObjectNode build(List<ApiRoute> routes, String version) {
        return new OpenApiDocument().document(routes, version);
    }

    private ObjectNode document(List<ApiRoute> routes, String version) {
        ObjectNode doc = JSON.objectNode().put("openapi", "3.0.3");
        doc.putObject("info").put("title", "EPIC command API").put("version", version)
            .put("description", "Every write becomes a command decided by the EPIC decider; the answer comes after the "
                + "resulting event is durable on epic.events. Log in with HTTP Basic as <username>@<account>, or with "
                + "a bearer token from POST /api/v1/tokens.");
        ObjectNode paths = doc.putObject("paths");
        for (ApiRoute route : routes) {
            ObjectNode item = paths.has(route.path()) ? (ObjectNode) paths.get(route.path()) : paths.putObject(route.path());
            item.set(route.method().name().toLowerCase(Locale.ROOT), operation(route));
        }
        ObjectNode components = doc.putObject("components");
        ObjectNode security = components.putObject("securitySchemes");
        security.putObject("basic").put("type", "http").put("scheme", "basic");
        security.putObject("bearer").put("type", "http").put("scheme", "bearer");
        schemas.set("Error", JSON.objectNode().put("type", "object")
            .<ObjectNode>set("required", JSON.arrayNode().add("code").add("message"))
            .set("properties", JSON.objectNode()
                .<ObjectNode>set("code", JSON.objectNode().put("type", "string"))
                .<ObjectNode>set("message", JSON.objectNode().put("type", "string"))
                .set("field", JSON.objectNode().put("type", "string"))));
        components.set("schemas", schemas);
        return doc;
    }

    private ObjectNode operation(ApiRoute route) {
        ObjectNode op = JSON.objectNode().put("summary", route.summary())
            .put("operationId", operationId(route));
        op.putArray("tags").add(route.tag());
        ArrayNode params = op.putArray("parameters");
        Matcher m = PATH_PARAM.matcher(route.path());
        while (m.find()) {
            parameterLimits(m.group(1), params.addObject().put("name", m.group(1)).put("in", "path")
                .put("required", true).putObject("schema").put("type", "string"));
        }
        for (String q : route.queryParams()) {
            parameterLimits(q, params.addObject().put("name", q).put("in", "query").put("required", false)
                .putObject("schema").put("type", "string"));
        }
        if (route.command()) {
            params.addObject().put("name", HttpSupport.IDEMPOTENCY_KEY).put("in", "header").put("required", false)
                .put("description", "Makes a retry the same command: the same key from the same user gets the first "
                    + "attempt's answer and appends nothing. 1-128 characters of A-Z a-z 0-9 . _ : -")
                .putObject("schema").put("type", "string").put("pattern", "^[A-Za-z0-9._:-]{1,128}$");
        }
        if (route.body() != null) {
            op.putObject("requestBody").put("required", true).putObject("content").putObject("application/json")
                .set("schema", switch (route.body()) {
                    case BodySchema b -> body(b);
                    case BatchBody b -> batch(b);
                    case CertificateBody b -> b.schema();
                    default -> throw new IllegalArgumentException("no schema for " + route.body());
                });
        }
        if (route.access() == Access.PUBLIC) {
            op.putArray("security");
        } else {
            ArrayNode sec = op.putArray("security");
            sec.addObject().putArray("basic");
            sec.addObject().putArray("bearer");
        }
        ObjectNode responses = op.putObject("responses");
        responses.putObject(Integer.toString(route.success())).put("description", "success");
        List<Integer> errors = new ArrayList<>(List.of(400, 401, 403, 404, 409, 413));
        if (route.body() != null) {
            errors.add(415);
        }
        errors.add(422);
        if (route.command()) {
            errors.addAll(List.of(429, 503));
        }
        for (int status : errors) {
            responses.putObject(Integer.toString(status)).put("description", "error")
                .putObject("content").putObject("application/json").putObject("schema")
                .put("$ref", "#/components/schemas/Error");
        }
        return op;
    }

    private static void parameterLimits(String name, ObjectNode schema) {
        Limit limit = Limits.parameter(name);
        if (limit != null) {
            limit.document(schema);
        }
    }

    private static Schema nonNull(Schema s) {
        return s.getType() != Schema.Type.UNION ? s
            : s.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst().orElseThrow();
    }

    private static String operationId(ApiRoute route) {
        String cleaned = route.path().replace("/api/v1/", "").replaceAll("[{}]", "").replace('/', '_');
        return route.method().name().toLowerCase(Locale.ROOT) + "_" + cleaned;
    }

    /** The JSON Schema of a request body (public for the consistency test of the mappers). */
    public ObjectNode body(BodySchema body) {
        ObjectNode schema = record(body.avro(), body.omitted());
        ArrayNode required = (ArrayNode) schema.get("required");
        for (int i = required.size() - 1; i >= 0; i--) {
            if (body.optional().contains(required.get(i).asText())) {
                required.remove(i);
            }
        }
        body.extraProperties().fields().forEachRemaining(e -> {
            ObjectNode property = e.getValue().deepCopy();
            Limits.of(body.avro().getName(), e.getKey(), false).document(property);
            ((ObjectNode) schema.get("properties")).set(e.getKey(), property);
        });
        body.extraRequired().forEach(required::add);
        return schema;
    }

    /** {@code {"items":[...]}}, each item one kind's create body plus {@code kind}. */
    private ObjectNode batch(BatchBody batch) {
        ArrayNode oneOf = JSON.arrayNode();
        for (ResourceKind kind : batch.kinds()) {
            ObjectNode item = body(kind.createBody());
            ((ObjectNode) item.get("properties")).putObject("kind").put("type", "string").putArray("enum")
                .add(kind.title());
            ((ArrayNode) item.get("required")).add("kind");
            ((ObjectNode) item.get("properties")).putObject(BatchBody.OBJECT_KEY).put("type", "string")
                .put("minLength", 1).put("maxLength", 128).put("pattern", "^[A-Za-z0-9._:-]+$")
                .put("description", "This object's own Idempotency-Key: the same key is the same command whatever "
                    + "batch carries it (instead of the header's <key>/<index>)");
            oneOf.add(item);
        }
        ObjectNode schema = JSON.objectNode().put("type", "object").put("additionalProperties", false)
            .put("description", "Objects to apply (created when absent, replaced when present), each its own "
                + "command; the answer has one result per object, in order: status, commandId, version, or the "
                + "error with its field as items[i].<field>");
        schema.putArray("required").add("items");
        ObjectNode items = schema.putObject("properties").putObject("items").put("type", "array")
            .put("minItems", 1).put("maxItems", batch.maxItems());
        items.putObject("items").set("oneOf", oneOf);
        return schema;
    }

    /** A fresh generator, for tests that need body schemas without a whole document. */
    public static OpenApiDocument schemaGenerator() {
        return new OpenApiDocument();
    }

    public ObjectNode components() {
        return schemas;
    }

    private ObjectNode record(Schema record, Set<String> omitted) {
        ObjectNode schema = JSON.objectNode().put("type", "object").put("additionalProperties", false);
        if (record.getDoc() != null) {
            schema.put("description", record.getDoc());
        }
        ObjectNode props = schema.putObject("properties");
        ArrayNode required = schema.putArray("required");
        for (Schema.Field field : record.getFields()) {
            if (omitted.contains(field.name())) {
                continue;
            }
            ObjectNode p = type(field.schema());
            if (field.doc() != null) {
                p.put("description", field.doc());
            }
            Schema.Type kind = nonNull(field.schema()).getType();
            if (kind == Schema.Type.STRING || kind == Schema.Type.INT || kind == Schema.Type.ARRAY
                || kind == Schema.Type.MAP) {
                Limits.of(record.getName(), field.name(), kind == Schema.Type.ARRAY || kind == Schema.Type.MAP)
                    .document(p);
            }
            props.set(field.name(), p);
            if (!field.hasDefaultValue() && field.schema().getType() != Schema.Type.UNION) {
                required.add(field.name());
            }
        }
        return schema;
    }

    private ObjectNode type(Schema s) {
        return switch (s.getType()) {
            case STRING -> JSON.objectNode().put("type", "string");
            case INT -> JSON.objectNode().put("type", "integer").put("format", "int32");
            case LONG -> s.getLogicalType() != null
                ? JSON.objectNode().put("type", "string").put("format", "date-time")
                : JSON.objectNode().put("type", "integer").put("format", "int64");
            case BOOLEAN -> JSON.objectNode().put("type", "boolean");
            case ENUM -> {
                ObjectNode e = JSON.objectNode().put("type", "string");
                s.getEnumSymbols().forEach(e.putArray("enum")::add);
                yield e;
            }
            case ARRAY -> JSON.objectNode().put("type", "array").set("items", type(s.getElementType()));
            case MAP -> JSON.objectNode().put("type", "object").set("additionalProperties", type(s.getValueType()));
            case UNION -> {
                Schema nonNull = s.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst()
                    .orElseThrow();
                yield type(nonNull);
            }
            case RECORD -> {
                if (!schemas.has(s.getName())) {
                    schemas.putObject(s.getName());
                    schemas.set(s.getName(), record(s, Set.of()));
                }
                yield JSON.objectNode().put("$ref", "#/components/schemas/" + s.getName());
            }
            default -> throw new IllegalArgumentException("no JSON mapping for Avro type " + s.getType() + " in " + s);
        };
    }
}
