package org.epicgateway.projections.envoy;

import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.epicgateway.projections.gatewayapi.Attachments;
import org.epicgateway.schemas.avro.BackendService;
import org.epicgateway.schemas.avro.Endpoint;
import org.epicgateway.schemas.avro.EndpointPort;
import org.epicgateway.schemas.avro.EndpointSliceState;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.ServicePort;
import org.epicgateway.schemas.avro.TransportProtocol;

/**
 * EDS: the endpoints of one cluster from its Service's EndpointSlices, without touching listeners, routes or
 * clusters, so an endpoint change costs one small derivation per cluster.
 */
public final class EndpointDerivation {

    private EndpointDerivation() {}

    /**
     * The ClusterLoadAssignment of {@code cluster}. Only slices of the cluster's Service count. The slice port is the
     * one named like the Service port (EndpointSlices carry target ports under the Service port's name); without a
     * Service record, the slice port equal to the backend port, or the slice's only port. Endpoints are HEALTHY when
     * ready (unknown counts as ready, as in Kubernetes), DRAINING when not ready but still serving (terminating), and
     * left out otherwise. One locality per zone; everything sorted, so equal inputs give equal bytes.
     */
    public static ClusterLoadAssignment deriveEndpoints(ClusterName cluster, Optional<BackendService> service,
                                                        List<EndpointSliceState> slices) {
        Optional<ServicePort> servicePort = service.flatMap(s -> s.getPorts().stream()
                .filter(p -> p.getPort() == cluster.port()).findFirst());
        Map<String, List<LbEndpoint>> byZone = new TreeMap<>();
        for (EndpointSliceState slice : slices) {
            if (!slice.getAccount().equals(cluster.account()) || !slice.getNamespace().equals(cluster.namespace())
                    || !slice.getServiceName().equals(cluster.service())) {
                continue;
            }
            Optional<EndpointPort> port = slicePort(slice, cluster, servicePort);
            if (port.isEmpty()) {
                continue;
            }
            for (Endpoint e : slice.getEndpoints()) {
                HealthStatus health = health(e);
                if (health == null || e.getAddresses().isEmpty()) {
                    continue;
                }
                byZone.computeIfAbsent(e.getZone() == null ? "" : e.getZone(), z -> new ArrayList<>()).add(
                        LbEndpoint.newBuilder().setHealthStatus(health).setEndpoint(
                                io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder().setAddress(
                                        Address.newBuilder().setSocketAddress(SocketAddress.newBuilder()
                                                // Kubernetes: all addresses of an endpoint are interchangeable.
                                                .setAddress(e.getAddresses().get(0))
                                                .setPortValue(port.get().getPort())))).build());
            }
        }
        ClusterLoadAssignment.Builder out = ClusterLoadAssignment.newBuilder().setClusterName(cluster.toString());
        byZone.forEach((zone, endpoints) -> out.addEndpoints(LocalityLbEndpoints.newBuilder()
                .setLocality(Locality.newBuilder().setZone(zone))
                .addAllLbEndpoints(endpoints.stream().sorted(Comparator.comparing(
                        (LbEndpoint l) -> l.getEndpoint().getAddress().getSocketAddress().getAddress())
                        .thenComparingInt(l -> l.getEndpoint().getAddress().getSocketAddress().getPortValue())).toList())));
        return out.build();
    }

    /** The endpoints of every cluster the view's attached routes use, by cluster name (no Envoy routes built). */
    public static Map<String, ClusterLoadAssignment> deriveEndpoints(GatewayView view) {
        Backends backends = new Backends(view);
        Map<String, ClusterLoadAssignment> out = new TreeMap<>();
        for (ClusterName c : clusters(view, backends)) {
            out.put(c.toString(), deriveEndpoints(c, backends.service(c), view.getEndpointSlices()));
        }
        return out;
    }

    /** The clusters that the view's attached routes resolve to: the EDS keys of this gateway. */
    public static List<ClusterName> clusters(GatewayView view) {
        return clusters(view, new Backends(view));
    }

    private static List<ClusterName> clusters(GatewayView view, Backends backends) {
        Attachments attachments = Attachments.of(view);
        List<ClusterName> out = new ArrayList<>();
        attachments.http().forEach(a -> a.route().getRules()
                .forEach(r -> out.addAll(HttpRoutes.clusters(a.kind(), a.route().getAccount(),
                        a.route().getNamespace(), r, backends))));
        attachments.tcp().forEach(a -> EnvoyDerivation.tcpTargets(a, backends).forEach(x -> out.add(x.cluster())));
        return out.stream().distinct().sorted(Comparator.comparing(ClusterName::toString)).toList();
    }

    private static Optional<EndpointPort> slicePort(EndpointSliceState slice, ClusterName cluster,
                                                    Optional<ServicePort> servicePort) {
        List<EndpointPort> tcp = slice.getPorts().stream().filter(p -> p.getProtocol() == TransportProtocol.TCP).toList();
        if (servicePort.isPresent()) {
            return tcp.stream().filter(p -> Objects.equals(p.getName(), servicePort.get().getName())).findFirst();
        }
        return tcp.stream().filter(p -> p.getPort() == cluster.port()).findFirst()
                .or(() -> tcp.size() == 1 ? Optional.of(tcp.get(0)) : Optional.empty());
    }

    private static HealthStatus health(Endpoint e) {
        if (!Boolean.FALSE.equals(e.getConditions().getReady())) {
            return HealthStatus.HEALTHY;
        }
        return Boolean.TRUE.equals(e.getConditions().getServing()) ? HealthStatus.DRAINING : null;
    }

}
