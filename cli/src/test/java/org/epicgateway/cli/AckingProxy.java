package org.epicgateway.cli;

import static io.envoyproxy.controlplane.cache.Resources.V3.CLUSTER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ENDPOINT_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ROUTE_TYPE_URL;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.epicgateway.xds.AdsClient;

/**
 * A proxy as the xds-projector sees one, over a raw ADS stream: it asks for listeners and clusters, follows them to
 * routes and endpoints, ACKs every response (so its node id is credited with the revision it runs) and keeps the
 * clusters and endpoints it was last given, for tests to await.
 */
public final class AckingProxy implements AutoCloseable {
    private final AdsClient ads;
    private final Thread thread;
    public volatile List<String> clusters = List.of();
    public volatile Map<String, List<String>> endpoints = Map.of();
    private volatile List<String> routeNames = List.of();

    public AckingProxy(AdsClient ads) {
        this.ads = ads;
        ads.request(LISTENER_TYPE_URL, List.of(), "", "");
        ads.request(CLUSTER_TYPE_URL, List.of(), "", "");
        thread = Thread.ofVirtual().start(this::run);
    }

    private void run() {
        while (!Thread.currentThread().isInterrupted()) {
            DiscoveryResponse r;
            try {
                r = ads.response();
            } catch (InterruptedException | IllegalStateException e) {
                return;
            }
            try {
                switch (r.getTypeUrl()) {
                    case LISTENER_TYPE_URL -> {
                        List<String> names = new ArrayList<>();
                        for (Any a : r.getResourcesList()) {
                            Listener l = a.unpack(Listener.class);
                            names.add(l.getFilterChains(0).getFilters(0).getTypedConfig()
                                .unpack(HttpConnectionManager.class).getRds().getRouteConfigName());
                        }
                        ads.ack(r, List.of());
                        if (!names.equals(routeNames)) {
                            routeNames = names;
                            ads.request(ROUTE_TYPE_URL, names, "", "");
                        }
                    }
                    case CLUSTER_TYPE_URL -> {
                        List<String> names = r.getResourcesList().stream().map(AckingProxy::clusterName)
                            .toList();
                        ads.ack(r, List.of());
                        if (!names.equals(clusters)) {
                            clusters = names;
                            ads.request(ENDPOINT_TYPE_URL, names, "", "");
                        }
                    }
                    case ENDPOINT_TYPE_URL -> {
                        Map<String, List<String>> now = new HashMap<>();
                        for (Any a : r.getResourcesList()) {
                            ClusterLoadAssignment cla = a.unpack(ClusterLoadAssignment.class);
                            List<String> hosts = new ArrayList<>();
                            cla.getEndpointsList().forEach(l -> l.getLbEndpointsList().forEach(e -> hosts.add(
                                e.getEndpoint().getAddress().getSocketAddress().getAddress() + ":"
                                    + e.getEndpoint().getAddress().getSocketAddress().getPortValue())));
                            now.put(cla.getClusterName(), hosts);
                        }
                        endpoints = now;
                        ads.ack(r, clusters);
                    }
                    default -> ads.ack(r, routeNames);
                }
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public void close() {
        thread.interrupt();
        ads.close();
    }

    private static String clusterName(Any any) {
        try {
            return any.unpack(Cluster.class).getName();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }
}
