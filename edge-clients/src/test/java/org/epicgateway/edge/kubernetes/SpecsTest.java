package org.epicgateway.edge.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilterBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TCPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TLSRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrantBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Kubernetes objects as the EPIC create bodies the batch endpoint takes, and their idempotency keys. */
class SpecsTest {

    private static HTTPRoute route(String backend) {
        return new HTTPRouteBuilder().withNewMetadata().withName("web").withNamespace("shop").withUid("u-1")
            .withGeneration(3L).withCreationTimestamp("2026-12-04T10:00:00Z").endMetadata().withNewSpec()
            .addNewParentRef().withName("edge").withSectionName("http").endParentRef().withHostnames("www.example.com")
            .addNewRule().addNewMatch().withNewPath().withType("PathPrefix").withValue("/api").endPath().endMatch()
            .addNewBackendRef().withName(backend).withPort(80).endBackendRef().endRule().endSpec().build();
    }

    @Test
    void anHttpRouteIsTheApisCreateBodyWithoutWhatEpicOwns() throws Exception {
        Specs.EpicObject o = Specs.of(route("api"), null, Map.of());
        assertThat(o.kind()).isEqualTo("HTTPRoute");
        assertThat(o.collection()).isEqualTo("httproutes");
        assertThat(o.key()).isEqualTo("HTTPRoute/shop/web");
        assertThat(o.body().toString()).isEqualTo("{\"namespace\":\"shop\",\"name\":\"web\",\"parentRefs\":[{\"name\":"
            + "\"edge\",\"sectionName\":\"http\"}],\"hostnames\":[\"www.example.com\"],\"rules\":[{\"matches\":[{\"path\":"
            + "{\"type\":\"PATH_PREFIX\",\"value\":\"/api\"},\"headers\":[],\"queryParams\":[]}],\"filters\":[],"
            + "\"backendRefs\":[{\"name\":\"api\",\"port\":80,\"weight\":1,\"filters\":[]}]}]}");
    }

    @Test
    void backendRefFiltersGoAlongAndOnesEnvoyCannotApplyPerBackendAreInvalidNamingTheField() throws Exception {
        HTTPRoute route = route("api");
        route.getSpec().getRules().get(0).getBackendRefs().get(0).setFilters(List.of(new HTTPRouteFilterBuilder()
            .withType("RequestHeaderModifier").withNewRequestHeaderModifier().addNewSet().withName("x-backend")
            .withValue("api").endSet().endRequestHeaderModifier().build()));
        assertThat(Specs.of(route, null, Map.of()).body().at("/rules/0/backendRefs/0/filters").toString())
            .isEqualTo("[{\"type\":\"REQUEST_HEADER_MODIFIER\",\"requestHeaderModifier\":{\"set\":[{\"name\":"
                + "\"x-backend\",\"value\":\"api\"}],\"add\":[],\"remove\":[]}}]");
        // The controller writes this as the route's Accepted=False, reason UnsupportedValue (StatusWriter).
        route.getSpec().getRules().get(0).getBackendRefs().get(0).setFilters(List.of(new HTTPRouteFilterBuilder()
            .withType("URLRewrite").withNewUrlRewrite().withHostname("a.example").endUrlRewrite().build()));
        assertThatThrownBy(() -> Specs.of(route, null, Map.of())).isInstanceOfSatisfying(Specs.Invalid.class, e -> {
            assertThat(e.field()).isEqualTo("spec.rules[0].backendRefs[0].filters[0].type");
            assertThat(e.getMessage()).contains("a URLRewrite filter cannot be applied per backend");
        });
    }

    @Test
    void aGrpcRouteIsTheGrpcRoutesCreateBody() throws Exception {
        GRPCRoute route = new GRPCRouteBuilder().withNewMetadata().withName("echo").withNamespace("rpc").withUid("u-2")
            .endMetadata().withNewSpec().addNewParentRef().withName("edge").endParentRef()
            .addNewRule().addNewMatch().withNewMethod().withService("echo.v1.Echo").withMethod("Say").endMethod()
            .endMatch().addNewBackendRef().withName("echo").withPort(50051).endBackendRef().endRule().endSpec().build();
        Specs.EpicObject o = Specs.of(route, null, Map.of());
        assertThat(o.kind()).isEqualTo("GRPCRoute");
        assertThat(o.collection()).isEqualTo("grpcroutes");
        assertThat(o.body().toString()).isEqualTo("{\"namespace\":\"rpc\",\"name\":\"echo\",\"parentRefs\":[{\"name\":"
            + "\"edge\"}],\"hostnames\":[],\"rules\":[{\"matches\":[{\"method\":{\"type\":\"EXACT\",\"service\":"
            + "\"echo.v1.Echo\",\"method\":\"Say\"},\"headers\":[]}],\"filters\":[],\"backendRefs\":[{\"name\":\"echo\","
            + "\"port\":50051,\"weight\":1,\"filters\":[]}]}]}");
    }

