package org.epicgateway.projections.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.epicgateway.projections.routecheck.ManifestLoader;
import org.epicgateway.projections.status.StatusDerivation.Condition;
import org.epicgateway.projections.status.StatusDerivation.GatewayStatus;
import org.epicgateway.projections.status.StatusDerivation.ListenerStatus;
import org.epicgateway.projections.status.StatusDerivation.ProxyProgress;
import org.epicgateway.projections.status.StatusDerivation.RouteParentStatus;
import org.epicgateway.schemas.avro.ReferenceGrantTo;
import org.epicgateway.schemas.avro.ReferenceGrantFrom;
import org.epicgateway.schemas.avro.ReferenceGrant;
import org.epicgateway.schemas.avro.GatewayView;
import org.junit.jupiter.api.Test;

/** Route and gateway status as the conformance suite's Invalid*, ReferenceGrant and TCPRoute tests expect it. */
class StatusDerivationTest {

    private static final String GATEWAY = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: gw, namespace: infra}
            spec:
              gatewayClassName: epic
              listeners:
                - {name: http, port: 80, protocol: HTTP}
                - {name: shared, port: 8080, protocol: HTTP, hostname: "*.example.com", allowedRoutes: {namespaces: {from: All}}}
                - {name: tcp-only, port: 9000, protocol: HTTP, allowedRoutes: {kinds: [{kind: TCPRoute}]}}
                - {name: db, port: 5432, protocol: TCP}
            status:
              addresses: [{type: IPAddress, value: 192.0.2.10}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: infra}
            spec: {ports: [{port: 80}]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: apps}
            spec: {ports: [{port: 80}]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: granted, namespace: apps}
            spec: {ports: [{port: 80}]}
            ---
            apiVersion: gateway.networking.k8s.io/v1beta1
            kind: ReferenceGrant
            metadata: {name: grant, namespace: apps}
            spec:
              from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: infra}]
              to: [{group: "", kind: Service, name: granted}]
            """;

    private static GatewayStatus status(String routes) {
        List<GatewayView> views = ManifestLoader.parse("status.yaml", GATEWAY + routes);
        assertThat(views).hasSize(1);
        return StatusDerivation.derive(views.get(0));
    }

    private static String http(String name, String namespace, String parentRef, String hostnames, String backendRefs) {
        return """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: %s, namespace: %s}
                spec:
                  parentRefs: [%s]
                  hostnames: %s
                  rules: [{backendRefs: %s}]
                """.formatted(name, namespace, parentRef, hostnames, backendRefs);
    }

    private static String attached(String listener, int routes) {
        return listener + "=" + routes;
    }

    private static List<String> attachedCounts(GatewayStatus s) {
        return s.listeners().stream().map(l -> attached(l.name(), l.attachedRoutes())).toList();
    }

    private static RouteParentStatus only(GatewayStatus s, String name) {
        List<RouteParentStatus> found = s.routes().stream().filter(r -> r.name().equals(name)).toList();
        assertThat(found).as("parent statuses of " + name).hasSize(1);
        return found.get(0);
    }

    @Test
    void acceptedRouteResolvesAndCountsOnItsListener() {
        GatewayStatus s = status(http("ok", "infra", "{name: gw, sectionName: http}", "[]", "[{name: web, port: 80}]"));
        RouteParentStatus r = only(s, "ok");
        assertThat(r.accepted().status()).isTrue();
        assertThat(r.accepted().reason()).isEqualTo("Accepted");
        assertThat(r.resolvedRefs().status()).isTrue();
        assertThat(attachedCounts(s)).contains(attached("http", 1), attached("shared", 0));
        assertThat(s.addresses()).containsExactly("192.0.2.10");
    }

    @Test
    void parentRefToMissingSectionOrPortIsNoMatchingParent() {
        GatewayStatus s = status(http("bad-section", "infra", "{name: gw, sectionName: nope}", "[]", "[{name: web, port: 80}]")
                + http("bad-port", "infra", "{name: gw, port: 81}", "[]", "[{name: web, port: 80}]")
                + http("section-port-mismatch", "infra", "{name: gw, sectionName: http, port: 8080}", "[]", "[{name: web, port: 80}]"));
        for (String name : List.of("bad-section", "bad-port", "section-port-mismatch")) {
            assertThat(only(s, name).accepted()).extracting(c -> c.status(), c -> c.reason())
                    .containsExactly(false, "NoMatchingParent");
        }
        assertThat(s.listeners()).allMatch(l -> l.attachedRoutes() == 0);
    }

    @Test
    void otherNamespaceOrDisallowedKindIsNotAllowedByListeners() {
        GatewayStatus s = status(http("foreign", "apps", "{name: gw, namespace: infra, sectionName: http}", "[]", "[{name: web, port: 80}]")
                + http("wrong-kind", "infra", "{name: gw, sectionName: tcp-only}", "[]", "[{name: web, port: 80}]")
                + http("on-tcp", "infra", "{name: gw, sectionName: db}", "[]", "[{name: web, port: 80}]"));
        for (String name : List.of("foreign", "wrong-kind", "on-tcp")) {
            assertThat(only(s, name).accepted()).extracting(c -> c.status(), c -> c.reason())
                    .containsExactly(false, "NotAllowedByListeners");
        }
    }

    @Test
    void crossNamespaceRouteOnAllowAllListenerIsAccepted() {
        GatewayStatus s = status(http("foreign", "apps", "{name: gw, namespace: infra, sectionName: shared}",
                "[a.example.com]", "[{name: web, port: 80}]"));
        assertThat(only(s, "foreign").accepted().status()).isTrue();
        assertThat(attachedCounts(s)).contains(attached("shared", 1));
    }

    @Test
    void aSelectorListenerAcceptsRoutesOfTheNamespacesItsSelectorMatches() {
        String manifests = """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: infra}
                spec:
                  gatewayClassName: epic
                  listeners:
                    - name: teams
                      port: 80
                      protocol: HTTP
                      allowedRoutes:
                        namespaces:
                          from: Selector
                          selector:
                            matchLabels: {gateway-access: "true"}
                            matchExpressions: [{key: env, operator: NotIn, values: [prod]}]
                    - name: by-name
                      port: 8080
                      protocol: HTTP
                      allowedRoutes:
                        namespaces:
                          from: Selector
                          selector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [legacy]}]}
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: team-a, labels: {gateway-access: "true", env: dev}}
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: team-b, labels: {gateway-access: "true", env: prod}}
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: team-c, labels: {env: dev}}
                """
                + http("a", "team-a", "{name: gw, namespace: infra, sectionName: teams}", "[]", "[]")
                + http("b", "team-b", "{name: gw, namespace: infra, sectionName: teams}", "[]", "[]")
                + http("c", "team-c", "{name: gw, namespace: infra, sectionName: teams}", "[]", "[]")
                + http("own", "infra", "{name: gw, namespace: infra}", "[]", "[]")
                + http("legacy", "legacy", "{name: gw, namespace: infra}", "[]", "[]");
        List<GatewayView> views = ManifestLoader.parse("selector.yaml", manifests);
        GatewayStatus s = StatusDerivation.derive(views.get(0));
        assertThat(only(s, "a").accepted()).extracting(c -> c.status(), c -> c.reason()).containsExactly(true, "Accepted");
        for (String name : List.of("b", "c", "own")) {
            assertThat(only(s, name).accepted()).as(name).extracting(c -> c.status(), c -> c.reason())
                    .containsExactly(false, "NotAllowedByListeners");
        }
        assertThat(only(s, "legacy").accepted().status()).as("no Namespace object: its name label still matches")
                .isTrue();
        assertThat(attachedCounts(s)).containsExactly(attached("teams", 1), attached("by-name", 1));
    }

    @Test
    void disjointHostnamesAreNoMatchingListenerHostname() {
        GatewayStatus s = status(http("elsewhere", "infra", "{name: gw, sectionName: shared}", "[example.org, example.com]",
                "[{name: web, port: 80}]"));
        assertThat(only(s, "elsewhere").accepted()).extracting(c -> c.status(), c -> c.reason())
                .containsExactly(false, "NoMatchingListenerHostname");
        assertThat(attachedCounts(s)).contains(attached("shared", 0));
    }

    @Test
    void unresolvedBackendsGiveTheSpecReasons() {
        GatewayStatus s = status(http("missing", "infra", "{name: gw, sectionName: http}", "[]", "[{name: nope, port: 80}]")
                + http("wrong-port", "infra", "{name: gw, sectionName: http}", "[]", "[{name: web, port: 81}]")
                + http("not-permitted", "infra", "{name: gw, sectionName: http}", "[]", "[{name: web, namespace: apps, port: 80}]")
                + http("granted", "infra", "{name: gw, sectionName: http}", "[]", "[{name: granted, namespace: apps, port: 80}]")
                + http("bad-kind", "infra", "{name: gw, sectionName: http}", "[]", "[{group: example.com, kind: Bucket, name: web}]"));
        assertThat(only(s, "missing").resolvedRefs()).extracting(c -> c.status(), c -> c.reason())
                .containsExactly(false, "BackendNotFound");
        assertThat(only(s, "wrong-port").resolvedRefs().reason()).isEqualTo("BackendNotFound");
        assertThat(only(s, "not-permitted").resolvedRefs()).extracting(c -> c.status(), c -> c.reason())
                .containsExactly(false, "RefNotPermitted");
        assertThat(only(s, "granted").resolvedRefs().status()).isTrue();
        assertThat(only(s, "bad-kind").resolvedRefs()).extracting(c -> c.status(), c -> c.reason())
                .containsExactly(false, "InvalidKind");
        // Unresolved backends do not stop attachment: the route is Accepted and answers 500.
        assertThat(only(s, "missing").accepted().status()).isTrue();
        assertThat(attachedCounts(s)).contains(attached("http", 5));
    }

    @Test
    void aMirrorBackendIsResolvedLikeAnyOther() {
        String mirrored = """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: %s, namespace: infra}
                spec:
                  parentRefs: [{name: gw, sectionName: http}]
                  rules:
                    - filters: [{type: RequestMirror, requestMirror: {backendRef: %s}}]
                      backendRefs: [{name: web, port: 80}]
                """;
        GatewayStatus s = status(mirrored.formatted("shadow-missing", "{name: shadow, port: 80}")
                + mirrored.formatted("shadow-foreign", "{name: web, namespace: apps, port: 80}")
                + mirrored.formatted("shadow-ok", "{name: granted, namespace: apps, port: 80}"));
        assertThat(only(s, "shadow-missing").resolvedRefs()).extracting(c -> c.status(), c -> c.reason())
                .containsExactly(false, "BackendNotFound");
        assertThat(only(s, "shadow-foreign").resolvedRefs()).extracting(c -> c.status(), c -> c.reason())
                .containsExactly(false, "RefNotPermitted");
        assertThat(only(s, "shadow-ok").resolvedRefs().status()).isTrue();
    }

    @Test
    void grpcRoutesAttachToHttpListenersAndResolveTheirBackendsAndMirrors() {
        String grpc = """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: GRPCRoute
                metadata: {name: %s, namespace: infra}
                spec:
                  parentRefs: [%s]
                  rules:
                    - matches: [{method: {service: echo.Echo, method: Say}}]
                      filters: [{type: RequestMirror, requestMirror: {backendRef: %s}}]
                      backendRefs: [%s]
                """;
        GatewayStatus s = status(grpc.formatted("ok", "{name: gw, sectionName: http}", "{name: web, port: 80}",
                        "{name: web, port: 80}")
                + grpc.formatted("backend-missing", "{name: gw, sectionName: http}", "{name: web, port: 80}",
                        "{name: nope, port: 80}")
                + grpc.formatted("mirror-foreign", "{name: gw, sectionName: http}", "{name: web, namespace: apps, port: 80}",
                        "{name: web, port: 80}")
                + grpc.formatted("only-tcp-kinds", "{name: gw, sectionName: tcp-only}", "{name: web, port: 80}",
                        "{name: web, port: 80}")
                + grpc.formatted("on-tcp", "{name: gw, sectionName: db}", "{name: web, port: 80}", "{name: web, port: 80}"));
        assertThat(only(s, "ok").kind()).isEqualTo("GRPCRoute");
        assertThat(only(s, "ok").accepted().status()).isTrue();
        assertThat(only(s, "ok").resolvedRefs().status()).isTrue();
        assertThat(only(s, "backend-missing").resolvedRefs()).extracting(c -> c.status(), c -> c.reason())
                .containsExactly(false, "BackendNotFound");
        // The grant in apps is for HTTPRoutes only: a GRPCRoute's reference across namespaces is not permitted.
        assertThat(only(s, "mirror-foreign").resolvedRefs()).extracting(c -> c.status(), c -> c.reason())
                .containsExactly(false, "RefNotPermitted");
        for (String name : List.of("only-tcp-kinds", "on-tcp")) {
            assertThat(only(s, name).accepted()).extracting(c -> c.status(), c -> c.reason())
                    .containsExactly(false, "NotAllowedByListeners");
        }
        assertThat(attachedCounts(s)).contains(attached("http", 3));
        assertThat(StatusDerivation.supportedKinds(ManifestLoader.parse("gw.yaml", GATEWAY).get(0).getGateway()
                .getListeners().get(0))).containsExactly("HTTPRoute", "GRPCRoute");
    }

    @Test
    void anHttpRouteAndAGrpcRouteSharingAHostnameOnOneListenerLeaveOnlyTheOlderAccepted() {
        String route = """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: %s
                metadata: {name: %s, namespace: infra, creationTimestamp: "%s"}
                spec:
                  parentRefs: [%s]
                  hostnames: %s
                  rules: [{backendRefs: [{name: web, port: 80}]}]
                """;
        GatewayStatus s = status(
                route.formatted("GRPCRoute", "echo", "2026-01-01T00:00:00Z", "{name: gw, sectionName: http}",
                        "[grpc.example.com]")
                // *.example.com covers grpc.example.com: the newer HTTPRoute loses the http listener
                + route.formatted("HTTPRoute", "web", "2026-01-02T00:00:00Z", "{name: gw, sectionName: http}",
                        "[\"*.example.com\"]")
                // attached to http and shared: loses http only, so it stays accepted on shared
                + route.formatted("HTTPRoute", "both", "2026-01-03T00:00:00Z", "{name: gw}", "[grpc.example.com]")
                + route.formatted("HTTPRoute", "site", "2026-01-04T00:00:00Z", "{name: gw, sectionName: http}",
                        "[www.example.org]")
                // the same age as site: "{namespace}/{name}" decides, infra/site before infra/x-site
                + route.formatted("GRPCRoute", "x-site", "2026-01-04T00:00:00Z", "{name: gw, sectionName: http}",
                        "[www.example.org]")
                + route.formatted("GRPCRoute", "other", "2026-01-05T00:00:00Z", "{name: gw, sectionName: http}",
                        "[api.example.net]"));
        assertThat(only(s, "echo").accepted().status()).isTrue();
        assertThat(only(s, "web").accepted()).isEqualTo(new Condition("Accepted", false, "Conflicted",
                "the older GRPCRoute infra/echo serves an intersecting hostname on listener http (an HTTPRoute and a"
                        + " GRPCRoute never share one)"));
        assertThat(only(s, "both").accepted()).isEqualTo(new Condition("Accepted", true, "Accepted",
                "attached to shared"));
        assertThat(only(s, "site").accepted().status()).isTrue();
        assertThat(only(s, "x-site").accepted()).extracting(Condition::status, Condition::reason)
                .containsExactly(false, "Conflicted");
        assertThat(only(s, "other").accepted().status()).isTrue();
        assertThat(attachedCounts(s)).contains(attached("http", 3), attached("shared", 1));
    }

    @Test
    void onlyTheOldestTcpRouteIsAttachedButAllAreAccepted() {
        String tcp = """
                ---
                apiVersion: gateway.networking.k8s.io/v1alpha2
                kind: TCPRoute
                metadata: {name: %s, namespace: infra, creationTimestamp: "%s"}
                spec:
                  parentRefs: [{name: gw}]
                  rules: [{backendRefs: [{name: web, port: 80}]}]
                """;
        GatewayStatus s = status(tcp.formatted("newer", "2026-02-01T00:00:00Z") + tcp.formatted("older", "2026-01-01T00:00:00Z"));
        assertThat(only(s, "newer").accepted().status()).isTrue();
        assertThat(only(s, "older").accepted().status()).isTrue();
        assertThat(attachedCounts(s)).contains(attached("db", 1), attached("http", 0));
    }

    @Test
    void aPendingGatewaySaysWhyNoReplicaRuns() {
        GatewayView view = ManifestLoader.parse("status.yaml", GATEWAY).get(0);
        String why = "replica r0 on node epic-a does not run: no envoy binary on PATH: the local provider runs Envoy only";
        assertThat(StatusDerivation.gatewayConditions(view, new ProxyProgress("v1", null, 0, 0), why).get(1))
                .isEqualTo(new Condition("Programmed", false, "Pending", "no proxy has acknowledged revision v1 yet; " + why));
        assertThat(StatusDerivation.gatewayConditions(view, new ProxyProgress("v1", null, 0, 0), null).get(1).message())
                .isEqualTo("no proxy has acknowledged revision v1 yet");
        assertThat(StatusDerivation.gatewayConditions(view, new ProxyProgress("v1", null, 2, 0), why).get(1))
                .isEqualTo(new Condition("Programmed", true, "Programmed", "2 proxies run revision v1"));
    }

    @Test
    void routesOfOtherGatewaysGetNoStatusHere() {
        GatewayStatus s = status(http("elsewhere", "infra", "{name: other-gw}", "[]", "[{name: web, port: 80}]"));
        assertThat(s.routes()).isEmpty();
    }

    @Test
    void listenerConditionsReportConflictsAndCertificates() {
        String gateway = """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: infra}
                spec:
                  gatewayClassName: epic
                  listeners:
                    - {name: web, port: 80, protocol: HTTP}
                    - {name: clash, port: 80, protocol: TCP}
                    - {name: no-cert, port: 443, protocol: HTTPS}
                    - {name: foreign-cert, port: 443, protocol: HTTPS, hostname: a.example.com, tls: {certificateRefs: [{name: c, namespace: vault}]}}
                    - {name: own-cert, port: 443, protocol: HTTPS, hostname: b.example.com, tls: {certificateRefs: [{name: c}]}}
                    - {name: tls, port: 8443, protocol: TLS}
                """;
        GatewayStatus s = StatusDerivation.derive(ManifestLoader.parse("gw.yaml", gateway).get(0));
        Map<String, ListenerStatus> byName = new HashMap<>();
        s.listeners().forEach(l -> byName.put(l.name(), l));
        assertThat(byName.get("web").condition("Programmed").status()).isTrue();
        assertThat(byName.get("clash").condition("Conflicted").reason()).isEqualTo("ProtocolConflict");
        assertThat(byName.get("clash").condition("Programmed").status()).isFalse();
        assertThat(byName.get("no-cert").condition("ResolvedRefs").reason()).isEqualTo("InvalidCertificateRef");
        assertThat(byName.get("foreign-cert").condition("ResolvedRefs").reason()).isEqualTo("RefNotPermitted");
        assertThat(byName.get("own-cert").condition("ResolvedRefs").status()).isTrue();
        assertThat(byName.get("own-cert").condition("Programmed").status()).isTrue();
        // TLS without a mode terminates (the CRD's default): accepted, but not served without a certificate.
        assertThat(byName.get("tls").condition("Accepted").status()).isTrue();
        assertThat(byName.get("tls").condition("ResolvedRefs").reason()).isEqualTo("InvalidCertificateRef");
        assertThat(byName.get("tls").condition("Programmed").status()).isFalse();

        // A ReferenceGrant of an account the gateway is shared with (its routes bring their grants into the view)
        // speaks for that account's namespaces only, never for the owner's.
        GatewayView parsed = ManifestLoader.parse("gw.yaml", gateway).get(0);
        GatewayView shared = GatewayView.newBuilder(parsed).setReferenceGrants(List.of(new ReferenceGrant("vault",
                "to-infra", List.of(new ReferenceGrantFrom("Gateway", "infra")), List.of(new ReferenceGrantTo("Secret",
                null)), "corp"))).build();
        assertThat(StatusDerivation.derive(shared).listeners().stream().filter(l -> l.name().equals("foreign-cert"))
                .findFirst().orElseThrow().condition("ResolvedRefs").reason()).isEqualTo("RefNotPermitted");
        GatewayView own = GatewayView.newBuilder(shared).setReferenceGrants(List.of(ReferenceGrant.newBuilder(
                shared.getReferenceGrants().get(0)).setAccount(null).build())).build();
        assertThat(StatusDerivation.derive(own).listeners().stream().filter(l -> l.name().equals("foreign-cert"))
                .findFirst().orElseThrow().condition("ResolvedRefs").reason()).as("the owner's own grant")
                .isNotEqualTo("RefNotPermitted");
    }

    @Test
    void terminatingTlsListenersTakeTlsRoutesAndTcpRoutesPassthroughListenersOnlyTlsRoutes() {
        String manifests = """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: infra}
                spec:
                  gatewayClassName: epic
                  listeners:
                    - {name: term, port: 443, protocol: TLS, hostname: "*.example.com", tls: {mode: Terminate, certificateRefs: [{name: c}]}}
                    - {name: pass, port: 8443, protocol: TLS, tls: {mode: Passthrough}}
                ---
                apiVersion: gateway.networking.k8s.io/v1alpha2
                kind: TCPRoute
                metadata: {name: raw, namespace: infra}
                spec:
                  parentRefs: [{name: gw, sectionName: term}, {name: gw, sectionName: pass}]
                  rules: [{backendRefs: [{name: db, port: 5432}]}]
                ---
                apiVersion: gateway.networking.k8s.io/v1alpha2
                kind: TLSRoute
                metadata: {name: sni, namespace: infra}
                spec:
                  parentRefs: [{name: gw}]
                  hostnames: [db.example.com]
                  rules: [{backendRefs: [{name: db, port: 5432}]}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: db, namespace: infra}
                spec: {ports: [{port: 5432}]}
                """;
        GatewayView view = ManifestLoader.parse("tls.yaml", manifests).get(0);
        GatewayStatus s = StatusDerivation.derive(view);
        Map<String, ListenerStatus> byName = new HashMap<>();
        s.listeners().forEach(l -> byName.put(l.name(), l));
        assertThat(StatusDerivation.supportedKinds(view.getGateway().getListeners().get(0)))
                .containsExactly("TLSRoute", "TCPRoute");
        assertThat(StatusDerivation.supportedKinds(view.getGateway().getListeners().get(1))).containsExactly("TLSRoute");
        assertThat(byName.get("term").attachedRoutes()).isEqualTo(2);
        assertThat(byName.get("term").condition("Programmed").status()).isTrue();
        assertThat(byName.get("pass").attachedRoutes()).isEqualTo(1);
        assertThat(s.routes()).extracting(r -> r.kind() + "/" + r.name() + "/" + r.parentRef().getSectionName() + ":"
                + r.accepted().reason()).containsExactlyInAnyOrder("TCPRoute/raw/term:Accepted",
                "TCPRoute/raw/pass:NotAllowedByListeners", "TLSRoute/sni/null:Accepted");
    }

    @Test
    void tlsRoutesAttachToPassthroughListenersByHostnameWithTheSpecsReasons() {
        String manifests = """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: infra}
                spec:
                  gatewayClassName: epic
                  listeners:
                    - {name: pass, port: 443, protocol: TLS, hostname: "*.example.com", tls: {mode: Passthrough}}
                    - {name: web, port: 80, protocol: HTTP}
                    - name: multi
                      port: 8443
                      protocol: HTTPS
                      tls: {certificateRefs: [{name: a}, {name: b, namespace: vault}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: db, namespace: infra}
                spec: {ports: [{port: 5432}]}
                ---
                apiVersion: gateway.networking.k8s.io/v1alpha2
                kind: TLSRoute
                metadata: {name: served, namespace: infra}
                spec:
                  parentRefs: [{name: gw}]
                  hostnames: [db.example.com]
                  rules: [{backendRefs: [{name: db, port: 5432}]}]
                ---
                apiVersion: gateway.networking.k8s.io/v1alpha2
                kind: TLSRoute
                metadata: {name: other-domain, namespace: infra}
                spec:
                  parentRefs: [{name: gw, sectionName: pass}]
                  hostnames: [db.example.org]
                  rules: [{backendRefs: [{name: db, port: 5432}]}]
                ---
                apiVersion: gateway.networking.k8s.io/v1alpha2
                kind: TLSRoute
                metadata: {name: on-http, namespace: infra}
                spec:
                  parentRefs: [{name: gw, sectionName: web}]
                  hostnames: [db.example.com]
                  rules: [{backendRefs: [{name: db, port: 5432}]}]
                ---
                apiVersion: gateway.networking.k8s.io/v1alpha2
                kind: TLSRoute
                metadata: {name: missing-backend, namespace: infra}
                spec:
                  parentRefs: [{name: gw}]
                  hostnames: [cache.example.com]
                  rules: [{backendRefs: [{name: cache, port: 6379}]}]
                """;
        GatewayStatus s = StatusDerivation.derive(ManifestLoader.parse("tls.yaml", manifests).get(0));
        Map<String, RouteParentStatus> byRoute = new HashMap<>();
        s.routes().forEach(r -> byRoute.put(r.name(), r));
        assertThat(byRoute.get("served").accepted().reason()).isEqualTo("Accepted");
        assertThat(byRoute.get("served").accepted().message()).isEqualTo("attached to pass");
        assertThat(byRoute.get("served").resolvedRefs().status()).isTrue();
        assertThat(byRoute.get("other-domain").accepted().reason()).isEqualTo("NoMatchingListenerHostname");
        assertThat(byRoute.get("on-http").accepted().reason()).isEqualTo("NotAllowedByListeners");
        assertThat(byRoute.get("missing-backend").accepted().status()).isTrue();
        assertThat(byRoute.get("missing-backend").resolvedRefs().reason()).isEqualTo("BackendNotFound");
        Map<String, ListenerStatus> byListener = new HashMap<>();
        s.listeners().forEach(l -> byListener.put(l.name(), l));
        assertThat(byListener.get("pass").attachedRoutes()).isEqualTo(2);
        assertThat(byListener.get("pass").condition("Accepted").status()).isTrue();
        assertThat(StatusDerivation.supportedKinds(ManifestLoader.parse("tls.yaml", manifests).get(0).getGateway()
                .getListeners().get(0))).containsExactly("TLSRoute");
        // One of two certificates not granted: the listener serves nothing and says why.
        assertThat(byListener.get("multi").condition("ResolvedRefs").reason()).isEqualTo("RefNotPermitted");
        assertThat(byListener.get("multi").condition("Programmed").status()).isFalse();
    }

    @Test
    void aListenerWhoseCertificateWasNeverStoredServesNothingAndSaysSo() {
        String gateway = """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: infra}
                spec:
                  gatewayClassName: epic
                  listeners:
                    - {name: both, port: 443, protocol: HTTPS, hostname: a.example.com, tls: {certificateRefs: [{name: rsa}, {name: ecdsa}]}}
                    - {name: one, port: 443, protocol: HTTPS, hostname: b.example.com, tls: {certificateRefs: [{name: rsa}]}}
                """;
        GatewayView assumed = ManifestLoader.parse("gw.yaml", gateway).get(0);
        // Only "rsa" was uploaded: the listener that also needs "ecdsa" is left out, the other is served.
        GatewayView view = GatewayView.newBuilder(assumed).setCertificates(assumed.getCertificates().stream()
                .filter(c -> c.getName().equals("rsa")).toList()).build();
        Map<String, ListenerStatus> byName = new HashMap<>();
        StatusDerivation.derive(view).listeners().forEach(l -> byName.put(l.name(), l));
        assertThat(byName.get("both").condition("ResolvedRefs").reason()).isEqualTo("InvalidCertificateRef");
        assertThat(byName.get("both").condition("ResolvedRefs").message()).contains("no stored certificate");
        assertThat(byName.get("both").condition("Programmed").status()).isFalse();
        assertThat(byName.get("one").condition("ResolvedRefs").status()).isTrue();
        var listener = org.epicgateway.projections.envoy.EnvoyDerivation.derive(view).listeners().get(0);
        assertThat(listener.getFilterChainsList()).singleElement().satisfies(chain -> assertThat(
                chain.getFilterChainMatch().getServerNamesList()).containsExactly("b.example.com"));
    }
}
