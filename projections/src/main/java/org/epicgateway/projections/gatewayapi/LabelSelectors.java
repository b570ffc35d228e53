package org.epicgateway.projections.gatewayapi;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.epicgateway.schemas.avro.LabelSelector;
import org.epicgateway.schemas.avro.LabelSelectorRequirement;

/**
 * Kubernetes labels and LabelSelectors, as a conformant API server checks and evaluates them: the selector of a
 * listener's {@code allowedRoutes.namespaces} (Gateway API {@code from: Selector}) against a route namespace's labels.
 * One piece for the decider (validation), the live view, the status derivation and route-check (evaluation).
 */
public final class LabelSelectors {
    /** The label every namespace carries on a conformant API server (immutable, set to the namespace's name). */
    public static final String NAME_LABEL = "kubernetes.io/metadata.name";

    private static final Pattern NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    /** What is wrong and where, {@code field} relative to the selector or label map (e.g. {@code matchExpressions[0].values}). */
    public record Problem(String field, String message) {}

    private LabelSelectors() {}

    /**
     * Whether {@code labels} satisfy every matchLabels pair and every requirement: In (key present with one of the
     * values), NotIn (key absent or none of the values), Exists, DoesNotExist. An empty selector matches everything.
     */
    public static boolean matches(LabelSelector selector, Map<String, String> labels) {
        for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
            String value = labels.get(r.getKey());
            boolean holds = switch (r.getOperator()) {
                case IN -> value != null && r.getValues().contains(value);
                case NOT_IN -> value == null || !r.getValues().contains(value);
                case EXISTS -> value != null;
                case DOES_NOT_EXIST -> value == null;
            };
            if (!holds) {
                return false;
            }
        }
        return true;
    }

    /**
     * A namespace's labels as an API server shows them: the declared ones plus {@link #NAME_LABEL}, which every
     * namespace has, even one EPIC holds no record of ({@code declared} null).
     */
    public static Map<String, String> namespaceLabels(String namespace, Map<String, String> declared) {
        Map<String, String> labels = declared == null ? new TreeMap<>() : new TreeMap<>(declared);
        labels.put(NAME_LABEL, namespace);
        return labels;
    }

    /** The first problem of a selector as the API server's LabelSelector validation finds it, if any. */
    public static Optional<Problem> problem(LabelSelector selector) {
        Optional<Problem> labels = labelsProblem("matchLabels", selector.getMatchLabels());
        if (labels.isPresent()) {
            return labels;
        }
        List<LabelSelectorRequirement> expressions = selector.getMatchExpressions();
        for (int i = 0; i < expressions.size(); i++) {
            LabelSelectorRequirement r = expressions.get(i);
            String f = "matchExpressions[" + i + "]";
            Optional<String> key = keyProblem(r.getKey());
            if (key.isPresent()) {
                return Optional.of(new Problem(f + ".key", quoted(r.getKey()) + " " + key.get()));
            }
            boolean needsValues = switch (r.getOperator()) {
                case IN, NOT_IN -> true;
                case EXISTS, DOES_NOT_EXIST -> false;
            };
            if (needsValues && r.getValues().isEmpty()) {
                return Optional.of(new Problem(f + ".values", "must be specified when `operator` is 'In' or 'NotIn'"));
            }
            if (!needsValues && !r.getValues().isEmpty()) {
                return Optional.of(new Problem(f + ".values",
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
            }
            for (int v = 0; v < r.getValues().size(); v++) {
                Optional<String> value = valueProblem(r.getValues().get(v));
                if (value.isPresent()) {
                    return Optional.of(new Problem(f + ".values[" + v + "]", quoted(r.getValues().get(v)) + " "
                            + value.get()));
                }
            }
        }
        return Optional.empty();
    }

    /** The first invalid key or value of a label map (matchLabels, a namespace's labels), named {@code field}. */
    public static Optional<Problem> labelsProblem(String field, Map<String, String> labels) {
        for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
            Optional<String> problem = keyProblem(e.getKey()).map(p -> "key " + quoted(e.getKey()) + " " + p)
                    .or(() -> valueProblem(e.getValue()).map(p -> "value of " + quoted(e.getKey()) + " "
                            + quoted(e.getValue()) + " " + p));
            if (problem.isPresent()) {
                return Optional.of(new Problem(field, problem.get()));
            }
        }
        return Optional.empty();
    }

    /**
     * What is wrong with a label key (said of the key, which the caller names), if anything: a key is a qualified
     * name, i.e. an optional DNS subdomain prefix and '/', then a name of 1..63.
     */
    public static Optional<String> keyProblem(String key) {
        String[] parts = key.split("/", -1);
        String name = parts[parts.length - 1];
        if (parts.length > 2) {
            return Optional.of("must be a name with an optional DNS subdomain prefix and '/' "
                    + "(e.g. 'example.com/MyName')");
        }
        if (parts.length == 2) {
            String prefix = parts[0];
            if (prefix.isEmpty()) {
                return Optional.of("prefix part must be non-empty");
            }
            if (prefix.length() > 253 || !SUBDOMAIN.matcher(prefix).matches()) {
                return Optional.of("prefix part must be a DNS-1123 subdomain (lower-case letters, "
                        + "digits, '-' and '.', at most 253 characters)");
            }
        }
        if (name.isEmpty()) {
            return Optional.of("name part must be non-empty");
        }
        if (name.length() > 63) {
            return Optional.of("name part must be no more than 63 characters");
        }
        if (!NAME.matcher(name).matches()) {
            return Optional.of("name part must consist of alphanumeric characters, '-', '_' or '.', "
                    + "and must start and end with an alphanumeric character");
        }
        return Optional.empty();
    }

    /** What is wrong with a label value, if anything: empty, or 1..63 alphanumerics, '-', '_', '.', alphanumeric at both ends. */
    public static Optional<String> valueProblem(String value) {
        if (value.length() > 63) {
            return Optional.of("must be no more than 63 characters");
        }
        if (!value.isEmpty() && !NAME.matcher(value).matches()) {
            return Optional.of("must be empty or consist of alphanumeric characters, '-', '_' or "
                    + "'.', and must start and end with an alphanumeric character");
        }
        return Optional.empty();
    }

    private static String quoted(String s) {
        return "'" + s + "'";
    }
}