    @Test
    void aNamespaceIsItsLabelsAccountWideAndItsSelectorListenerKeepsTheSelector() throws Exception {
        Specs.EpicObject ns = Specs.of(new NamespaceBuilder().withNewMetadata().withName("team-a").withUid("u-9")
            .withResourceVersion("41").addToLabels(Map.of("kubernetes.io/metadata.name", "team-a", "team", "a"))
            .endMetadata().build(), null, Map.of());
        assertThat(ns.kind()).isEqualTo("Namespace");
        assertThat(ns.collection()).isEqualTo("namespaces");
        assertThat(ns.key()).isEqualTo("Namespace/team-a");
        assertThat(ns.body().toString()).as("the API server's own label is implied, not sent")
            .isEqualTo("{\"name\":\"team-a\",\"labels\":{\"team\":\"a\"}}");
        assertThat(ns.item("u-9", "41").idempotencyKey()).startsWith("u-9.41.");

        Specs.EpicObject gateway = Specs.of(new GatewayBuilder().withNewMetadata().withName("edge").withNamespace("infra")
            .endMetadata().withNewSpec().withGatewayClassName("epic").addNewListener().withName("http").withPort(80)
            .withProtocol("HTTP").withNewAllowedRoutes().withNewNamespaces().withFrom("Selector").withNewSelector()
            .addToMatchLabels("team", "a").addNewMatchExpression().withKey("env").withOperator("NotIn")
            .withValues("prod").endMatchExpression().endSelector().endNamespaces().endAllowedRoutes().endListener()
            .endSpec().build(), "t", Map.of());
        assertThat(gateway.body().at("/listeners/0/allowedRoutes").toString()).isEqualTo("{\"namespacesFrom\":"
            + "\"SELECTOR\",\"kinds\":[],\"namespaceSelector\":{\"matchLabels\":{\"team\":\"a\"},"
            + "\"matchExpressions\":[{\"key\":\"env\",\"operator\":\"NOT_IN\",\"values\":[\"prod\"]}]}}");
    }

    @Test
    void theKeyIsTheObjectsUidVersionAndContent() throws Exception {
        String key = Specs.of(route("api"), null, Map.of()).item("u-1", "3").idempotencyKey();
        assertThat(key).startsWith("u-1.3.").hasSize("u-1.3.".length() + 16).matches("[A-Za-z0-9._:-]{1,128}");
        assertThat(Specs.of(route("api"), null, Map.of()).item("u-1", "3").idempotencyKey()).isEqualTo(key);
        assertThat(Specs.of(route("api"), null, Map.of()).item("u-1", "4").idempotencyKey()).isNotEqualTo(key);
        assertThat(Specs.of(route("other"), null, Map.of()).item("u-1", "3").idempotencyKey()).isNotEqualTo(key);
    }

    @Test
    void aGatewayTakesItsClassesTemplateAndASliceItsNodesAddress() throws Exception {
        Specs.EpicObject gateway = Specs.of(new GatewayBuilder().withNewMetadata().withName("edge").withNamespace("shop")
            .endMetadata().withNewSpec().withGatewayClassName("epic").addNewListener().withName("http").withPort(80)
            .withProtocol("HTTP").endListener().endSpec().build(), "standard", Map.of());
        assertThat(gateway.body().path("template").asText()).isEqualTo("standard");
        assertThat(gateway.body().has("address")).isFalse();
        // The owner grants sharing through its own endpoint; the create body refuses the field.
        assertThat(gateway.body().has("sharedWith")).isFalse();
        EndpointSlice slice = new EndpointSliceBuilder().withNewMetadata().withName("api-1").withNamespace("shop")
            .addToLabels("kubernetes.io/service-name", "api").endMetadata().withAddressType("IPv4").addNewPort()
            .withName("http").withPort(8080).withProtocol("TCP").endPort().addNewEndpoint().withAddresses("10.1.0.5")
            .withNodeName("node-1").withNewConditions().withReady(true).endConditions().endEndpoint().build();
        Specs.EpicObject o = Specs.of(slice, null, Map.of("node-1", "198.51.100.7"));
        assertThat(o.body().at("/endpoints/0/nodeAddress").asText()).isEqualTo("198.51.100.7");
        assertThat(o.body().path("serviceName").asText()).isEqualTo("api");
    }

