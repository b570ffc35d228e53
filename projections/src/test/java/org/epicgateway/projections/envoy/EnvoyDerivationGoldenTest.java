package org.epicgateway.projections.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.epicgateway.projections.routecheck.ManifestLoader;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.TemplateState;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every directory under src/test/resources/golden/envoy holds {@code input.yaml} (Kubernetes manifests), optionally
 * {@code template.yaml} (the gateway template's Envoy base config), and the expected Envoy config of each Gateway in
 * it ({@code <namespace>.<name>.json}), plus its EDS ({@code <namespace>.<name>.endpoints.json}) when the input has
 * EndpointSlices.
 */
class EnvoyDerivationGoldenTest {

    static final Path ROOT = Path.of("src/test/resources/golden/envoy");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @TestFactory
    Stream<DynamicTest> goldens() throws IOException {
        List<Path> cases;
        try (Stream<Path> dirs = Files.list(ROOT)) {
            cases = dirs.filter(Files::isDirectory).sorted().toList();
        }
        assertThat(cases).as("golden cases under " + ROOT).isNotEmpty();
        return cases.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> check(dir)));
    }

    private static void check(Path dir) throws IOException {
        List<GatewayView> views = ManifestLoader.parse("input.yaml", Files.readString(dir.resolve("input.yaml")));
        assertThat(views).as("gateways in " + dir).isNotEmpty();
        Path template = dir.resolve("template.yaml");
        if (Files.exists(template)) {
            String baseConfig = Files.readString(template);
            views = views.stream().map(v -> GatewayView.newBuilder(v).setTemplate(TemplateState.newBuilder()
                    .setTemplate("golden").setPool("golden").setReplicas(1).setShareable(false)
                    .setEnvoyBaseConfig(baseConfig).build()).build()).toList();
        }
        for (GatewayView view : views) {
            String base = view.getGateway().getNamespace() + "." + view.getGateway().getName();
            EnvoyConfig config = EnvoyDerivation.derive(view);
            GoldenFiles.assertMatches(dir.resolve(base + ".json"), config.toJson());
            // Determinism: deriving again gives the same version and bytes.
            assertThat(EnvoyDerivation.derive(view)).isEqualTo(config);
            if (!view.getEndpointSlices().isEmpty()) {
                GoldenFiles.assertMatches(dir.resolve(base + ".endpoints.json"),
                        endpointsJson(EndpointDerivation.deriveEndpoints(view)));
            }
        }
    }

    private static String endpointsJson(Map<String, ClusterLoadAssignment> endpoints) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        for (var e : endpoints.entrySet()) {
            root.set(e.getKey(), JSON.readTree(EnvoyTypes.json(e.getValue())));
        }
        return JSON.writeValueAsString(root) + "\n";
    }
}
