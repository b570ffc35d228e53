package org.epicgateway.api.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.epicgateway.api.ApiError;
import org.epicgateway.api.auth.Passwords;
import org.epicgateway.platform.secrets.SecretBox;
import org.epicgateway.api.openapi.OpenApiDocument;
import org.epicgateway.api.resources.ResourceKind.BodySchema;
import org.junit.jupiter.api.Test;

/**
 * The hand-written mappers and the request schemas in the OpenAPI document (derived from the Avro commands) must
 * agree: a body with every documented field maps, dropping any required field is a 400 naming it, and any field
 * the schema does not document is a 400 naming it.
 */
class MappersMatchSchemasTest {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** Every sample string; long enough for a password, and the name the URL uses for PUT. */
    private static final String SAMPLE = "sample-1";

    private record Case(String what, BodySchema schema, Function<JsonFields, Object> mapper) {
    }

    private static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        Target post = new Target("acme", null, null);
        Target put = new Target("acme", null, SAMPLE);
        for (ResourceKind kind : List.of(Pools.KIND, Templates.KIND, Accounts.KIND, Gateways.KIND, HttpRoutes.KIND,
            GrpcRoutes.KIND, TcpRoutes.KIND, TlsRoutes.KIND, EndpointSlices.KIND, Services.KIND, ReferenceGrants.KIND)) {
            cases.add(new Case("POST " + kind.collection(), kind.createBody(), f -> kind.create().apply(f, post)));
            if (kind.replace() != null) {
                cases.add(new Case("PUT " + kind.collection(), kind.replaceBody(), f -> kind.replace().apply(f, put)));
            }
        }
        Passwords passwords = new Passwords(4, new SecretBox(new byte[32], Passwords.SECRET_PURPOSE));
        cases.add(new Case("POST users", Accounts.USER_BODY, f -> Accounts.user(f, "acme", passwords)));
        cases.add(new Case("PUT quota", Accounts.QUOTA_BODY, f -> Accounts.quota(f, "acme")));
        return cases;
    }

    @Test
    void everyDocumentedFieldIsReadAndEveryRequiredOneIsRequired() {
        for (Case c : cases()) {
            OpenApiDocument generator = OpenApiDocument.schemaGenerator();
            ObjectNode schema = generator.body(c.schema());
            ObjectNode full = (ObjectNode) sample(schema, generator.components());

            assertThat(map(c, full)).as(c.what()).isNotNull();

            for (JsonNode required : schema.get("required")) {
                ObjectNode without = full.deepCopy();
                without.remove(required.asText());
                assertThat(catchThrowable(() -> map(c, without))).as(c.what() + " without " + required)
                    .isInstanceOfSatisfying(ApiError.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.field()).isEqualTo(required.asText());
                    });
            }
            ObjectNode extra = full.deepCopy().put("bogus", 1);
            assertThat(catchThrowable(() -> map(c, extra))).as(c.what() + " with an undocumented field")
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.field()).isEqualTo("bogus"));
        }
    }

    private static Object map(Case c, ObjectNode body) {
        return JsonFields.of(body).read(c.mapper());
    }

    /** A value of every documented field, recursing through $refs; arrays get one element. */
    private static JsonNode sample(JsonNode schema, ObjectNode components) {
        if (schema.has("$ref")) {
            String name = schema.get("$ref").asText().substring("#/components/schemas/".length());
            return sample(components.get(name), components);
        }
        if (schema.has("enum")) {
            return schema.get("enum").get(0);
        }
        return switch (schema.get("type").asText()) {
            case "string" -> JSON.textNode(schema.has("format") ? "2026-11-22T00:00:00Z" : SAMPLE);
            case "integer" -> JSON.numberNode(1);
            case "boolean" -> JSON.booleanNode(true);
            case "array" -> {
                ArrayNode a = JSON.arrayNode();
                a.add(sample(schema.get("items"), components));
                yield a;
            }
            case "object" -> {
                ObjectNode o = JSON.objectNode();
                if (schema.has("properties")) {
                    schema.get("properties").fields()
                        .forEachRemaining(p -> o.set(p.getKey(), sample(p.getValue(), components)));
                }
                yield o;
            }
            default -> throw new AssertionError("unexpected schema " + schema);
        };
    }
}