    @Test
    void aTcpRouteAServiceAndAReferenceGrant() throws Exception {
        Specs.EpicObject tcp = Specs.of(new TCPRouteBuilder().withNewMetadata().withName("db").withNamespace("shop")
            .endMetadata().withNewSpec().addNewParentRef().withName("edge").withSectionName("pg").endParentRef()
            .addNewRule().addNewBackendRef().withName("postgres").withPort(5432).endBackendRef().endRule().endSpec()
            .build(), null, Map.of());
        assertThat(tcp.collection()).isEqualTo("tcproutes");
        assertThat(tcp.body().at("/rules/0/backendRefs/0/name").asText()).isEqualTo("postgres");
        Specs.EpicObject service = Specs.of(new ServiceBuilder().withNewMetadata().withName("api").withNamespace("shop")
            .endMetadata().withNewSpec().addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString(8080))
            .withAppProtocol("kubernetes.io/h2c").endPort().endSpec().build(), null, Map.of());
        assertThat(service.body().toString()).isEqualTo("{\"namespace\":\"shop\",\"name\":\"api\",\"ports\":[{\"name\":"
            + "\"http\",\"port\":80,\"targetPort\":8080,\"appProtocol\":\"kubernetes.io/h2c\"}]}");
        Specs.EpicObject grant = Specs.of(new ReferenceGrantBuilder().withNewMetadata().withName("g").withNamespace("db")
            .endMetadata().withNewSpec().addNewFrom().withGroup("gateway.networking.k8s.io").withKind("TCPRoute")
            .withNamespace("shop").endFrom().addNewTo().withGroup("").withKind("Service").endTo().endSpec().build(),
            null, Map.of());
        assertThat(grant.body().toString()).isEqualTo("{\"namespace\":\"db\",\"name\":\"g\",\"from\":[{\"kind\":"
            + "\"TCPRoute\",\"namespace\":\"shop\"}],\"to\":[{\"kind\":\"Service\"}]}");
    }

    @Test
    void aTlsRouteAndAGatewayWithPassthroughAndSeveralCertificates() throws Exception {
        Specs.EpicObject tls = Specs.of(new TLSRouteBuilder().withNewMetadata().withName("db").withNamespace("shop")
            .endMetadata().withNewSpec().addNewParentRef().withName("edge").withSectionName("pass").endParentRef()
            .withHostnames("db.example.com").addNewRule().addNewBackendRef().withName("postgres").withPort(5432)
            .withWeight(3).endBackendRef().endRule().endSpec().build(), null, Map.of());
        assertThat(tls.kind()).isEqualTo("TLSRoute");
        assertThat(tls.collection()).isEqualTo("tlsroutes");
        assertThat(tls.body().at("/hostnames/0").asText()).isEqualTo("db.example.com");
        assertThat(tls.body().at("/rules/0/backendRefs/0/weight").asInt()).isEqualTo(3);
        Specs.EpicObject gateway = Specs.of(new GatewayBuilder().withNewMetadata().withName("edge").withNamespace("shop")
            .endMetadata().withNewSpec().withGatewayClassName("epic")
            .addNewListener().withName("pass").withPort(443).withProtocol("TLS").withHostname("*.example.com")
            .withNewTls().withMode("Passthrough").endTls().endListener()
            .addNewListener().withName("web").withPort(8443).withProtocol("HTTPS").withNewTls()
            .addNewCertificateRef().withName("rsa").endCertificateRef()
            .addNewCertificateRef().withName("ecdsa").withNamespace("certs").endCertificateRef().endTls().endListener()
            .endSpec().build(), "standard", Map.of());
        assertThat(gateway.body().at("/listeners/0/tlsMode").asText()).isEqualTo("PASSTHROUGH");
        assertThat(gateway.body().at("/listeners/1/tlsCertificateRefs").toString())
            .isEqualTo("[{\"name\":\"rsa\"},{\"namespace\":\"certs\",\"name\":\"ecdsa\"}]");
    }

    @Test
    void anObjectThatCannotBeMappedNamesItsField() {
        assertThatThrownBy(() -> Specs.of(new GatewayBuilder().withNewMetadata().withName("bad").withNamespace("shop")
            .endMetadata().withNewSpec().withGatewayClassName("epic").addNewListener().withName("dns").withPort(53)
            .withProtocol("UDP").endListener().endSpec().build(), "standard", Map.of()))
            .isInstanceOf(Specs.Invalid.class)
            .satisfies(e -> assertThat(((Specs.Invalid) e).field()).isEqualTo("spec.listeners[0].protocol"));
    }
}
