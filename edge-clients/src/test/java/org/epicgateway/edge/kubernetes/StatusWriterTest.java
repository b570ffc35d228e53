package org.epicgateway.edge.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddress;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteGroupKind;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Status goes to the status subresource and is written only when it differs (a quiet cluster sees no writes). */
class StatusWriterTest {
    private KubernetesMockServer server;
    private KubernetesClient client;

    @BeforeEach
    void cluster() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
            new KubernetesCrudDispatcher(), false);
        Class<? extends HasMetadata> type = Gateway.class;
        server.expectCustomResource(new CustomResourceDefinitionContext.Builder().withGroup(HasMetadata.getGroup(type))
            .withVersion(HasMetadata.getVersion(type)).withPlural(HasMetadata.getPlural(type))
            .withKind(HasMetadata.getKind(type)).withScope(Namespaced.class.isAssignableFrom(type) ? "Namespaced" : "Cluster")
            .withStatusSubresource(true).build());
        server.init();
        client = server.createClient();
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    @Test
    void theSameStatusIsWrittenOnce() {
        client.resource(new GatewayBuilder().withNewMetadata().withName("web").withNamespace("default").endMetadata()
            .withNewSpec().withGatewayClassName("epic").addNewListener().withName("http").withPort(80)
            .withProtocol("HTTP").endListener().endSpec().build()).create();
        StatusWriter writer = new StatusWriter(client, "epic-gateway.org/test");
        Gateway g = get();
        long generation = g.getMetadata().getGeneration();
        GatewayStatus status = new GatewayStatus(List.of(new GatewayStatusAddress("IPAddress", "192.0.2.1")),
            List.of(new Condition("2026-12-04T00:00:00Z", "accepted", generation, "Accepted", "True", "Accepted")),
            List.of(new ListenerStatus(1, List.of(new Condition("2026-12-04T00:00:00Z", "ok", generation, "Programmed",
                "True", "Programmed")), "http", List.of(new RouteGroupKind("gateway.networking.k8s.io", "HTTPRoute")))));
        assertThat(writer.gateway(g, status)).isTrue();
        Gateway written = get();
        assertThat(written.getStatus().getListeners().get(0).getAttachedRoutes()).isEqualTo(1);
        assertThat(written.getMetadata().getGeneration()).isEqualTo(generation);
        assertThat(writer.gateway(written, status)).as("unchanged: no write").isFalse();

        // Lists are replaced, never merged: a condition that is gone is gone.
        GatewayStatus fewer = new GatewayStatus(status.getAddresses(), status.getConditions(),
            List.of(new ListenerStatus(2, List.of(), "http", status.getListeners().get(0).getSupportedKinds())));
        assertThat(writer.gateway(written, fewer)).isTrue();
        Gateway again = get();
        assertThat(again.getStatus().getAddresses()).hasSize(1);
        assertThat(again.getStatus().getConditions()).hasSize(1);
        assertThat(again.getStatus().getListeners()).singleElement()
            .satisfies(l -> assertThat(l.getConditions()).isEmpty())
            .satisfies(l -> assertThat(l.getAttachedRoutes()).isEqualTo(2));
    }

    private Gateway get() {
        return client.resources(Gateway.class).inNamespace("default").withName("web").get();
    }
}
