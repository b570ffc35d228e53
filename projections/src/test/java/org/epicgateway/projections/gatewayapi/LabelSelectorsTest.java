package org.epicgateway.projections.gatewayapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.epicgateway.schemas.avro.LabelSelector;
import org.epicgateway.schemas.avro.LabelSelectorOperator;
import org.epicgateway.schemas.avro.LabelSelectorRequirement;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Golden in/out cases (src/test/resources/golden/label-selectors/cases.yaml): selector and namespace in, match or error out. */
class LabelSelectorsTest {

    private static final JsonNode CASES = read();

    private static JsonNode read() {
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(Path.of("src/test/resources/golden/label-selectors/cases.yaml").toFile());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @TestFactory
    Stream<DynamicTest> matching() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : CASES.get("matching")) {
            tests.add(DynamicTest.dynamicTest(c.get("case").asText(), () -> {
                LabelSelector selector = selector(c.get("selector"));
                assertThat(LabelSelectors.problem(selector)).as("a valid selector").isEmpty();
                JsonNode ns = c.get("namespace");
                Map<String, String> declared = ns.has("labels") ? strings(ns.get("labels")) : null;
                assertThat(LabelSelectors.matches(selector,
                        LabelSelectors.namespaceLabels(ns.get("name").asText(), declared)))
                        .isEqualTo(c.get("matches").asBoolean());
            }));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> invalid() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : CASES.get("invalid")) {
            tests.add(DynamicTest.dynamicTest(c.get("case").asText(), () -> {
                LabelSelectors.Problem problem = LabelSelectors.problem(selector(c.get("selector"))).orElseThrow();
                assertThat(problem.field()).isEqualTo(c.get("field").asText());
                assertThat(problem.message()).contains(c.get("message").asText());
            }));
        }
        return tests.stream();
    }

    @Test
    void theNameLabelIsTheNamespacesNameWhateverIsDeclared() {
        assertThat(LabelSelectors.namespaceLabels("apps", Map.of("kubernetes.io/metadata.name", "other", "team", "a")))
                .containsExactlyInAnyOrderEntriesOf(Map.of("kubernetes.io/metadata.name", "apps", "team", "a"));
    }

    /** A Kubernetes LabelSelector (operators as the API spells them) as its Avro record. */
    private static LabelSelector selector(JsonNode s) {
        List<LabelSelectorRequirement> expressions = new ArrayList<>();
        for (JsonNode e : s.path("matchExpressions")) {
            List<String> values = new ArrayList<>();
            e.path("values").forEach(v -> values.add(v.asText()));
            expressions.add(new LabelSelectorRequirement(e.get("key").asText(), switch (e.get("operator").asText()) {
                case "In" -> LabelSelectorOperator.IN;
                case "NotIn" -> LabelSelectorOperator.NOT_IN;
                case "Exists" -> LabelSelectorOperator.EXISTS;
                case "DoesNotExist" -> LabelSelectorOperator.DOES_NOT_EXIST;
                default -> throw new IllegalArgumentException(e.get("operator").asText());
            }, values));
        }
        return new LabelSelector(strings(s.path("matchLabels")), expressions);
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> out = new TreeMap<>();
        object.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }
}
