package org.epicgateway.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import org.epicgateway.projections.gatewayapi.BackendFilters;
import org.epicgateway.projections.gatewayapi.GatewayDurations;
import org.epicgateway.projections.gatewayapi.GrpcRoutes;
import org.epicgateway.schemas.avro.GrpcMethodMatch;
import org.epicgateway.schemas.avro.StringMatchType;

/**
 * Rules that relate several fields of one object: the Gateway API CRDs' {@code x-kubernetes-validations} (CEL) for
 * the objects this API mirrors, written once per Avro record name. Each throws the first violation, naming the field.
 */
final class CrossFieldRules {
    /** The CRD's character set for Exact and PathPrefix path values. */
    private static final Pattern PATH_CHARACTERS = Pattern.compile("^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$");
    private static final Map<String, BiConsumer<JsonNode, String>> RULES = new HashMap<>();
    /** The settings field each filter type carries, in the order the rule checks them. */
    private static final Map<String, String> FILTER_SETTINGS = new LinkedHashMap<>();

    static {
        FILTER_SETTINGS.put("REQUEST_HEADER_MODIFIER", "requestHeaderModifier");
        FILTER_SETTINGS.put("RESPONSE_HEADER_MODIFIER", "responseHeaderModifier");
        FILTER_SETTINGS.put("REQUEST_REDIRECT", "requestRedirect");
        FILTER_SETTINGS.put("URL_REWRITE", "urlRewrite");
        FILTER_SETTINGS.put("REQUEST_MIRROR", "requestMirror");
        FILTER_SETTINGS.put("CORS", "cors");
        RULES.put("HttpCors", (cors, path) -> {
            for (String list : List.of("allowOrigins", "allowMethods", "allowHeaders")) {
                JsonNode values = cors.path(list);
                for (int i = 0; i < values.size(); i++) {
                    if (values.get(i).asText().equals("*") && values.size() > 1) {
                        throw BodyValidator.violation(at(path, list + "[" + i + "]"), "'*' must be the only entry");
                    }
                }
            }
        });
        RULES.put("HttpRouteTimeouts", CrossFieldRules::timeouts);
        RULES.put("RequestMirror", (mirror, path) -> {
            if (present(mirror, "percent") && present(mirror, "fraction")) {
                throw BodyValidator.violation(at(path, "fraction"), "must not be set together with percent");
            }
        });
        RULES.put("MirrorFraction", (fraction, path) -> {
            JsonNode n = fraction.path("numerator");
            long denominator = fraction.path("denominator").isIntegralNumber() ? fraction.path("denominator").asLong() : 100;
            if (n.isIntegralNumber() && n.asLong() > denominator) {
                throw BodyValidator.violation(at(path, "numerator"), "must be less than or equal to the denominator ("
                    + denominator + ")");
            }
        });
        RULES.put("PathMatch", CrossFieldRules::pathMatch);
        RULES.put("HeaderMatch", CrossFieldRules::regexWhenRegularExpression);
        RULES.put("QueryParamMatch", CrossFieldRules::regexWhenRegularExpression);
        RULES.put("HttpRouteFilter", CrossFieldRules::filter);
        RULES.put("HttpRouteRule", CrossFieldRules::httpRouteRule);
        RULES.put("BackendRefFilter", (filter, path) -> {
            JsonNode type = filter.path("type");
            if (type.isTextual() && BackendFilters.TYPES.stream().noneMatch(t -> t.name().equals(type.textValue()))) {
                throw BodyValidator.violation(at(path, "type"), BackendFilters.unsupported(type.textValue()));
            }
            filter(filter, path);
        });
        RULES.put("BackendRef", (ref, path) -> filterTypes(ref, path, "backendRef"));
        RULES.put("UpsertHttpRoute", CrossFieldRules::route);
        RULES.put("UpsertGrpcRoute", CrossFieldRules::route);
        RULES.put("GrpcRouteRule", CrossFieldRules::grpcRouteRule);
        RULES.put("GrpcMethodMatch", CrossFieldRules::grpcMethodMatch);
        RULES.put("UpsertTcpRoute", CrossFieldRules::parentRefs);
        RULES.put("UpsertTlsRoute", CrossFieldRules::parentRefs);
        RULES.put("Listener", (listener, path) -> {
            String protocol = listener.path("protocol").asText();
            if ((protocol.equals("TCP") || protocol.equals("UDP")) && !listener.path("hostname").isMissingNode()
                && !listener.path("hostname").isNull()) {
                throw BodyValidator.violation(at(path, "hostname"), "must not be set for protocol " + protocol);
            }
        });
    }

