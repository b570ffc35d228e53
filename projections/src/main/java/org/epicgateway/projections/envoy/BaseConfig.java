package org.epicgateway.projections.envoy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * A gateway template's Envoy base config: JSON or YAML with optional sections {@code listener},
 * {@code httpConnectionManager}, {@code tcpProxy}, {@code cluster} and {@code routeAction}, each in Envoy's own
 * JSON form. The derivation merges its output over them (protobuf merge: derived scalars win, lists append), so a
 * template supplies access logs, timeouts, health checks, circuit breakers and extra HTTP filters (placed before
 * the router).
 */
public record BaseConfig(Listener listener, HttpConnectionManager httpConnectionManager, TcpProxy tcpProxy,
                         Cluster cluster, RouteAction routeAction) {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> SECTIONS = Set.of("listener", "httpConnectionManager", "tcpProxy", "cluster",
            "routeAction");

    /** The base config used when a gateway has no template (and by route-check). */
    public static final BaseConfig DEFAULT = parse(resource("/envoy/default-base-config.yaml"));

    /** Parses a template's base config; blank text means the built-in default. */
    public static BaseConfig parse(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT;
        }
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("envoyBaseConfig: not JSON or YAML: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("envoyBaseConfig: must be an object with sections " + SECTIONS);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            String key = it.next().getKey();
            if (!SECTIONS.contains(key)) {
                throw new IllegalArgumentException("envoyBaseConfig: unknown section '" + key + "', expected one of "
                        + new java.util.TreeSet<>(SECTIONS));
            }
        }
        return new BaseConfig(
                section(root, "listener", Listener.newBuilder()),
                section(root, "httpConnectionManager", HttpConnectionManager.newBuilder()),
                section(root, "tcpProxy", TcpProxy.newBuilder()),
                section(root, "cluster", Cluster.newBuilder()),
                section(root, "routeAction", RouteAction.newBuilder()));
    }

    @SuppressWarnings("unchecked")
    private static <T extends Message> T section(JsonNode root, String name, Message.Builder builder) {
        JsonNode node = root.get(name);
        if (node != null) {
            try {
                EnvoyTypes.merge(node.toString(), builder);
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalArgumentException("envoyBaseConfig." + name + ": " + e.getMessage(), e);
            }
        }
        return (T) builder.build();
    }

    private static String resource(String path) {
        try (InputStream in = BaseConfig.class.getResourceAsStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
