package org.epicgateway.projections.routecheck;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Table tests through route-check, built from the Gateway API conformance cases (peers-and-spec §2.3, §2.5): each
 * directory under src/test/resources/route-check holds {@code manifests/} (Kubernetes YAML), {@code requests.jsonl}
 * and the expected output, line for line: {@code expected.jsonl}, {@code expected-headers.jsonl} for tables that
 * check header changes too, or {@code expected-policies.jsonl} for tables that check timeouts, retries and mirrors. Every request runs through the derived Envoy config, exactly as {@code ./epic route-check}.
 */
class RouteCheckTableTest {

    static final Path ROOT = Path.of("src/test/resources/route-check");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> tables() throws IOException {
        List<Path> tables;
        try (Stream<Path> dirs = Files.list(ROOT)) {
            tables = dirs.filter(Files::isDirectory).sorted().toList();
        }
        assertThat(tables).as("tables under " + ROOT).isNotEmpty();
        return tables.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> check(dir)));
    }

    private static void check(Path dir) throws IOException {
        boolean headers = Files.exists(dir.resolve("expected-headers.jsonl"));
        boolean policies = Files.exists(dir.resolve("expected-policies.jsonl"));
        List<String> expected = Files.readAllLines(dir.resolve(headers ? "expected-headers.jsonl"
                        : policies ? "expected-policies.jsonl" : "expected.jsonl"))
                .stream().filter(l -> !l.isBlank()).toList();
        List<String> requests = Files.readAllLines(dir.resolve("requests.jsonl")).stream()
                .filter(l -> !l.isBlank()).toList();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RouteCheckRunner.fromManifests(dir.resolve("manifests"))
                .run(dir.resolve("requests.jsonl"), new PrintStream(bytes, true, StandardCharsets.UTF_8), headers, policies);
        List<String> actual = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(expected).as(dir + ": one expected line per request").hasSize(requests.size());
        assertThat(actual).as(dir + ": one output line per request").hasSize(requests.size());
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            JsonNode want = JSON.readTree(expected.get(i));
            JsonNode got = JSON.readTree(actual.get(i));
            if (!want.equals(got)) {
                failures.add("line " + (i + 1) + ": " + requests.get(i) + "\n  expected " + want + "\n  actual   " + got);
            }
        }
        assertThat(failures).as(dir + " mismatches").isEmpty();
    }
}
