package org.epicgateway.projections.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import java.util.List;
import java.util.Optional;
import org.epicgateway.schemas.avro.BackendService;
import org.epicgateway.schemas.avro.Endpoint;
import org.epicgateway.schemas.avro.EndpointConditions;
import org.epicgateway.schemas.avro.EndpointPort;
import org.epicgateway.schemas.avro.EndpointSliceState;
import org.epicgateway.schemas.avro.ServicePort;
import org.epicgateway.schemas.avro.TransportProtocol;
import org.junit.jupiter.api.Test;

/** EDS from EndpointSlices alone: conditions, port choice, and slices of other Services or namespaces. */
class EndpointDerivationTest {

    private static final ClusterName CLUSTER = new ClusterName("acme", "shop", "web", 80);

    private static EndpointSliceState slice(String namespace, String service, List<EndpointPort> ports, Endpoint... endpoints) {
        return EndpointSliceState.newBuilder().setAccount("acme").setNamespace(namespace).setName(service + "-x")
                .setServiceName(service).setPorts(ports).setEndpoints(List.of(endpoints)).build();
    }

    private static EndpointPort port(String name, int port) {
        return EndpointPort.newBuilder().setName(name).setPort(port).setProtocol(TransportProtocol.TCP).build();
    }

    private static Endpoint endpoint(String address, Boolean ready, Boolean serving) {
        return Endpoint.newBuilder().setAddresses(List.of(address))
                .setConditions(EndpointConditions.newBuilder().setReady(ready).setServing(serving).build()).build();
    }

    private static List<String> endpoints(ClusterLoadAssignment cla) {
        return cla.getEndpointsList().stream().flatMap(l -> l.getLbEndpointsList().stream())
                .map(EndpointDerivationTest::describe).toList();
    }

    private static String describe(LbEndpoint e) {
        var a = e.getEndpoint().getAddress().getSocketAddress();
        return a.getAddress() + ":" + a.getPortValue() + " " + e.getHealthStatus();
    }

    @Test
    void readyServingAndTerminatingConditionsAreRespected() {
        ClusterLoadAssignment cla = EndpointDerivation.deriveEndpoints(CLUSTER, Optional.empty(), List.of(
                slice("shop", "web", List.of(port(null, 8080)),
                        endpoint("10.0.0.3", true, true), endpoint("10.0.0.1", null, null),
                        endpoint("10.0.0.2", false, true), endpoint("10.0.0.4", false, false),
                        endpoint("10.0.0.5", false, null))));
        assertThat(endpoints(cla)).containsExactly("10.0.0.1:8080 HEALTHY", "10.0.0.2:8080 DRAINING",
                "10.0.0.3:8080 HEALTHY");
        assertThat(cla.getClusterName()).isEqualTo("acme/shop/web:80");
        assertThat(cla.getEndpoints(0).getLbEndpoints(1).getHealthStatus()).isEqualTo(HealthStatus.DRAINING);
    }

    @Test
    void servicePortNameChoosesTheSlicePort() {
        BackendService service = BackendService.newBuilder().setNamespace("shop").setName("web").setPorts(List.of(
                ServicePort.newBuilder().setName("metrics").setPort(9090).build(),
                ServicePort.newBuilder().setName("http").setPort(80).setTargetPort(8080).build())).build();
        ClusterLoadAssignment cla = EndpointDerivation.deriveEndpoints(CLUSTER, Optional.of(service), List.of(
                slice("shop", "web", List.of(port("metrics", 9100), port("http", 8080)), endpoint("10.0.0.1", true, true))));
        assertThat(endpoints(cla)).containsExactly("10.0.0.1:8080 HEALTHY");
    }

    @Test
    void withoutServiceTheBackendPortOrTheOnlyPortIsUsed() {
        List<EndpointSliceState> slices = List.of(
                slice("shop", "web", List.of(port("a", 9000), port("b", 80)), endpoint("10.0.0.1", true, true)),
                slice("shop", "web", List.of(port("only", 8443)), endpoint("10.0.0.2", true, true)),
                slice("shop", "web", List.of(port("a", 1), port("b", 2)), endpoint("10.0.0.3", true, true)),
                slice("other", "web", List.of(port(null, 80)), endpoint("10.9.0.1", true, true)),
                slice("shop", "api", List.of(port(null, 80)), endpoint("10.9.0.2", true, true)));
        assertThat(endpoints(EndpointDerivation.deriveEndpoints(CLUSTER, Optional.empty(), slices)))
                .containsExactly("10.0.0.1:80 HEALTHY", "10.0.0.2:8443 HEALTHY");
    }

    @Test
    void zonesBecomeLocalities() {
        Endpoint a = Endpoint.newBuilder(endpoint("10.0.0.1", true, true)).setZone("z2").build();
        Endpoint b = Endpoint.newBuilder(endpoint("10.0.0.2", true, true)).setZone("z1").build();
        ClusterLoadAssignment cla = EndpointDerivation.deriveEndpoints(CLUSTER, Optional.empty(),
                List.of(slice("shop", "web", List.of(port(null, 80)), a, b)));
        assertThat(cla.getEndpointsList()).extracting(l -> l.getLocality().getZone()).containsExactly("z1", "z2");
    }
}
