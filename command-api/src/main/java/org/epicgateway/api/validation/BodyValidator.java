package org.epicgateway.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.epicgateway.api.ApiError;

/**
 * Checks a request body against the {@link Limits} of each field and the {@link CrossFieldRules} of each object,
 * walking the body together with the Avro record it mirrors. Only values are judged here: a value of the wrong type,
 * an unknown or a missing field is left to the mapper ({@code JsonFields}), which reports it as 400. A violation is
 * 422 {@code VALIDATION} naming the field by its JSON path, e.g. {@code rules[0].matches[0].path.value}: the same code
 * the decider uses for content it refuses, so a client sees one kind of answer for one kind of mistake.
 */
public final class BodyValidator {
    private BodyValidator() {
    }

    /** Validates {@code body} (an object) as the record {@code avro}; throws the first violation found. */
    public static void validate(Schema avro, JsonNode body) {
        if (body.isObject()) {
            record(avro, body, "");
        }
    }

    static ApiError violation(String field, String problem) {
        return ApiError.unprocessable("VALIDATION", "field '" + field + "' " + problem, field);
    }

    private static void record(Schema record, JsonNode node, String path) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String at = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
            Schema.Field field = record.getField(e.getKey());
            if (e.getValue().isNull()) {
                continue;
            }
            if (field == null) {
                // An extra property of the body (a clear-text password) has a declared limit; unknown ones are the
                // mapper's to report.
                scalar(Limits.of(record.getName(), e.getKey(), false), e.getValue(), at);
                continue;
            }
            Schema.Type type = nonNull(field.schema()).getType();
            value(nonNull(field.schema()), Limits.of(record.getName(), e.getKey(),
                type == Schema.Type.ARRAY || type == Schema.Type.MAP), e.getValue(), at);
        }
        CrossFieldRules.check(record.getName(), node, path);
    }

    private static void value(Schema schema, Limit limit, JsonNode value, String at) {
        switch (schema.getType()) {
            case RECORD -> {
                if (value.isObject()) {
                    record(schema, value, at);
                }
            }
            case ARRAY -> {
                if (!value.isArray()) {
                    return;
                }
                limit.sizeProblem(value.size()).ifPresent(p -> {
                    throw violation(at, p);
                });
                Schema items = nonNull(schema.getElementType());
                for (int i = 0; i < value.size(); i++) {
                    String item = at + "[" + i + "]";
                    if (items.getType() == Schema.Type.RECORD) {
                        if (value.get(i).isObject()) {
                            record(items, value.get(i), item);
                        }
                    } else {
                        scalar(limit, value.get(i), item);
                    }
                }
            }
            case MAP -> {
                if (!value.isObject()) {
                    return;
                }
                limit.sizeProblem(value.size()).ifPresent(p -> {
                    throw violation(at, p);
                });
                for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    scalar(limit, e.getValue(), at + "." + e.getKey());
                }
            }
            default -> scalar(limit, value, at);
        }
    }

    private static void scalar(Limit limit, JsonNode value, String at) {
        Optional<String> problem = limit.problem(value);
        if (problem.isPresent()) {
            throw violation(at, problem.get());
        }
    }

    private static Schema nonNull(Schema s) {
        if (s.getType() != Schema.Type.UNION) {
            return s;
        }
        return s.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst().orElseThrow();
    }
}
