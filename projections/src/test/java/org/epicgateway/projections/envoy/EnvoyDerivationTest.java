package org.epicgateway.projections.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.epicgateway.projections.routecheck.ManifestLoader;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.HttpRouteState;
import org.epicgateway.schemas.avro.TemplateState;
import org.junit.jupiter.api.Test;

/** Properties of the derivation beyond the goldens: determinism, version sensitivity, base config and validation errors. */
class EnvoyDerivationTest {

    private static GatewayView view() {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: ns}
                spec:
                  gatewayClassName: epic
                  listeners: [{name: http, port: 80, protocol: HTTP}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: svc, namespace: ns}
                spec: {ports: [{port: 80}]}
                """);
        for (int i = 0; i < 12; i++) {
            yaml.append("""
                    ---
                    apiVersion: gateway.networking.k8s.io/v1
                    kind: HTTPRoute
                    metadata: {name: r%d, namespace: ns, creationTimestamp: "2026-01-01T00:00:%02dZ"}
                    spec:
                      parentRefs: [{name: gw}]
                      hostnames: [h%d.example.com, shared.example.com]
                      rules: [{matches: [{path: {type: PathPrefix, value: /p%d}}], backendRefs: [{name: svc, port: 80}]}]
                    """.formatted(i, 59 - i, i % 3, i));
        }
        return ManifestLoader.parse("gen.yaml", yaml.toString()).get(0);
    }

    @Test
    void inputOrderDoesNotChangeTheOutputOrItsVersion() {
        GatewayView view = view();
        EnvoyConfig expected = EnvoyDerivation.derive(view);
        Random random = new Random(42);
        for (int i = 0; i < 10; i++) {
            List<HttpRouteState> shuffled = new ArrayList<>(view.getHttpRoutes());
            Collections.shuffle(shuffled, random);
            EnvoyConfig again = EnvoyDerivation.derive(GatewayView.newBuilder(view).setHttpRoutes(shuffled).build());
            assertThat(again.version()).isEqualTo(expected.version());
            assertThat(again.toJson()).isEqualTo(expected.toJson());
        }
    }

    @Test
    void anyChangeChangesTheVersion() {
        GatewayView view = view();
        String version = EnvoyDerivation.derive(view).version();
        List<HttpRouteState> routes = new ArrayList<>(view.getHttpRoutes());
        routes.remove(0);
        assertThat(EnvoyDerivation.derive(GatewayView.newBuilder(view).setHttpRoutes(routes).build()).version())
                .isNotEqualTo(version);
        GatewayView templated = GatewayView.newBuilder(view).setTemplate(template("cluster: {connect_timeout: 9s}")).build();
        assertThat(EnvoyDerivation.derive(templated).version()).isNotEqualTo(version);
    }

    @Test
    void olderRouteWinsOnEqualMatchesInTheSharedVirtualHost() {
        RouteConfiguration rc = EnvoyDerivation.derive(view()).routeConfigurations().get(0);
        List<String> shared = rc.getVirtualHostsList().stream().filter(v -> v.getName().equals("shared.example.com"))
                .findFirst().orElseThrow().getRoutesList().stream().map(Route::getName).toList();
        // Prefixes /p10 and /p11 are longest; among the equal-length /p0../p9, r9 is the oldest.
        assertThat(shared.subList(0, 3)).containsExactly("ns/r11/rule/0/match/0", "ns/r10/rule/0/match/0",
                "ns/r9/rule/0/match/0");
    }

    @Test
    void badTemplateBaseConfigNamesTheSection() {
        GatewayView view = view();
        assertThatThrownBy(() -> EnvoyDerivation.derive(GatewayView.newBuilder(view)
                .setTemplate(template("clusters: {}")).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("envoyBaseConfig: unknown section 'clusters'");
        assertThatThrownBy(() -> EnvoyDerivation.derive(GatewayView.newBuilder(view)
                .setTemplate(template("cluster: {connect_timeout: soon}")).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("envoyBaseConfig.cluster");
        assertThatThrownBy(() -> EnvoyDerivation.derive(GatewayView.newBuilder(view)
                .setTemplate(template("[1, 2]")).build()))
                .hasMessageContaining("envoyBaseConfig: must be an object");
    }

    @Test
    void validatorRejectsDanglingReferences() {
        EnvoyConfig good = EnvoyDerivation.derive(view());
        EnvoyConfig noClusters = EnvoyConfig.of(good.gatewayId(), good.listeners(), good.routeConfigurations(),
                List.of(), good.secretNames());
        assertThatThrownBy(() -> ConfigValidator.validate(noClusters))
                .isInstanceOf(ConfigValidator.InvalidEnvoyConfigException.class)
                .hasMessageContaining("cluster manifests/ns/svc:80 does not exist");
        EnvoyConfig noRoutes = EnvoyConfig.of(good.gatewayId(), good.listeners(), List.of(), good.clusters(),
                good.secretNames());
        assertThatThrownBy(() -> ConfigValidator.validate(noRoutes)).hasMessageContaining("http-80: RDS http-80 does not exist");
        RouteConfiguration badRegex = good.routeConfigurations().get(0).toBuilder().setVirtualHosts(0,
                good.routeConfigurations().get(0).getVirtualHosts(0).toBuilder().setRoutes(0,
                        good.routeConfigurations().get(0).getVirtualHosts(0).getRoutes(0).toBuilder()
                                .setMatch(HttpRoutes.match(HttpRoutes.MATCH_ALL).toBuilder()
                                        .setSafeRegex(HttpRoutes.regex("(unclosed"))))).build();
        assertThatThrownBy(() -> ConfigValidator.validate(EnvoyConfig.of(good.gatewayId(), good.listeners(),
                List.of(badRegex), good.clusters(), good.secretNames()))).hasMessageContaining("is not an RE2 regular expression");
        List<Cluster> twice = List.of(good.clusters().get(0), good.clusters().get(0));
        assertThatThrownBy(() -> ConfigValidator.validate(EnvoyConfig.of(good.gatewayId(), good.listeners(),
                good.routeConfigurations(), twice, good.secretNames()))).hasMessageContaining("defined twice");
    }

    private static TemplateState template(String baseConfig) {
        return TemplateState.newBuilder().setTemplate("t").setPool("p").setReplicas(1).setShareable(false)
                .setEnvoyBaseConfig(baseConfig).build();
    }
}
