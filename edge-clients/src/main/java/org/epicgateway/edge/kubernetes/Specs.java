package org.epicgateway.edge.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.epicgateway.edge.api.EpicApi;
import org.epicgateway.projections.routecheck.ManifestException;
import org.epicgateway.projections.routecheck.ManifestLoader;
import org.epicgateway.schemas.avro.BackendService;
import org.epicgateway.schemas.avro.EndpointSliceState;
import org.epicgateway.schemas.avro.GatewayState;
import org.epicgateway.schemas.avro.GrpcRouteState;
import org.epicgateway.schemas.avro.HttpRouteState;
import org.epicgateway.schemas.avro.NamespaceState;
import org.epicgateway.schemas.avro.ReferenceGrant;
import org.epicgateway.schemas.avro.TcpRouteState;
import org.epicgateway.schemas.avro.TlsRouteState;

/**
 * A workload-cluster object as the EPIC object it becomes: route-check's mapper ({@link ManifestLoader#spec}) reads
 * it, so a manifest means the same in {@code ./epic route-check} and in a cluster, and the spec is rendered as the
 * REST API's create body (which mirrors the Avro records field by field).
 */
public final class Specs {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Fields of the folded states that are EPIC's own, never part of what a client sends. */
    private static final Set<String> NOT_SENT = Set.of("account", "creationTimestamp", "address", "altAddress",
        "dnsName", "sharedWith");

    /** The EPIC object: its kind's title and URL collection, where it lives, its create body. */
    public record EpicObject(String kind, String collection, String namespace, String name, ObjectNode body) {
        public String key() {
            return key(kind, namespace, name);
        }

        /** {@code kind/namespace/name}, or {@code kind/name} for an account-wide object (a Namespace). */
        public static String key(String kind, String namespace, String name) {
            return kind + "/" + (namespace == null ? "" : namespace + "/") + name;
        }

        /**
         * The object as one command: the idempotency key is the Kubernetes object's uid and version (generation, or
         * resourceVersion for kinds without one) plus a hash of the body, so the same object sent again (a restart,
         * a resync) is answered from EPIC's decided commands and appends nothing, while a new version or content
         * (a node's address, the class's template) is a new command.
         */
        public EpicApi.Item item(String uid, String version) {
            return new EpicApi.Item(kind, body, uid + "." + version + "." + hash(body).substring(0, 16));
        }
    }

    /** Why an object cannot become an EPIC object: the field (a path in the Kubernetes object) and the problem. */
    public static final class Invalid extends Exception {
        private final String field;

        public Invalid(String field, String problem) {
            super(field + ": " + problem);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    private Specs() {}

    /**
     * The EPIC object a Kubernetes Gateway, HTTPRoute, GRPCRoute, TCPRoute, TLSRoute, Service, ReferenceGrant,
     * EndpointSlice or Namespace (its labels) becomes.
     * {@code template} is the gateway template of the Gateway's class (other kinds ignore it); {@code nodeAddresses}
     * maps node names to the address the GUE tunnel reaches them by (EndpointSlices only).
     */
    public static EpicObject of(HasMetadata object, String template, Map<String, String> nodeAddresses)
        throws Invalid {
        ObjectNode tree = JSON.valueToTree(object);
        tree.put("kind", HasMetadata.getKind(object.getClass()));
        Object spec;
        try {
            spec = ManifestLoader.spec(HasMetadata.getKind(object.getClass()) + " " + object.getMetadata().getNamespace()
                + "/" + object.getMetadata().getName(), tree);
        } catch (ManifestException e) {
            throw new Invalid(e.field(), e.problem());
        }
        return switch (spec) {
            case GatewayState g -> {
                g.setTemplate(template);
                yield new EpicObject("Gateway", "gateways", g.getNamespace(), g.getName(), body(g));
            }
            case HttpRouteState r -> new EpicObject("HTTPRoute", "httproutes", r.getNamespace(), r.getName(), body(r));
            case GrpcRouteState r -> new EpicObject("GRPCRoute", "grpcroutes", r.getNamespace(), r.getName(), body(r));
            case TcpRouteState r -> new EpicObject("TCPRoute", "tcproutes", r.getNamespace(), r.getName(), body(r));
            case TlsRouteState r -> new EpicObject("TLSRoute", "tlsroutes", r.getNamespace(), r.getName(), body(r));
            case BackendService s -> new EpicObject("Service", "services", s.getNamespace(), s.getName(), body(s));
            case ReferenceGrant g ->
                new EpicObject("ReferenceGrant", "referencegrants", g.getNamespace(), g.getName(), body(g));
            case NamespaceState n -> new EpicObject("Namespace", "namespaces", null, n.getName(), body(n));
            case EndpointSliceState s -> {
                s.getEndpoints().forEach(e -> e.setNodeAddress(e.getNodeName() == null ? null
                    : nodeAddresses.get(e.getNodeName())));
                yield new EpicObject("EndpointSlice", "endpointslices", s.getNamespace(), s.getName(), body(s));
            }
            default -> throw new Invalid("kind", HasMetadata.getKind(object.getClass()) + " is not sent to EPIC");
        };
    }

    /** An Avro record as the API's JSON: fields by name, nulls left out, enums by name, unions unwrapped. */
    static ObjectNode body(SpecificRecord record) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        for (Schema.Field f : record.getSchema().getFields()) {
            if (!NOT_SENT.contains(f.name())) {
                JsonNode v = json(record.get(f.pos()));
                if (v != null) {
                    o.set(f.name(), v);
                }
            }
        }
        return o;
    }

    private static JsonNode json(Object value) {
        return switch (value) {
            case null -> null;
            case SpecificRecord r -> body(r);
            case List<?> list -> {
                ArrayNode a = JsonNodeFactory.instance.arrayNode();
                list.forEach(x -> a.add(json(x)));
                yield a;
            }
            case Map<?, ?> map -> {
                ObjectNode o = JsonNodeFactory.instance.objectNode();
                new TreeMap<>(map).forEach((k, v) -> o.set(k.toString(), json(v)));
                yield o;
            }
            case Enum<?> e -> JsonNodeFactory.instance.textNode(e.name());
            case CharSequence s -> JsonNodeFactory.instance.textNode(s.toString());
            case Integer i -> JsonNodeFactory.instance.numberNode(i);
            case Long l -> JsonNodeFactory.instance.numberNode(l);
            case Boolean b -> JsonNodeFactory.instance.booleanNode(b);
            default -> throw new IllegalArgumentException("no JSON for " + value.getClass().getName());
        };
    }

    static String hash(JsonNode body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(body.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
