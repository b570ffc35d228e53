package org.epicgateway.cli;

import static io.envoyproxy.controlplane.cache.Resources.V3.CLUSTER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ENDPOINT_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ROUTE_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.SECRET_TYPE_URL;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.epicgateway.xds.AdsClient;

/**
 * A proxy as the xds-projector sees one, over a raw ADS stream: it asks for listeners and clusters, follows them to
 * routes, endpoints and the listeners' SDS secrets, ACKs every response (so its node id is credited with the revision
 * it runs) and keeps the clusters, endpoints and secrets it was last given and how many listener updates it got, for
 * tests to await.
 */
public final class AckingProxy implements AutoCloseable {
    private final AdsClient ads;
    private final Thread thread;
    public volatile List<String> clusters = List.of();
    public volatile Map<String, List<String>> endpoints = Map.of();
    /** SDS secret name -> the certificate chain served under it. */
    public volatile Map<String, String> secrets = Map.of();
    public final AtomicInteger listenerUpdates = new AtomicInteger();
    private volatile List<String> routeNames = List.of();
    private volatile List<String> secretNames = List.of();
    /** type URL -> the last response of that type; touched only by the proxy's thread. */
    private final Map<String, DiscoveryResponse> last = new HashMap<>();

    public AckingProxy(AdsClient ads) {
        this.ads = ads;
        ads.request(LISTENER_TYPE_URL, List.of(), "", "");
        ads.request(CLUSTER_TYPE_URL, List.of(), "", "");
        thread = Thread.ofVirtual().start(this::run);
    }

    /**
     * A new name set of a type, sent as Envoy sends it: with the version and nonce of the type's last response. With
     * an empty nonce after a response of the type, the server takes it for a stale request and drops it
     * (java-control-plane answers only the latest nonce), so a name set grown after the first response (a listener
     * whose certificate's grant resolved later) was never answered. Routes and secrets only: endpoints keep their
     * former request, which the EDS tests were written against (EPIC's own EDS cache, not the library's).
     */
    private void subscribe(String typeUrl, List<String> names) {
        DiscoveryResponse r = last.get(typeUrl);
        ads.request(typeUrl, names, r == null ? "" : r.getVersionInfo(), r == null ? "" : r.getNonce());
    }

    private void run() {
        while (!Thread.currentThread().isInterrupted()) {
            DiscoveryResponse r;
            try {
                r = ads.response();
            } catch (InterruptedException | IllegalStateException e) {
                return;
            }
            last.put(r.getTypeUrl(), r);
            try {
                switch (r.getTypeUrl()) {
                    case LISTENER_TYPE_URL -> {
                        TreeSet<String> names = new TreeSet<>();
                        TreeSet<String> sds = new TreeSet<>();
                        for (Any a : r.getResourcesList()) {
                            for (FilterChain chain : a.unpack(Listener.class).getFilterChainsList()) {
                                for (Filter f : chain.getFiltersList()) {
                                    if (f.getTypedConfig().is(HttpConnectionManager.class)) {
                                        names.add(f.getTypedConfig().unpack(HttpConnectionManager.class).getRds()
                                            .getRouteConfigName());
                                    }
                                }
                                if (chain.hasTransportSocket()) {
                                    chain.getTransportSocket().getTypedConfig().unpack(DownstreamTlsContext.class)
                                        .getCommonTlsContext().getTlsCertificateSdsSecretConfigsList().stream()
                                        .map(SdsSecretConfig::getName).forEach(sds::add);
                                }
                            }
                        }
                        listenerUpdates.incrementAndGet();
                        ads.ack(r, List.of());
                        if (!List.copyOf(names).equals(routeNames)) {
                            routeNames = List.copyOf(names);
                            subscribe(ROUTE_TYPE_URL, routeNames);
                        }
                        if (!List.copyOf(sds).equals(secretNames)) {
                            secretNames = List.copyOf(sds);
                            subscribe(SECRET_TYPE_URL, secretNames);
                        }
                    }
                    case SECRET_TYPE_URL -> {
                        Map<String, String> now = new HashMap<>();
                        for (Any a : r.getResourcesList()) {
                            Secret secret = a.unpack(Secret.class);
                            now.put(secret.getName(), secret.getTlsCertificate().getCertificateChain().getInlineString());
                        }
                        secrets = now;
                        ads.ack(r, secretNames);
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
