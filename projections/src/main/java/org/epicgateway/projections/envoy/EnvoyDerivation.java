package org.epicgateway.projections.envoy;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.epicgateway.projections.gatewayapi.Attachments;
import org.epicgateway.projections.gatewayapi.Certificates;
import org.epicgateway.projections.gatewayapi.Hostnames;
import org.epicgateway.schemas.avro.CertificateRef;
import org.epicgateway.schemas.avro.GatewayState;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.ListenerProtocol;
import org.epicgateway.schemas.avro.TcpRouteRule;

/**
 * {@code EnvoyConfig derive(GatewayView)}: the pure derivation of a gateway's Envoy listeners, routes and clusters.
 * Gateway listeners sharing a port are collapsed into one Envoy listener (HTTP: one connection manager; HTTPS: one
 * filter chain per listener hostname, chosen by SNI, with its certificates; TLS: one filter chain per attached
 * TLSRoute, chosen by SNI, passing the connection through or terminating it with the listener's certificates, and one
 * for a terminating listener's TCPRoute; TCP: the port's oldest attached TCPRoute). The template's base config
 * is merged in, and the result is validated before it is returned.
 */
public final class EnvoyDerivation {

    public static final String HCM = "envoy.filters.network.http_connection_manager";
    public static final String TCP_PROXY = "envoy.filters.network.tcp_proxy";
    private static final ConfigSource ADS = ConfigSource.newBuilder()
            .setAds(AggregatedConfigSource.getDefaultInstance()).setResourceApiVersion(ApiVersion.V3).build();

    private EnvoyDerivation() {}

    public static EnvoyConfig derive(GatewayView view) {
        GatewayState gateway = view.getGateway();
        BaseConfig base = BaseConfig.parse(view.getTemplate() == null ? null : view.getTemplate().getEnvoyBaseConfig());
        Attachments attachments = Attachments.of(view);
        Backends backends = new Backends(view);
        Set<ClusterName> used = new LinkedHashSet<>();
        Set<String> secrets = new TreeSet<>();
        List<Listener> listeners = new ArrayList<>();
        List<RouteConfiguration> routes = new ArrayList<>();

        TreeMap<Integer, List<org.epicgateway.schemas.avro.Listener>> byPort = new TreeMap<>();
        gateway.getListeners().forEach(l -> byPort.computeIfAbsent(l.getPort(), p -> new ArrayList<>()).add(l));
        for (var port : byPort.entrySet()) {
            ListenerProtocol protocol = port.getValue().get(0).getProtocol();
            // Terminating listeners without a usable certificate are left out with their routes (no chain could serve
            // them, and a wrong certificate must never be served).
            List<org.epicgateway.schemas.avro.Listener> group = port.getValue().stream()
                    .filter(l -> !Attachments.conflicted(gateway, l))
                    .filter(l -> !Certificates.terminates(l) || Certificates.problem(view, l) == null).toList();
            switch (protocol) {
                case HTTP, HTTPS -> {
                    String name = protocol.name().toLowerCase() + "-" + port.getKey();
                    List<Attachments.HttpAttachment> attached = attachments.http().stream()
                            .filter(a -> group.contains(a.listener())).toList();
                    HttpRoutes.Origin origin = new HttpRoutes.Origin(protocol == ListenerProtocol.HTTPS ? "https" : "http",
                            port.getKey());
                    List<VirtualHost> hosts = VirtualHosts.build(group, attached, origin, backends, used);
                    Filter hcm = connectionManager(name, base, Cors.used(hosts));
                    Listener listener = protocol == ListenerProtocol.HTTP
                            ? httpListener(name, port.getKey(), hcm, base)
                            : httpsListener(name, port.getKey(), group, gateway, hcm, base, secrets);
                    if (listener != null) {
                        listeners.add(listener);
                        routes.add(RouteConfiguration.newBuilder().setName(name)
                                .addAllVirtualHosts(hosts.stream().map(h -> withBase(h, base)).toList()).build());
                    }
                }
                case TCP -> attachments.tcp().stream().filter(a -> group.contains(a.listener())).findFirst()
                        .map(a -> tcpListener("tcp-" + port.getKey(), port.getKey(), a, backends, base, used))
                        .ifPresent(listeners::add);
                case TLS -> {
                    Listener listener = tlsListener("tls-" + port.getKey(), port.getKey(),
                            attachments.tls().stream().filter(a -> group.contains(a.listener())).toList(),
                            attachments.tcp().stream().filter(a -> group.contains(a.listener())).toList(),
                            gateway, backends, base, used, secrets);
                    if (listener != null) {
                        listeners.add(listener);
                    }
                }
            }
        }
        Set<String> http2 = http2Clusters(attachments, backends);
        List<Cluster> clusters = used.stream().map(ClusterName::toString).distinct().sorted()
                .map(c -> cluster(c, http2.contains(c), base)).toList();
        listeners.sort(Comparator.comparing(Listener::getName));
        routes.sort(Comparator.comparing(RouteConfiguration::getName));
        EnvoyConfig config = EnvoyConfig.of(view.getGatewayId(), listeners, routes, clusters, List.copyOf(secrets));
        ConfigValidator.validate(config);
        return config;
    }