    private CrossFieldRules() {
    }

    static void check(String record, JsonNode node, String path) {
        BiConsumer<JsonNode, String> rule = RULES.get(record);
        if (rule != null) {
            rule.accept(node, path);
        }
    }

    private static String at(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    /** Exact and PathPrefix values are clean absolute paths (the CRD's CEL rules); RegularExpression is RE2. */
    private static void pathMatch(JsonNode match, String path) {
        JsonNode value = match.path("value");
        if (!value.isTextual()) {
            return;
        }
        String v = value.textValue();
        String field = at(path, "value");
        if (match.path("type").asText().equals("REGULAR_EXPRESSION")) {
            Limits.regexProblem(v).ifPresent(p -> {
                throw BodyValidator.violation(field, Limit.quoted(v) + " " + p);
            });
            return;
        }
        String problem = !v.startsWith("/") ? "must be an absolute path starting with '/'"
            : v.contains("//") ? "must not contain '//'"
            : v.contains("/./") || v.endsWith("/.") ? "must not contain '/./' or end with '/.'"
            : v.contains("/../") || v.endsWith("/..") ? "must not contain '/../' or end with '/..'"
            : v.contains("%2f") || v.contains("%2F") ? "must not contain an encoded '/' (%2F)"
            : v.contains("#") ? "must not contain '#'"
            : !PATH_CHARACTERS.matcher(v).matches() ? "must only contain URL path characters (RFC 3986)"
            : null;
        if (problem != null) {
            throw BodyValidator.violation(field, Limit.quoted(v) + " " + problem);
        }
    }

    private static void regexWhenRegularExpression(JsonNode match, String path) {
        JsonNode value = match.path("value");
        if (match.path("type").asText().equals("REGULAR_EXPRESSION") && value.isTextual()) {
            Limits.regexProblem(value.textValue()).ifPresent(p -> {
                throw BodyValidator.violation(at(path, "value"), Limit.quoted(value.textValue()) + " " + p);
            });
        }
    }

    /** A filter carries exactly the settings its type names (CEL: "must be nil if the type is not ..."). */
    private static void filter(JsonNode filter, String path) {
        String type = filter.path("type").asText();
        String own = FILTER_SETTINGS.get(type);
        if (own == null) {
            return; // an unknown or missing type is the mapper's to report
        }
        if (!present(filter, own)) {
            throw BodyValidator.violation(at(path, own), "is required for a filter of type " + type);
        }
        for (String settings : FILTER_SETTINGS.values()) {
            if (!settings.equals(own) && present(filter, settings)) {
                throw BodyValidator.violation(at(path, settings), "must not be set for a filter of type " + type);
            }
        }
    }

    private static boolean present(JsonNode object, String field) {
        return !object.path(field).isMissingNode() && !object.path(field).isNull();
    }

    /** HTTPRoute and GRPCRoute: at most 128 matches over all rules, and the parentRefs rule. */
    private static void route(JsonNode route, String path) {
        int matches = 0;
        for (JsonNode rule : route.path("rules")) {
            matches += rule.path("matches").size();
        }
        if (matches > 128) {
            throw BodyValidator.violation(at(path, "rules"), "hold " + matches
                + " matches in all; at most 128 are allowed per route");
        }
        parentRefs(route, path);
    }

    /**
     * The filter types of a rule or backendRef ({@code holder}), each at most once except REQUEST_MIRROR (CEL "cannot
     * be repeated").
     */
    private static Set<String> filterTypes(JsonNode node, String path, String holder) {
        Set<String> types = new HashSet<>();
        JsonNode filters = node.path("filters");
        for (int i = 0; i < filters.size(); i++) {
            String type = filters.get(i).path("type").asText();
            if (!types.add(type) && !type.equals("REQUEST_MIRROR")) {
                throw BodyValidator.violation(at(path, "filters[" + i + "].type"), "a " + type
                    + " filter may appear only once per " + holder);
            }
        }
        return types;
    }

    /** GRPCRoute filters are the HTTPRoute ones the GRPCRoute CRD's enum lists (no redirect, no rewrite). */
    private static void grpcRouteRule(JsonNode rule, String path) {
        filterTypes(rule, path, "rule");
        JsonNode filters = rule.path("filters");
        for (int i = 0; i < filters.size(); i++) {
            String type = filters.get(i).path("type").asText();
            if (GrpcRoutes.FILTER_TYPES.stream().noneMatch(t -> t.name().equals(type))) {
                throw BodyValidator.violation(at(path, "filters[" + i + "].type"), Limit.quoted(type)
                    + " is not a GRPCRoute filter type; allowed: " + GrpcRoutes.FILTER_TYPES.stream().sorted().toList());
            }
        }
    }

    /** The method match's CEL rules (service or method; Exact names in the gRPC grammar); regexes compile in RE2. */
    private static void grpcMethodMatch(JsonNode match, String path) {
        StringMatchType type;
        try {
            type = StringMatchType.valueOf(match.path("type").asText());
        } catch (IllegalArgumentException e) {
            return; // a missing or unknown type is the mapper's to report
        }
        GrpcMethodMatch m = new GrpcMethodMatch(type, match.path("service").isTextual() ? match.path("service").textValue()
            : null, match.path("method").isTextual() ? match.path("method").textValue() : null);
        GrpcRoutes.problem(m).ifPresent(p -> {
            throw BodyValidator.violation(p.field().isEmpty() ? path : path + p.field(), p.message());
        });
        if (type == StringMatchType.REGULAR_EXPRESSION) {
            for (String field : List.of("service", "method")) {
                if (match.path(field).isTextual()) {
                    String v = match.path(field).textValue();
                    Limits.regexProblem(v).ifPresent(p -> {
                        throw BodyValidator.violation(at(path, field), Limit.quoted(v) + " " + p);
                    });
                }
            }
        }
    }

    private static void httpRouteRule(JsonNode rule, String path) {
        Set<String> types = filterTypes(rule, path, "rule");
        JsonNode filters = rule.path("filters");
        if (types.contains("REQUEST_REDIRECT") && types.contains("URL_REWRITE")) {
            throw BodyValidator.violation(at(path, "filters"), "may hold a REQUEST_REDIRECT or a URL_REWRITE filter,"
                + " not both");
        }
        if (types.contains("REQUEST_REDIRECT") && !rule.path("backendRefs").isEmpty()) {
            throw BodyValidator.violation(at(path, "backendRefs"), "must be empty when the rule redirects");
        }
        for (int i = 0; i < filters.size(); i++) {
            JsonNode f = filters.get(i);
            for (String settings : List.of("requestRedirect", "urlRewrite")) {
                if (f.path(settings).path("path").path("type").asText().equals("REPLACE_PREFIX_MATCH")) {
                    JsonNode matches = rule.path("matches");
                    if (matches.size() != 1 || !matches.get(0).path("path").path("type").asText().equals("PATH_PREFIX")) {
                        throw BodyValidator.violation(at(path, "filters[" + i + "]." + settings + ".path"),
                            "REPLACE_PREFIX_MATCH needs the rule to have exactly one PATH_PREFIX match");
                    }
                }
            }
        }
    }

    /** The CRD's rule: backendRequest may not be longer than request, unless request is 0s (no limit). */
    private static void timeouts(JsonNode timeouts, String path) {
        JsonNode request = timeouts.path("request");
        JsonNode backend = timeouts.path("backendRequest");
        if (!request.isTextual() || !backend.isTextual()) {
            return;
        }
        Duration r = GatewayDurations.parse(request.textValue()); // both passed their Limit before this rule runs
        Duration b = GatewayDurations.parse(backend.textValue());
        if (!r.isZero() && b.compareTo(r) > 0) {
            throw BodyValidator.violation(at(path, "backendRequest"), Limit.quoted(backend.textValue())
                + " is longer than the request timeout " + Limit.quoted(request.textValue()));
        }
    }

    /** Two references to one parent must each name a different section (CEL on parentRefs). */
    private static void parentRefs(JsonNode route, String path) {
        JsonNode refs = route.path("parentRefs");
        Map<String, Integer> perParent = new HashMap<>();
        for (JsonNode ref : refs) {
            perParent.merge(parent(ref), 1, Integer::sum);
        }
        Set<String> sections = new HashSet<>();
        for (int i = 0; i < refs.size(); i++) {
            JsonNode ref = refs.get(i);
            String parent = parent(ref);
            if (perParent.get(parent) > 1) {
                if (!ref.path("sectionName").isTextual()) {
                    throw BodyValidator.violation(at(path, "parentRefs[" + i + "].sectionName"),
                        "is required when parentRefs name the same gateway more than once");
                }
                if (!sections.add(parent + "/" + ref.path("sectionName").textValue())) {
                    throw BodyValidator.violation(at(path, "parentRefs[" + i + "].sectionName"),
                        "must be unique among the references to the same gateway");
                }
            }
        }
    }

    /** The gateway a parentRef names, as written (account and namespace empty when they are the route's). */
    private static String parent(JsonNode ref) {
        return ref.path("account").asText("") + "/" + ref.path("namespace").asText("") + "/"
            + ref.path("name").asText();
    }
}
