package org.epicgateway.projections.envoy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The Envoy resources of one gateway (LDS, RDS, CDS; EDS comes separately from {@link EndpointDerivation}), each list
 * sorted by name, with {@code secretNames} the SDS secrets the HTTPS listeners reference (names only: certificate
 * material never travels on Kafka) and {@code version} a SHA-256 over the deterministic encoding of all of it.
 */
public record EnvoyConfig(String gatewayId, List<Listener> listeners, List<RouteConfiguration> routeConfigurations,
                          List<Cluster> clusters, List<String> secretNames, String version) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static EnvoyConfig of(String gatewayId, List<Listener> listeners, List<RouteConfiguration> routes,
                          List<Cluster> clusters, List<String> secretNames) {
        MessageDigest sha = sha256();
        Stream.of(listeners, routes, clusters).flatMap(List::stream).forEach(m -> sha.update(deterministicBytes(m)));
        secretNames.forEach(s -> sha.update((s + "\n").getBytes(StandardCharsets.UTF_8)));
        return new EnvoyConfig(gatewayId, List.copyOf(listeners), List.copyOf(routes), List.copyOf(clusters),
                List.copyOf(secretNames), HexFormat.of().formatHex(sha.digest()));
    }

    /** Content hash of one resource, for per-resource xDS versions. */
    public static String resourceVersion(Message resource) {
        return HexFormat.of().formatHex(sha256().digest(deterministicBytes(resource)));
    }

    /** The whole config as Envoy JSON, pretty-printed and stable (the golden files' format). */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("gatewayId", gatewayId);
        root.put("version", version);
        root.set("listeners", array(listeners));
        root.set("routeConfigurations", array(routeConfigurations));
        root.set("clusters", array(clusters));
        ArrayNode secrets = root.putArray("secretNames");
        secretNames.forEach(secrets::add);
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ArrayNode array(List<? extends Message> messages) {
        ArrayNode out = JSON.createArrayNode();
        for (Message m : messages) {
            try {
                out.add(JSON.readTree(EnvoyTypes.json(m)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** Deterministic protobuf encoding (map entries sorted): the bytes versions hash and records carry. */
    public static byte[] deterministicBytes(Message m) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.useDeterministicSerialization();
            m.writeTo(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
