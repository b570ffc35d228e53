package org.epicgateway.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The declared limits of one field, in JSON Schema's own words so that {@link #document} can put them into the
 * OpenAPI document and {@link #problem} can enforce them: the two cannot disagree. For an array field the item limits
 * ({@code minItems}/{@code maxItems}) apply to the array and the value limits to each element.
 *
 * @param minLength  fewest characters (Unicode code points, as Kubernetes counts them)
 * @param maxLength  most characters
 * @param pattern    a regex the whole value must match (JSON Schema / ECMA syntax that Java reads the same way)
 * @param minimum    smallest integer
 * @param maximum    largest integer
 * @param allowed    the only values allowed (strings or integers)
 * @param minItems   fewest array elements
 * @param maxItems   most array elements
 * @param multiline  whether tab, CR and LF are allowed (every other control character never is)
 * @param check      a rule that is code, not a schema keyword (an IP, an RE2 regex), with its description
 */
public record Limit(Integer minLength, Integer maxLength, String pattern, Long minimum, Long maximum,
                    List<Object> allowed, Integer minItems, Integer maxItems, boolean multiline, Check check) {

    private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

    /** A rule in code: the problem with a value, if any, and what it requires (for the document). */
    public record Check(String description, Function<String, Optional<String>> problem) {
    }

    /** Text of {@code min..max} characters, no control characters. */
    public static Limit text(int min, int max) {
        return new Limit(min, max, null, null, null, null, null, null, false, null);
    }

    /** An integer in {@code min..max}. */
    public static Limit integer(long min, long max) {
        return new Limit(null, null, null, min, max, null, null, null, false, null);
    }

    /** One of the given values (strings or integers). */
    public static Limit oneOf(Object... values) {
        return new Limit(null, null, null, null, null, List.of(values), null, null, false, null);
    }

    /** Only the array size; elements are objects with their own limits. */
    public static Limit items(int min, int max) {
        return new Limit(null, null, null, null, null, null, min, max, false, null);
    }

    public Limit pattern(String regex) {
        return new Limit(minLength, maxLength, regex, minimum, maximum, allowed, minItems, maxItems, multiline, check);
    }

    public Limit checked(String description, Function<String, Optional<String>> rule) {
        return new Limit(minLength, maxLength, pattern, minimum, maximum, allowed, minItems, maxItems, multiline,
            new Check(description, rule));
    }

    public Limit allowingLineBreaks() {
        return new Limit(minLength, maxLength, pattern, minimum, maximum, allowed, minItems, maxItems, true, check);
    }

    /** This value limit on every element of an array of {@code min..max} elements. */
    public Limit eachOf(int min, int max) {
        return new Limit(minLength, maxLength, pattern, minimum, maximum, allowed, min, max, multiline, check);
    }

    /** What is wrong with the array's size, if anything. */
    Optional<String> sizeProblem(int size) {
        if (minItems != null && size < minItems) {
            return Optional.of("needs at least " + minItems + " item" + (minItems == 1 ? "" : "s") + ", got " + size);
        }
        if (maxItems != null && size > maxItems) {
            return Optional.of("takes at most " + maxItems + " items, got " + size);
        }
        return Optional.empty();
    }

    /** What is wrong with one scalar value (a string or an integer), if anything; other types are not judged here. */
    Optional<String> problem(JsonNode value) {
        if (value.isTextual()) {
            return textProblem(value.textValue());
        }
        if (value.isIntegralNumber()) {
            if (allowed != null && allowed.stream().noneMatch(o -> o instanceof Integer i && value.canConvertToLong()
                && i.longValue() == value.longValue())) {
                return Optional.of(value + " is not one of " + allowed);
            }
            boolean below = minimum != null && (!value.canConvertToLong() || value.longValue() < minimum);
            boolean above = maximum != null && (!value.canConvertToLong() || value.longValue() > maximum);
            if (below || above) {
                return Optional.of(value + " is outside " + minimum + ".." + maximum);
            }
        }
        return Optional.empty();
    }

    private Optional<String> textProblem(String v) {
        int length = v.codePointCount(0, v.length());
        if (maxLength != null && length > maxLength) {
            return Optional.of("is " + length + " characters long, at most " + maxLength + " are allowed");
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            boolean whitespace = multiline && (c == '\t' || c == '\n' || c == '\r');
            if ((Character.isISOControl(c) || c == '\u2028' || c == '\u2029') && !whitespace) {
                return Optional.of("contains the control character U+" + String.format("%04X", (int) c)
                    + " at index " + i);
            }
        }
        if (minLength != null && length < minLength) {
            return Optional.of(minLength == 1 ? "must not be empty" : "'" + v + "' is shorter than " + minLength
                + " characters");
        }
        if (allowed != null && !allowed.contains(v)) {
            return Optional.of(quoted(v) + " is not one of " + allowed);
        }
        if (pattern != null && !PATTERNS.computeIfAbsent(pattern, Pattern::compile).matcher(v).matches()) {
            return Optional.of(quoted(v) + " does not match " + pattern);
        }
        if (check != null) {
            return check.problem().apply(v).map(p -> quoted(v) + " " + p);
        }
        return Optional.empty();
    }

    /** The value for a message: quoted, cut at 64 characters (the limit itself may be what is wrong). */
    static String quoted(String v) {
        return "'" + (v.length() > 64 ? v.substring(0, 64) + "..." : v) + "'";
    }

    /**
     * Adds these limits to a property's JSON Schema (for an array: size here, value limits on its items; for a map:
     * its number of entries here, value limits on its values).
     */
    public void document(ObjectNode property) {
        if (property.path("type").asText().equals("array")) {
            putIfSet(property, "minItems", minItems);
            putIfSet(property, "maxItems", maxItems);
        }
        boolean map = property.path("type").asText().equals("object") && property.path("additionalProperties").isObject();
        if (map) {
            putIfSet(property, "minProperties", minItems);
            putIfSet(property, "maxProperties", maxItems);
        }
        ObjectNode values = map ? (ObjectNode) property.get("additionalProperties")
            : property.has("items") && property.get("items").isObject()
            && !property.get("items").has("$ref") ? (ObjectNode) property.get("items") : property;
        String type = values.path("type").asText();
        if (type.equals("string")) {
            putIfSet(values, "minLength", minLength);
            putIfSet(values, "maxLength", maxLength);
            if (pattern != null) {
                values.put("pattern", pattern);
            }
        }
        if (type.equals("integer")) {
            putIfSet(values, "minimum", minimum);
            putIfSet(values, "maximum", maximum);
        }
        if (allowed != null && (type.equals("string") || type.equals("integer"))) {
            ArrayNode e = values.putArray("enum");
            allowed.forEach(o -> {
                if (o instanceof Integer i) {
                    e.add(i);
                } else {
                    e.add(o.toString());
                }
            });
        }
        if (values.path("type").asText().equals("string")) {
            String controls = multiline ? "No control characters other than tab, CR and LF."
                : "No control characters.";
            String text = check == null ? controls : controls + " " + check.description() + ".";
            String before = values.path("description").asText("");
            values.put("description", before.isEmpty() ? text : before + " " + text);
        }
    }

    private static void putIfSet(ObjectNode o, String name, Number value) {
        if (value != null) {
            o.put(name, value.longValue());
        }
    }
}