    private static VirtualHost withBase(VirtualHost host, BaseConfig base) {
        VirtualHost.Builder b = host.toBuilder();
        for (int i = 0; i < b.getRoutesCount(); i++) {
            Route r = b.getRoutes(i);
            if (r.hasRoute()) {
                // A route's own timeout and retry policy replace the template's whole: a merge would keep the
                // template's timeout under a derived 0s (disabled) and append retriable codes to the template's.
                RouteAction.Builder action = base.routeAction().toBuilder().mergeFrom(r.getRoute());
                if (r.getRoute().hasTimeout()) {
                    action.setTimeout(r.getRoute().getTimeout());
                }
                if (r.getRoute().hasRetryPolicy()) {
                    action.setRetryPolicy(r.getRoute().getRetryPolicy());
                }
                b.setRoutes(i, r.toBuilder().setRoute(action));
            }
        }
        return b.build();
    }

    private static Listener.Builder listenerBase(String name, int port, BaseConfig base) {
        return base.listener().toBuilder().setName(name)
                .setAddress(io.envoyproxy.envoy.config.core.v3.Address.newBuilder().setSocketAddress(
                        SocketAddress.newBuilder().setAddress("::").setIpv4Compat(true).setPortValue(port)));
    }

    /** The connection manager of an HTTP(S) listener; the CORS filter before the router when a route needs it. */
    private static Filter connectionManager(String name, BaseConfig base, boolean cors) {
        HttpConnectionManager.Builder hcm = base.httpConnectionManager().toBuilder()
                .setStatPrefix(name)
                // Virtual hosts are chosen by host name alone: the spec ignores the Host header's port.
                .setStripAnyHostPort(true)
                .setRds(Rds.newBuilder().setRouteConfigName(name).setConfigSource(ADS));
        if (cors) {
            hcm.addHttpFilters(Cors.httpFilter());
        }
        hcm.addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.router")
                .setTypedConfig(Any.pack(Router.getDefaultInstance())));
        return Filter.newBuilder().setName(HCM).setTypedConfig(Any.pack(hcm.build())).build();
    }

    private static Listener httpListener(String name, int port, Filter hcm, BaseConfig base) {
        return listenerBase(name, port, base).addFilterChains(FilterChain.newBuilder().addFilters(hcm)).build();
    }

    /**
     * One filter chain per listener hostname (SNI), its DownstreamTlsContext naming every certificateRef of that
     * listener by SDS name only: Envoy picks the certificate whose names match the client's SNI, so the derivation
     * never needs a certificate's contents and a renamed or rotated certificate stays an SDS push.
     */
    private static Listener httpsListener(String name, int port, List<org.epicgateway.schemas.avro.Listener> group,
                                          GatewayState gateway, Filter hcm, BaseConfig base,
                                          Set<String> secrets) {
        Listener.Builder b = tlsListenerBase(name, port, base);
        Set<String> serverNames = new LinkedHashSet<>();
        for (org.epicgateway.schemas.avro.Listener l : group) {
            String sni = l.getHostname() == null ? "" : l.getHostname().toLowerCase();
            if (!serverNames.add(sni)) {
                continue; // same SNI twice: the first listener wins
            }
            FilterChain.Builder chain = FilterChain.newBuilder().addFilters(hcm)
                    .setTransportSocket(terminating(l, gateway, secrets));
            if (!sni.isEmpty()) {
                chain.setFilterChainMatch(FilterChainMatch.newBuilder().addServerNames(sni));
            }
            b.addFilterChains(chain);
        }
        return b.getFilterChainsCount() == 0 ? null : b.build();
    }

    /** The DownstreamTlsContext of a terminating listener: every certificateRef by SDS name. */
    private static TransportSocket terminating(org.epicgateway.schemas.avro.Listener l, GatewayState gateway,
                                               Set<String> secrets) {
        CommonTlsContext.Builder common = CommonTlsContext.newBuilder();
        for (CertificateRef ref : Certificates.refs(l)) {
            String secret = Certificates.secretName(gateway, ref);
            secrets.add(secret);
            common.addTlsCertificateSdsSecretConfigs(SdsSecretConfig.newBuilder().setName(secret).setSdsConfig(ADS));
        }
        return TransportSocket.newBuilder().setName("envoy.transport_sockets.tls")
                .setTypedConfig(Any.pack(DownstreamTlsContext.newBuilder().setCommonTlsContext(common).build())).build();
    }

    private static Listener.Builder tlsListenerBase(String name, int port, BaseConfig base) {
        return listenerBase(name, port, base).addListenerFilters(ListenerFilter.newBuilder()
                .setName("envoy.filters.listener.tls_inspector").setTypedConfig(Any.pack(TlsInspector.getDefaultInstance())));
    }

    /**
     * A TLS port: one filter chain per attached TLSRoute, matched by its effective SNI names (listener hostname
     * intersected with the route's), proxying to the route's (weighted) backends, the connection still encrypted on a
     * Passthrough listener, decrypted with the listener's certificates on a Terminate one. A name two routes claim
     * goes to the oldest (the spec's conflict rule). A terminating listener's TCPRoute takes the listener's hostname
     * (any SNI when it has none) unless a TLSRoute claimed it: a TLSRoute is the more specific match. A client whose
     * SNI no chain names is refused by Envoy.
     */
    private static Listener tlsListener(String name, int port, List<Attachments.TlsAttachment> tls,
                                        List<Attachments.TcpAttachment> tcp, GatewayState gateway, Backends backends,
                                        BaseConfig base, Set<ClusterName> used, Set<String> secrets) {
        Listener.Builder b = tlsListenerBase(name, port, base);
        Set<String> claimed = new LinkedHashSet<>();
        for (Attachments.TlsAttachment a : tls) {
            tlsChain(b, name, a.listener(), a.hostnames().stream().filter(claimed::add).toList(),
                    backends.routable(Attachments.TLS_ROUTE, a.route().getAccount(), a.route().getNamespace(),
                            a.route().getRules().stream()
                            .map(TcpRouteRule::getBackendRefs).flatMap(List::stream).toList()),
                    gateway, base, used, secrets);
        }
        for (Attachments.TcpAttachment a : tcp) {
            String hostname = a.listener().getHostname() == null ? Hostnames.ANY : a.listener().getHostname().toLowerCase();
            tlsChain(b, name, a.listener(), claimed.add(hostname) ? List.of(hostname) : List.of(),
                    tcpTargets(a, backends), gateway, base, used, secrets);
        }
        return b.getFilterChainsCount() == 0 ? null : b.build();
    }

    private static void tlsChain(Listener.Builder b, String name, org.epicgateway.schemas.avro.Listener l,
                                 List<String> names, List<Backends.Resolution> resolved, GatewayState gateway,
                                 BaseConfig base, Set<ClusterName> used, Set<String> secrets) {
        if (names.isEmpty() || resolved.isEmpty()) {
            return;
        }
        FilterChain.Builder chain = FilterChain.newBuilder().addFilters(tcpProxy(name, resolved, base, used));
        if (!names.contains(Hostnames.ANY)) {
            chain.setFilterChainMatch(FilterChainMatch.newBuilder().addAllServerNames(names));
        }
        if (Certificates.terminates(l)) {
            chain.setTransportSocket(terminating(l, gateway, secrets));
        }
        b.addFilterChains(chain);
    }

    private static Listener tcpListener(String name, int port, Attachments.TcpAttachment attachment, Backends backends,
                                        BaseConfig base, Set<ClusterName> used) {
        List<Backends.Resolution> resolved = tcpTargets(attachment, backends);
        if (resolved.isEmpty()) {
            return null; // nothing to proxy to: no listener, so connections are refused
        }
        return listenerBase(name, port, base)
                .addFilterChains(FilterChain.newBuilder().addFilters(tcpProxy(name, resolved, base, used))).build();
    }

    /** A tcp_proxy to one cluster, or weighted clusters when there are several. */
    private static Filter tcpProxy(String name, List<Backends.Resolution> resolved, BaseConfig base,
                                   Set<ClusterName> used) {
        TcpProxy.Builder proxy = base.tcpProxy().toBuilder().setStatPrefix(name);
        if (resolved.size() == 1) {
            proxy.setCluster(resolved.get(0).cluster().toString());
        } else {
            TcpProxy.WeightedCluster.Builder weighted = TcpProxy.WeightedCluster.newBuilder();
            resolved.forEach(r -> weighted.addClusters(TcpProxy.WeightedCluster.ClusterWeight.newBuilder()
                    .setName(r.cluster().toString()).setWeight(r.ref().getWeight())));
            proxy.setWeightedClusters(weighted);
        }
        resolved.forEach(r -> used.add(r.cluster()));
        return Filter.newBuilder().setName(TCP_PROXY).setTypedConfig(Any.pack(proxy.build())).build();
    }

    /** The weighted backends a TCP listener proxies to: every rule's routable backendRefs. */
    static List<Backends.Resolution> tcpTargets(Attachments.TcpAttachment attachment, Backends backends) {
        return backends.routable(Attachments.TCP_ROUTE, attachment.route().getAccount(),
                attachment.route().getNamespace(), attachment.route()
                .getRules().stream().map(TcpRouteRule::getBackendRefs).flatMap(List::stream).toList());
    }

    /**
     * The clusters spoken to in HTTP/2 (prior knowledge): every backend of a GRPCRoute (gRPC needs HTTP/2), and any
     * Service port whose appProtocol is kubernetes.io/h2c. A Service port is one cluster, so one that a GRPCRoute
     * names is HTTP/2 for HTTPRoutes too.
     */
    static Set<String> http2Clusters(Attachments attachments, Backends backends) {
        Set<String> out = new TreeSet<>();
        attachments.http().forEach(a -> a.route().getRules().forEach(r ->
                HttpRoutes.clusters(a.kind(), a.route().getAccount(), a.route().getNamespace(), r, backends).stream()
                        .filter(c -> a.grpc() != null || backends.service(c).stream().flatMap(s -> s.getPorts().stream())
                                .anyMatch(p -> p.getPort() == c.port() && H2C.equals(p.getAppProtocol())))
                        .forEach(c -> out.add(c.toString()))));
        return out;
    }

    private static final String H2C = "kubernetes.io/h2c";

    private static Cluster cluster(String name, boolean http2, BaseConfig base) {
        Cluster.Builder b = base.cluster().toBuilder().setName(name).setType(Cluster.DiscoveryType.EDS)
                .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ADS).setServiceName(name));
        if (http2) {
            b.putTypedExtensionProtocolOptions(HTTP_PROTOCOL_OPTIONS, Any.pack(HttpProtocolOptions.newBuilder()
                    .setExplicitHttpConfig(HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                            .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance())).build()));
        }
        return b.build();
    }

    private static final String HTTP_PROTOCOL_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";
}
