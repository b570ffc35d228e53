package org.epicgateway.projections.envoy;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StdoutAccessLog;
import io.envoyproxy.envoy.extensions.filters.http.bandwidth_limit.v3.BandwidthLimit;
import io.envoyproxy.envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;

/** The Envoy message types our config may carry inside {@code Any}, for JSON in both directions. */
public final class EnvoyTypes {
    public static final JsonFormat.TypeRegistry REGISTRY = JsonFormat.TypeRegistry.newBuilder()
            .add(HttpConnectionManager.getDescriptor()).add(TcpProxy.getDescriptor()).add(Router.getDescriptor())
            .add(DownstreamTlsContext.getDescriptor()).add(TlsInspector.getDescriptor())
            .add(FileAccessLog.getDescriptor()).add(StdoutAccessLog.getDescriptor())
            .add(BandwidthLimit.getDescriptor()).add(LocalRateLimit.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.filters.network.local_ratelimit.v3.LocalRateLimit.getDescriptor())
            .add(Listener.getDescriptor()).add(RouteConfiguration.getDescriptor()).add(Cluster.getDescriptor())
            .add(ClusterLoadAssignment.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy.getDescriptor())
            .build();

    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().usingTypeRegistry(REGISTRY);
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().usingTypeRegistry(REGISTRY);

    private EnvoyTypes() {}

    /** Envoy's proto3 JSON form (field order = field numbers, so stable). */
    public static String json(Message m) {
        try {
            return PRINTER.print(m);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("unprintable Envoy message " + m.getDescriptorForType().getFullName(), e);
        }
    }

    /** Merges Envoy JSON into a builder; the exception message names what is wrong. */
    public static void merge(String json, Message.Builder into) throws InvalidProtocolBufferException {
        PARSER.merge(json, into);
    }
}
