package org.epicgateway.projections.routecheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.HttpRouteState;
import org.epicgateway.schemas.avro.PathMatchType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one mapper from Kubernetes manifests to the Avro specs: defaults, and errors naming document and field. */
class ManifestLoaderTest {

    private static final String GATEWAY = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: gw}
            spec:
              gatewayClassName: epic
              listeners: [{name: http, port: 80, protocol: HTTP}]
            """;

    private static String route(String rules) {
        return GATEWAY + """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: r, creationTimestamp: "2026-05-01T10:00:00Z"}
                spec:
                  parentRefs: [{name: gw}]
                  rules:
                """ + rules;
    }

    @Test
    void appliesGatewayApiDefaults() {
        List<GatewayView> views = ManifestLoader.parse("m.yaml", route("""
                    - matches: [{headers: [{name: a, value: b}]}, {path: {value: /x}}]
                      backendRefs: [{name: svc, port: 80}]
                """) + """
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: ignored}
                """);
        assertThat(views).hasSize(1);
        GatewayView v = views.get(0);
        assertThat(v.getGateway().getNamespace()).isEqualTo("default");
        assertThat(v.getGatewayId()).isEqualTo("gateway/manifests/default/gw");
        HttpRouteState r = v.getHttpRoutes().get(0);
        assertThat(r.getCreationTimestamp()).isEqualTo(Instant.parse("2026-05-01T10:00:00Z"));
        assertThat(r.getRules().get(0).getMatches().get(0).getPath()).isNull(); // defaulted by the derivation
        assertThat(r.getRules().get(0).getMatches().get(1).getPath().getType()).isEqualTo(PathMatchType.PATH_PREFIX);
        assertThat(r.getRules().get(0).getBackendRefs().get(0).getWeight()).isEqualTo(1);
        assertThat(r.getRules().get(0).getBackendRefs().get(0).getKind()).isNull();
    }

    @Test
    void routesOfOtherGatewaysStayOutOfTheView() {
        List<GatewayView> views = ManifestLoader.parse("m.yaml", GATEWAY + """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: elsewhere}
                spec:
                  parentRefs: [{name: other}]
                """);
        assertThat(views.get(0).getHttpRoutes()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "'    - matches: [{path: {type: Exact, value: nope}}]'|spec.rules[0].matches[0].path.value|must start with /",
        "'    - matches: [{path: {type: Glob, value: /x}}]'|spec.rules[0].matches[0].path.type|unknown Glob",
        "'    - matches: [{path: {type: RegularExpression, value: \"/(x\"}}]'|spec.rules[0].matches[0].path.value|not an RE2",
        "'    - matches: [{headers: [{name: a, type: RegularExpression, value: \"a(?=b)\"}]}]'|spec.rules[0].matches[0].headers[0].value|not an RE2",
        "'    - matches: [{method: FETCH}]'|spec.rules[0].matches[0].method|unknown method FETCH",
        "'    - backendRefs: [{name: svc}]'|spec.rules[0].backendRefs[0].port|required",
        "'    - backendRefs: [{name: svc, port: 80, weight: -1}]'|spec.rules[0].backendRefs[0].weight|must be 0-1000000",
        "'    - filters: [{type: RequestMirror}]'|spec.rules[0].filters[0].requestMirror|required",
        "'    - filters: [{type: CORS}]'|spec.rules[0].filters[0].cors|required",
        "'    - filters: [{type: ExternalAuth}]'|spec.rules[0].filters[0].type|unsupported filter ExternalAuth",
        "'    - filters: [{type: RequestMirror, requestMirror: {backendRef: {name: s, port: 80}, percent: 10, fraction: {numerator: 1}}}]'|spec.rules[0].filters[0].requestMirror|Only one of percent or fraction",
        "'    - filters: [{type: RequestMirror, requestMirror: {backendRef: {name: s, port: 80}, fraction: {numerator: 5, denominator: 4}}}]'|spec.rules[0].filters[0].requestMirror.fraction|numerator",
        "'    - {timeouts: {request: 1s, backendRequest: 2s}}'|spec.rules[0].timeouts.backendRequest|cannot be longer",
        "'    - {timeouts: {request: 1d}}'|spec.rules[0].timeouts.request|not a duration",
        "'    - {retry: {codes: [200]}}'|spec.rules[0].retry.codes[0]|must be 400-599",
        "'    - filters: [{type: RequestRedirect, requestRedirect: {statusCode: 304}}]'|spec.rules[0].filters[0].requestRedirect.statusCode|must be 301",
        "'    - filters: [{type: RequestRedirect}]'|spec.rules[0].filters[0].requestRedirect|required",
        "'    - {matches: [{path: {type: Exact, value: /a}}], filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /b}}}]}'|spec.rules[0].filters[0].urlRewrite.path.type|needs PathPrefix",
        "'    - backendRefs: [{name: svc, port: eighty}]'|spec.rules[0].backendRefs[0].port|eighty",
        "'    - backendRefs: [{name: svc, port: 80, filters: [{type: URLRewrite, urlRewrite: {hostname: a.example}}]}]'|spec.rules[0].backendRefs[0].filters[0].type|a URLRewrite filter cannot be applied per backend",
        "'    - backendRefs: [{name: svc, port: 80, filters: [{type: ExtensionRef, extensionRef: {group: x.io, kind: K, name: k}}]}]'|spec.rules[0].backendRefs[0].filters[0].type|a ExtensionRef filter cannot be applied per backend",
        "'    - backendRefs: [{name: svc, port: 80, filters: [{type: RequestHeaderModifier}]}]'|spec.rules[0].backendRefs[0].filters[0].requestHeaderModifier|required",
    })
    void invalidRouteNamesDocumentAndField(String rule, String field, String problem) {
        assertThatThrownBy(() -> ManifestLoader.parse("routes.yaml", route(rule + "\n")))
                .isInstanceOf(ManifestException.class)
                .hasMessageContaining("routes.yaml document 2 (HTTPRoute r)")
                .hasMessageContaining(field)
                .hasMessageContaining(problem);
    }

    @Test
    void invalidGatewayNamesListenerField() {
        assertThatThrownBy(() -> ManifestLoader.parse("gw.yaml", GATEWAY.replace("port: 80", "port: 70000")))
                .isInstanceOf(ManifestException.class)
                .hasMessageContaining("gw.yaml document 1 (Gateway gw): spec.listeners[0].port: must be 1-65535");
        assertThatThrownBy(() -> ManifestLoader.parse("gw.yaml", GATEWAY.replace("protocol: HTTP", "protocol: UDP")))
                .hasMessageContaining("spec.listeners[0].protocol: unsupported UDP");
        assertThatThrownBy(() -> ManifestLoader.parse("gw.yaml", GATEWAY.replace("metadata: {name: gw}", "metadata: {}")))
                .hasMessageContaining("metadata.name: required");
    }

    @Test
    void invalidNamespaceSelectorsAndLabelsAreNamedAsTheApiServerNamesThem() {
        String selecting = "{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Selector%s}}}";
        String f = "gw.yaml document 1 (Gateway gw): spec.listeners[0].allowedRoutes.namespaces.selector";
        assertThatThrownBy(() -> ManifestLoader.parse("gw.yaml", GATEWAY.replace("{name: http, port: 80, protocol: HTTP}",
                selecting.formatted(""))))
                .hasMessageContaining(f + ": required when from is Selector");
        assertThatThrownBy(() -> ManifestLoader.parse("gw.yaml", GATEWAY.replace("{name: http, port: 80, protocol: HTTP}",
                selecting.formatted(", selector: {matchExpressions: [{key: team, operator: In}]}"))))
                .hasMessageContaining(f + ".matchExpressions[0].values: must be specified when `operator` is 'In' or 'NotIn'");
        assertThatThrownBy(() -> ManifestLoader.parse("gw.yaml", GATEWAY.replace("{name: http, port: 80, protocol: HTTP}",
                selecting.formatted(", selector: {matchExpressions: [{key: team, operator: Gt, values: ['1']}]}"))))
                .hasMessageContaining(f + ".matchExpressions[0].operator: unsupported Gt (In, NotIn, Exists, DoesNotExist)");
        assertThatThrownBy(() -> ManifestLoader.parse("ns.yaml", GATEWAY
                + "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: apps, labels: {team: 'a b'}}\n"))
                .hasMessageContaining("ns.yaml document 2 (Namespace apps): metadata.labels: value of 'team' 'a b'");
    }

    @Test
    void brokenYamlAndMissingKindAreNamed() {
        assertThatThrownBy(() -> ManifestLoader.parse("bad.yaml", "kind: [unclosed"))
                .isInstanceOf(ManifestException.class).hasMessageContaining("bad.yaml: (yaml): not valid YAML");
        assertThatThrownBy(() -> ManifestLoader.parse("nokind.yaml", GATEWAY + "---\nmetadata: {name: x}\n"))
                .hasMessageContaining("nokind.yaml document 2 (no kind x): kind: missing");
        assertThatThrownBy(() -> ManifestLoader.parse("ts.yaml", route("    - backendRefs: [{name: s, port: 1}]\n")
                .replace("2026-05-01T10:00:00Z", "yesterday")))
                .hasMessageContaining("metadata.creationTimestamp: not an RFC 3339 time");
    }
}
