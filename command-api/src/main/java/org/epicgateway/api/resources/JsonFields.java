package org.epicgateway.api.resources;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.epicgateway.api.ApiError;

/**
 * Strict, path-aware reader over one JSON object of a request body. Wrong types, missing required fields and unknown
 * fields (usually typos that would otherwise be silently dropped) become a 400 naming the field by its JSON path.
 * Semantic checks (valid CIDR, port range, existing references) are the decider's job and come back as 422.
 */
public final class JsonFields {
    private final JsonNode node;
    private final String path;
    private final Set<String> read = new HashSet<>();

    private JsonFields(JsonNode node, String path) {
        this.node = node;
        this.path = path;
    }

    /** Wraps a request body, which must be a JSON object. */
    public static JsonFields of(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiError.badRequest("request body must be a JSON object", null);
        }
        return new JsonFields(body, "");
    }

    private String at(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private JsonNode value(String name) {
        read.add(name);
        JsonNode v = node.get(name);
        return v == null || v.isNull() ? null : v;
    }

    public String string(String name) {
        String v = optString(name);
        if (v == null) {
            throw ApiError.badRequest("field '" + at(name) + "' is required", at(name));
        }
        return v;
    }

    public String optString(String name) {
        JsonNode v = value(name);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiError.badRequest("field '" + at(name) + "' must be a string", at(name));
        }
        return v.textValue();
    }

    public int integer(String name) {
        Integer v = optInteger(name);
        if (v == null) {
            throw ApiError.badRequest("field '" + at(name) + "' is required", at(name));
        }
        return v;
    }

    public Integer optInteger(String name) {
        JsonNode v = value(name);
        if (v == null) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw ApiError.badRequest("field '" + at(name) + "' must be a 32-bit integer", at(name));
        }
        return v.intValue();
    }

    public int integer(String name, int defaultValue) {
        Integer v = optInteger(name);
        return v == null ? defaultValue : v;
    }

    public Boolean optBoolean(String name) {
        JsonNode v = value(name);
        if (v == null) {
            return null;
        }
        if (!v.isBoolean()) {
            throw ApiError.badRequest("field '" + at(name) + "' must be true or false", at(name));
        }
        return v.booleanValue();
    }

    public boolean bool(String name) {
        Boolean v = optBoolean(name);
        if (v == null) {
            throw ApiError.badRequest("field '" + at(name) + "' is required", at(name));
        }
        return v;
    }

    /** An enum given by its exact constant name, e.g. {@code "PATH_PREFIX"}. */
    public <E extends Enum<E>> E enumValue(String name, Class<E> type) {
        E v = optEnum(name, type);
        if (v == null) {
            throw ApiError.badRequest("field '" + at(name) + "' is required", at(name));
        }
        return v;
    }

    public <E extends Enum<E>> E optEnum(String name, Class<E> type) {
        String v = optString(name);
        if (v == null) {
            return null;
        }
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(v)) {
                return constant;
            }
        }
        List<String> allowed = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            allowed.add(constant.name());
        }
        throw ApiError.badRequest("field '" + at(name) + "' must be one of " + allowed, at(name));
    }

    public <T> T optObject(String name, Function<JsonFields, T> reader) {
        JsonNode v = value(name);
        if (v == null) {
            return null;
        }
        if (!v.isObject()) {
            throw ApiError.badRequest("field '" + at(name) + "' must be an object", at(name));
        }
        return new JsonFields(v, at(name)).read(reader);
    }

    public <T> T object(String name, Function<JsonFields, T> reader) {
        T v = optObject(name, reader);
        if (v == null) {
            throw ApiError.badRequest("field '" + at(name) + "' is required", at(name));
        }
        return v;
    }

    /** A list of objects; a missing list is empty. */
    public <T> List<T> list(String name, Function<JsonFields, T> reader) {
        JsonNode v = arrayValue(name);
        List<T> out = new ArrayList<>();
        for (int i = 0; v != null && i < v.size(); i++) {
            String itemPath = at(name) + "[" + i + "]";
            if (!v.get(i).isObject()) {
                throw ApiError.badRequest("field '" + itemPath + "' must be an object", itemPath);
            }
            out.add(new JsonFields(v.get(i), itemPath).read(reader));
        }
        return out;
    }

    /** A list of strings; a missing list is empty. */
    public List<String> strings(String name) {
        JsonNode v = arrayValue(name);
        List<String> out = new ArrayList<>();
        for (int i = 0; v != null && i < v.size(); i++) {
            if (!v.get(i).isTextual()) {
                String itemPath = at(name) + "[" + i + "]";
                throw ApiError.badRequest("field '" + itemPath + "' must be a string", itemPath);
            }
            out.add(v.get(i).textValue());
        }
        return out;
    }

    /** An object of string values (labels), in key order; a missing one is empty. */
    public Map<String, String> stringMap(String name) {
        JsonNode v = value(name);
        if (v != null && !v.isObject()) {
            throw ApiError.badRequest("field '" + at(name) + "' must be an object of strings", at(name));
        }
        Map<String, String> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = v == null ? Collections.emptyIterator() : v.fields();
             it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                String entry = at(name) + "." + e.getKey();
                throw ApiError.badRequest("field '" + entry + "' must be a string", entry);
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }

    /** A list of 32-bit integers; a missing list is empty. */
    public List<Integer> integers(String name) {
        JsonNode v = arrayValue(name);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; v != null && i < v.size(); i++) {
            if (!v.get(i).isIntegralNumber() || !v.get(i).canConvertToInt()) {
                String itemPath = at(name) + "[" + i + "]";
                throw ApiError.badRequest("field '" + itemPath + "' must be a 32-bit integer", itemPath);
            }
            out.add(v.get(i).intValue());
        }
        return out;
    }

    private JsonNode arrayValue(String name) {
        JsonNode v = value(name);
        if (v != null && !v.isArray()) {
            throw ApiError.badRequest("field '" + at(name) + "' must be an array", at(name));
        }
        return v;
    }

    /** Runs a reader over this object, then rejects any field the reader did not look at. */
    public <T> T read(Function<JsonFields, T> reader) {
        T result = reader.apply(this);
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!read.contains(name)) {
                throw ApiError.badRequest("unknown field '" + at(name) + "'", at(name));
            }
        }
        return result;
    }
}
