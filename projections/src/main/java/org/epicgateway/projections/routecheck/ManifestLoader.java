package org.epicgateway.projections.routecheck;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPPathModifier;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRequestMirrorFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRetry;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteTimeouts;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TCPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TLSRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.epicgateway.projections.gatewayapi.BackendFilters;
import org.epicgateway.projections.gatewayapi.Certificates;
import org.epicgateway.projections.envoy.SafeRegex;
import org.epicgateway.projections.gatewayapi.GatewayDurations;
import org.epicgateway.projections.gatewayapi.GrpcRoutes;
import org.epicgateway.projections.gatewayapi.LabelSelectors;
import org.epicgateway.projections.gatewayapi.Mirrors;
import org.epicgateway.projections.gatewayapi.ReferenceGrants;
import org.epicgateway.projections.view.GatewayViews;
import org.epicgateway.projections.view.MemoryViewStore;
import org.epicgateway.schemas.AggregateIds;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.EventHashes;
import org.epicgateway.schemas.avro.CertificateState;
import org.epicgateway.schemas.avro.TlsMode;
import org.epicgateway.schemas.avro.TlsRouteState;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.AllowedRoutes;
import org.epicgateway.schemas.avro.BackendRef;
import org.epicgateway.schemas.avro.BackendRefFilter;
import org.epicgateway.schemas.avro.BackendService;
import org.epicgateway.schemas.avro.CertificateRef;
import org.epicgateway.schemas.avro.Endpoint;
import org.epicgateway.schemas.avro.EndpointConditions;
import org.epicgateway.schemas.avro.EndpointPort;
import org.epicgateway.schemas.avro.EndpointSliceState;
import org.epicgateway.schemas.avro.GatewayState;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.GrpcMethodMatch;
import org.epicgateway.schemas.avro.GrpcRouteMatch;
import org.epicgateway.schemas.avro.GrpcRouteRule;
import org.epicgateway.schemas.avro.GrpcRouteState;
import org.epicgateway.schemas.avro.Header;
import org.epicgateway.schemas.avro.HeaderMatch;
import org.epicgateway.schemas.avro.HeaderModifier;
import org.epicgateway.schemas.avro.HttpCors;
import org.epicgateway.schemas.avro.HttpRouteFilter;
import org.epicgateway.schemas.avro.HttpRouteFilterType;
import org.epicgateway.schemas.avro.HttpRouteMatch;
import org.epicgateway.schemas.avro.HttpRouteRetry;
import org.epicgateway.schemas.avro.HttpRouteRule;
import org.epicgateway.schemas.avro.HttpRouteTimeouts;
import org.epicgateway.schemas.avro.MirrorFraction;
import org.epicgateway.schemas.avro.RequestMirror;
import org.epicgateway.schemas.avro.HttpRouteState;
import org.epicgateway.schemas.avro.Listener;
import org.epicgateway.schemas.avro.ListenerProtocol;
import org.epicgateway.schemas.avro.LabelSelector;
import org.epicgateway.schemas.avro.LabelSelectorOperator;
import org.epicgateway.schemas.avro.LabelSelectorRequirement;
import org.epicgateway.schemas.avro.NamespaceState;
import org.epicgateway.schemas.avro.NamespacesFrom;
import org.epicgateway.schemas.avro.ParentRef;
import org.epicgateway.schemas.avro.PathMatch;
import org.epicgateway.schemas.avro.PathMatchType;
import org.epicgateway.schemas.avro.PathModifier;
import org.epicgateway.schemas.avro.PathModifierType;
import org.epicgateway.schemas.avro.QueryParamMatch;
import org.epicgateway.schemas.avro.ReferenceGrantFrom;
import org.epicgateway.schemas.avro.ReferenceGrantTo;
import org.epicgateway.schemas.avro.RequestRedirect;
import org.epicgateway.schemas.avro.ServicePort;
import org.epicgateway.schemas.avro.StringMatchType;
import org.epicgateway.schemas.avro.TcpRouteRule;
import org.epicgateway.schemas.avro.TcpRouteState;
import org.epicgateway.schemas.avro.TransportProtocol;
import org.epicgateway.schemas.avro.UrlRewrite;

/**
 * Reads Kubernetes YAML (Gateway, HTTPRoute, GRPCRoute, TCPRoute, TLSRoute, Service, ReferenceGrant, EndpointSlice,
 * Namespace; several documents per
 * file; other kinds ignored) through fabric8's Gateway API model and maps it to the Avro specs the event log carries,
 * one {@link GatewayView} per Gateway. This is the one mapper from manifests to specs; anything it cannot map is a
 * {@link ManifestException} naming the document and the field.
 */
public final class ManifestLoader {

    /** The account manifests are loaded into (cluster and secret names carry it). */
    public static final String ACCOUNT = "manifests";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS",
            "TRACE", "PATCH");

    private final List<GatewayState> gateways = new ArrayList<>();
    private final List<HttpRouteState> httpRoutes = new ArrayList<>();
    private final List<GrpcRouteState> grpcRoutes = new ArrayList<>();
    private final List<TcpRouteState> tcpRoutes = new ArrayList<>();
    private final List<TlsRouteState> tlsRoutes = new ArrayList<>();
    private final List<BackendService> services = new ArrayList<>();
    private final List<EndpointSliceState> slices = new ArrayList<>();
    private final List<org.epicgateway.schemas.avro.ReferenceGrant> grants = new ArrayList<>();
    private final List<NamespaceState> namespaces = new ArrayList<>();

    private ManifestLoader() {}

    /** Every *.yaml, *.yml and *.json file under {@code dir}, in path order. */
    public static List<GatewayView> load(Path dir) {
        ManifestLoader loader = new ManifestLoader();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile)
                    .filter(p -> p.toString().matches(".*\\.(ya?ml|json)$")).sorted().toList()) {
                loader.read(dir.relativize(f).toString(), Files.readString(f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read manifests in " + dir, e);
        }
        return loader.views();
    }

    /** The documents of one YAML text (named {@code source} in errors). */
    public static List<GatewayView> parse(String source, String yaml) {
        ManifestLoader loader = new ManifestLoader();
        loader.read(source, yaml);
        return loader.views();
    }

    private void read(String file, String text) {
        List<JsonNode> docs;
        try (JsonParser parser = YAML.getFactory().createParser(text)) {
            MappingIterator<JsonNode> it = YAML.readValues(parser, JsonNode.class);
            docs = it.readAll();
        } catch (IOException e) {
            throw new ManifestException(file, "(yaml)", "not valid YAML: " + e.getMessage());
        }
        for (int i = 0; i < docs.size(); i++) {
            JsonNode doc = docs.get(i);
            if (doc == null || doc.isNull() || doc.isMissingNode()) {
                continue;
            }
            String kind = doc.path("kind").asText("");
            String where = file + " document " + (i + 1) + " (" + (kind.isEmpty() ? "no kind" : kind) + " "
                    + doc.path("metadata").path("name").asText("?") + ")";
            switch (spec(where, doc)) {
                case GatewayState g -> gateways.add(g);
                case HttpRouteState r -> httpRoutes.add(r);
                case GrpcRouteState r -> grpcRoutes.add(r);
                case TcpRouteState r -> tcpRoutes.add(r);
                case TlsRouteState r -> tlsRoutes.add(r);
                case BackendService s -> services.add(s);
                case org.epicgateway.schemas.avro.ReferenceGrant g -> grants.add(g);
                case EndpointSliceState s -> slices.add(s);
                case NamespaceState n -> namespaces.add(n);
                case null -> { } // other kinds (GatewayClass, Deployment...) do not affect routing
                default -> throw new IllegalStateException("unexpected spec");
            }
        }
    }

    /**
     * The spec of one Kubernetes object (a YAML document or an object a workload controller watches, as a JSON tree):
     * GatewayState (account and template {@link #ACCOUNT}), HttpRouteState, GrpcRouteState, TcpRouteState, TlsRouteState, BackendService,
     * ReferenceGrant, EndpointSliceState (without node addresses) or NamespaceState (its labels); null for a kind that
     * does not affect routing.
     *
     * @param where names the object in errors
     * @throws ManifestException naming the field that cannot be mapped
     */
    public static Object spec(String where, JsonNode doc) {
        return switch (doc.path("kind").asText("")) {
            case "Gateway" -> gateway(new Doc(where), convert(where, doc, Gateway.class));
            case "HTTPRoute" -> httpRoute(new Doc(where), convert(where, doc, HTTPRoute.class));
            case "GRPCRoute" -> grpcRoute(new Doc(where), convert(where, doc, GRPCRoute.class));
            case "TCPRoute" -> tcpRoute(new Doc(where), convert(where, doc, TCPRoute.class));
            case "TLSRoute" -> tlsRoute(new Doc(where), convert(where, doc, TLSRoute.class));
            case "Service" -> service(new Doc(where), convert(where, doc, Service.class));
            case "ReferenceGrant" -> grant(new Doc(where), convert(where, doc, ReferenceGrant.class));
            case "EndpointSlice" -> slice(new Doc(where), doc);
            case "Namespace" -> namespaceLabels(new Doc(where), convert(where, doc, Namespace.class));
            case "" -> throw new ManifestException(where, "kind", "missing");
            default -> null;
        };
    }

    /**
     * The views of the Gateways as the gateway view projection assembles them (its own code over an in-memory store),
     * plus what has no aggregate yet and so comes from the manifests alone: Services and ReferenceGrants.
     */
    private List<GatewayView> views() {
        if (services.isEmpty() && slices.isEmpty()) {
            assumeServices();
        }
        MemoryViewStore store = new MemoryViewStore();
        gateways.forEach(g -> GatewayViews.update(store,
                state(AggregateIds.gateway(ACCOUNT, g.getNamespace(), g.getName()), AggregateType.GATEWAY, g)));
        httpRoutes.forEach(r -> GatewayViews.update(store,
                state(AggregateIds.httpRoute(ACCOUNT, r.getNamespace(), r.getName()), AggregateType.HTTP_ROUTE, r)));
        grpcRoutes.forEach(r -> GatewayViews.update(store,
                state(AggregateIds.grpcRoute(ACCOUNT, r.getNamespace(), r.getName()), AggregateType.GRPC_ROUTE, r)));
        tcpRoutes.forEach(r -> GatewayViews.update(store,
                state(AggregateIds.tcpRoute(ACCOUNT, r.getNamespace(), r.getName()), AggregateType.TCP_ROUTE, r)));
        tlsRoutes.forEach(r -> GatewayViews.update(store,
                state(AggregateIds.tlsRoute(ACCOUNT, r.getNamespace(), r.getName()), AggregateType.TLS_ROUTE, r)));
        namespaces.forEach(n -> GatewayViews.update(store,
                state(AggregateIds.namespace(ACCOUNT, n.getName()), AggregateType.NAMESPACE, n)));
        slices.forEach(s -> GatewayViews.update(store, state(
                AggregateIds.endpointSlice(ACCOUNT, s.getNamespace(), s.getName()), AggregateType.ENDPOINT_SLICE, s)));
        List<BackendService> allServices = services.stream().sorted(Comparator.comparing(BackendService::getNamespace)
                .thenComparing(BackendService::getName)).toList();
        List<org.epicgateway.schemas.avro.ReferenceGrant> allGrants = grants.stream().sorted(Comparator.comparing(
                        org.epicgateway.schemas.avro.ReferenceGrant::getNamespace)
                .thenComparing(org.epicgateway.schemas.avro.ReferenceGrant::getName)).toList();
        Comparator<GatewayState> byName = Comparator.comparing(GatewayState::getNamespace).thenComparing(GatewayState::getName);
        return gateways.stream().sorted(byName)
                .map(g -> GatewayViews.view(store, AggregateIds.gateway(ACCOUNT, g.getNamespace(), g.getName()))
                        .orElseThrow())
                .map(v -> GatewayView.newBuilder(v).setServices(allServices).setReferenceGrants(allGrants)
                        .setCertificates(assumedCertificates(v.getGateway())).build())
                .toList();
    }

    /**
     * Manifests carry no certificates (their keys belong in the certificate store, not in routing manifests), so every
     * certificate a listener references is taken as stored; only whether it may be referenced is checked.
     */
    private static List<CertificateState> assumedCertificates(GatewayState g) {
        return g.getListeners().stream().flatMap(l -> Certificates.refs(l).stream())
                .map(c -> new CertificateState(ACCOUNT, c.getNamespace() == null ? g.getNamespace() : c.getNamespace(),
                        c.getName(), "", Instant.EPOCH))
                .distinct().toList();
    }

    /** A manifest object as the first state of its aggregate (version 1, as if created by one event). */
    private static AggregateState state(String id, AggregateType type, Object resource) {
        return AggregateState.newBuilder().setAggregateId(id).setAggregateType(type.prefix()).setVersion(1)
                .setLastHash(EventHashes.genesis()).setUpdatedAt(Instant.EPOCH).setDeleted(false)
                .setResource(resource).build();
    }

    /**
     * Manifests without any Service or EndpointSlice say nothing about which backends exist, so every Service a route
     * names is taken to exist with the ports referenced (otherwise every rule would answer 500). As soon as one
     * Service or EndpointSlice is given, existence is checked for real (BackendNotFound answers 500).
     */
    private void assumeServices() {
        Map<String, TreeSet<Integer>> ports = new TreeMap<>();
        Stream.concat(
                Stream.concat(httpRoutes.stream(), grpcRoutes.stream().map(GrpcRoutes::asHttpRoute))
                        .flatMap(r -> r.getRules().stream().flatMap(x -> Stream.concat(
                                x.getBackendRefs().stream(), Mirrors.backendRefs(x).stream()))
                        .map(b -> Map.entry(r.getNamespace(), b))),
                Stream.concat(
                        tcpRoutes.stream().flatMap(r -> r.getRules().stream().flatMap(x -> x.getBackendRefs().stream())
                                .map(b -> Map.entry(r.getNamespace(), b))),
                        tlsRoutes.stream().flatMap(r -> r.getRules().stream().flatMap(x -> x.getBackendRefs().stream())
                                .map(b -> Map.entry(r.getNamespace(), b)))))
                .filter(e -> e.getValue().getKind() == null)
                .forEach(e -> ports.computeIfAbsent((e.getValue().getNamespace() == null ? e.getKey()
                        : e.getValue().getNamespace()) + "/" + e.getValue().getName(), k -> new TreeSet<>())
                        .add(e.getValue().getPort()));
        ports.forEach((key, set) -> services.add(BackendService.newBuilder()
                .setNamespace(key.substring(0, key.indexOf('/'))).setName(key.substring(key.indexOf('/') + 1))
                .setPorts(set.stream().map(p -> ServicePort.newBuilder().setPort(p).build()).toList()).build()));
    }

    private static <T> T convert(String where, JsonNode doc, Class<T> type) {
        try {
            return YAML.treeToValue(doc, type);
        } catch (JsonMappingException e) {
            String field = e.getPath().stream()
                    .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
                    .reduce("", String::concat);
            throw new ManifestException(where, field.isEmpty() ? "(document)" : field.substring(1), e.getOriginalMessage());
        } catch (IOException e) {
            throw new ManifestException(where, "(document)", e.getMessage());
        }
    }

    /** The document being mapped, for error messages. */
    private record Doc(String where) {
        ManifestException error(String field, String problem) {
            return new ManifestException(where, field, problem);
        }

        <T> T required(T value, String field) {
            if (value == null || (value instanceof String s && s.isEmpty())) {
                throw error(field, "required");
            }
            return value;
        }
    }

    private static String namespace(ObjectMeta meta) {
        return meta.getNamespace() == null || meta.getNamespace().isEmpty() ? "default" : meta.getNamespace();
    }

    private static Instant created(Doc d, ObjectMeta meta) {
        if (meta.getCreationTimestamp() == null) {
            return Instant.EPOCH; // unknown age: oldest, so ties fall to namespace/name
        }
        try {
            return Instant.parse(meta.getCreationTimestamp());
        } catch (DateTimeParseException e) {
            throw d.error("metadata.creationTimestamp", "not an RFC 3339 time: " + meta.getCreationTimestamp());
        }
    }

    private static ObjectMeta meta(Doc d, HasMetadata o) {
        ObjectMeta meta = d.required(o.getMetadata(), "metadata");
        d.required(meta.getName(), "metadata.name");
        return meta;
    }

    private static GatewayState gateway(Doc d, Gateway g) {
        ObjectMeta meta = meta(d, g);
        d.required(g.getSpec(), "spec");
        List<Listener> listeners = each("spec.listeners", d.required(g.getSpec().getListeners(), "spec.listeners"),
                (f, l) -> listener(d, f, l));
        String address = g.getStatus() != null && g.getStatus().getAddresses() != null && !g.getStatus().getAddresses().isEmpty()
                ? g.getStatus().getAddresses().get(0).getValue()
                : g.getSpec().getAddresses() != null && !g.getSpec().getAddresses().isEmpty()
                ? g.getSpec().getAddresses().get(0).getValue() : null;
        return GatewayState.newBuilder().setAccount(ACCOUNT).setNamespace(namespace(meta)).setName(meta.getName())
                .setTemplate(ACCOUNT).setListeners(listeners).setAddress(address)
                .setCreationTimestamp(created(d, meta)).build();
    }

    private static Listener listener(Doc d, String f, io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener l) {
        int port = d.required(l.getPort(), f + ".port");
        if (port < 1 || port > 65535) {
            throw d.error(f + ".port", "must be 1-65535, is " + port);
        }
        ListenerProtocol protocol;
        try {
            protocol = ListenerProtocol.valueOf(d.required(l.getProtocol(), f + ".protocol"));
        } catch (IllegalArgumentException e) {
            throw d.error(f + ".protocol", "unsupported " + l.getProtocol() + " (HTTP, HTTPS, TLS, TCP)");
        }
        Listener.Builder b = Listener.newBuilder().setName(d.required(l.getName(), f + ".name")).setPort(port)
                .setProtocol(protocol).setHostname(l.getHostname());
        if (l.getTls() != null) {
            String mode = l.getTls().getMode() == null ? "Terminate" : l.getTls().getMode();
            b.setTlsMode(switch (mode) {
                case "Terminate" -> TlsMode.TERMINATE;
                case "Passthrough" -> TlsMode.PASSTHROUGH;
                default -> throw d.error(f + ".tls.mode", "unsupported " + mode + " (Terminate, Passthrough)");
            });
            b.setTlsCertificateRefs(each(f + ".tls.certificateRefs", l.getTls().getCertificateRefs(),
                    (cf, c) -> CertificateRef.newBuilder().setNamespace(c.getNamespace())
                            .setName(d.required(c.getName(), cf + ".name")).build()));
        }
        if (l.getAllowedRoutes() != null) {
            var ar = l.getAllowedRoutes();
            String from = ar.getNamespaces() == null || ar.getNamespaces().getFrom() == null ? "Same"
                    : ar.getNamespaces().getFrom();
            NamespacesFrom nf = switch (from) {
                case "Same" -> NamespacesFrom.SAME;
                case "All" -> NamespacesFrom.ALL;
                case "Selector" -> NamespacesFrom.SELECTOR;
                default -> throw d.error(f + ".allowedRoutes.namespaces.from",
                        "unsupported " + from + " (Same, All, Selector)");
            };
            var selector = ar.getNamespaces() == null ? null : ar.getNamespaces().getSelector();
            if (nf == NamespacesFrom.SELECTOR && selector == null) {
                throw d.error(f + ".allowedRoutes.namespaces.selector", "required when from is Selector");
            }
            List<String> kinds = ar.getKinds() == null ? List.of() : ar.getKinds().stream().map(k -> k.getKind()).toList();
            b.setAllowedRoutes(AllowedRoutes.newBuilder().setNamespacesFrom(nf).setKinds(kinds)
                    .setNamespaceSelector(selector == null ? null
                            : labelSelector(d, f + ".allowedRoutes.namespaces.selector", selector))
                    .build());
        }
        return b.build();
    }

    /** A Kubernetes LabelSelector, checked as the API server checks it. */
    private static LabelSelector labelSelector(Doc d, String f, io.fabric8.kubernetes.api.model.LabelSelector in) {
        List<LabelSelectorRequirement> expressions = each(f + ".matchExpressions", in.getMatchExpressions(), (at, e) -> {
            LabelSelectorOperator operator = switch (d.required(e.getOperator(), at + ".operator")) {
                case "In" -> LabelSelectorOperator.IN;
                case "NotIn" -> LabelSelectorOperator.NOT_IN;
                case "Exists" -> LabelSelectorOperator.EXISTS;
                case "DoesNotExist" -> LabelSelectorOperator.DOES_NOT_EXIST;
                default -> throw d.error(at + ".operator",
                        "unsupported " + e.getOperator() + " (In, NotIn, Exists, DoesNotExist)");
            };
            return LabelSelectorRequirement.newBuilder().setKey(d.required(e.getKey(), at + ".key"))
                    .setOperator(operator).setValues(e.getValues() == null ? List.of() : List.copyOf(e.getValues()))
                    .build();
        });
        LabelSelector selector = LabelSelector.newBuilder()
                .setMatchLabels(in.getMatchLabels() == null ? new TreeMap<>() : new TreeMap<>(in.getMatchLabels()))
                .setMatchExpressions(expressions).build();
        LabelSelectors.problem(selector).ifPresent(p -> {
            throw d.error(f + "." + p.field(), p.message());
        });
        return selector;
    }

    /** A Namespace's labels (what allowedRoutes selectors match), checked as the API server checks them. */
    private static NamespaceState namespaceLabels(Doc d, Namespace n) {
        ObjectMeta meta = meta(d, n);
        Map<String, String> labels = meta.getLabels() == null ? new TreeMap<>() : new TreeMap<>(meta.getLabels());
        LabelSelectors.labelsProblem("metadata.labels", labels).ifPresent(p -> {
            throw d.error(p.field(), p.message());
        });
        // The API server's own label: EPIC implies it (LabelSelectors.namespaceLabels), so it is not declared.
        labels.remove(LabelSelectors.NAME_LABEL);
        return new NamespaceState(ACCOUNT, meta.getName(), labels);
    }

    private static List<ParentRef> parentRefs(Doc d, List<ParentReference> refs) {
        List<ParentRef> out = new ArrayList<>();
        if (refs == null) {
            return out;
        }
        for (int i = 0; i < refs.size(); i++) {
            ParentReference p = refs.get(i);
            if (p.getKind() != null && !p.getKind().equals("Gateway")) {
                continue; // another kind of parent is not a gateway of ours
            }
            out.add(ParentRef.newBuilder().setNamespace(p.getNamespace())
                    .setName(d.required(p.getName(), "spec.parentRefs[" + i + "].name"))
                    .setSectionName(p.getSectionName()).setPort(p.getPort()).build());
        }
        return out;
    }

    private static HttpRouteState httpRoute(Doc d, HTTPRoute r) {
        ObjectMeta meta = meta(d, r);
        var spec = d.required(r.getSpec(), "spec");
        List<HttpRouteRule> rules = each("spec.rules", spec.getRules(), (f, rule) -> httpRule(d, f, rule));
        return HttpRouteState.newBuilder().setAccount(ACCOUNT).setNamespace(namespace(meta)).setName(meta.getName())
                .setParentRefs(parentRefs(d, spec.getParentRefs()))
                .setHostnames(spec.getHostnames() == null ? List.of() : spec.getHostnames())
                .setRules(rules).setCreationTimestamp(created(d, meta)).build();
    }

    private static HttpRouteRule httpRule(Doc d, String f, io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule rule) {
        List<HttpRouteMatch> matches = each(f + ".matches", rule.getMatches(), (mf, m) -> match(d, mf, m));
        List<HttpRouteFilter> filters = each(f + ".filters", rule.getFilters(), (ff, x) -> filter(d, ff, x, matches));
        List<BackendRef> backends = each(f + ".backendRefs", rule.getBackendRefs(), (bf, b) -> withFilters(
                backendRef(d, bf, b.getGroup(), b.getKind(), b.getNamespace(), b.getName(), b.getPort(), b.getWeight()),
                backendFilters(d, bf, b.getFilters(), x -> x.getType(), x -> x.getRequestHeaderModifier(),
                        x -> x.getResponseHeaderModifier())));
        return HttpRouteRule.newBuilder().setName(rule.getName()).setMatches(matches).setFilters(filters)
                .setBackendRefs(backends).setTimeouts(timeouts(d, f + ".timeouts", rule.getTimeouts()))
                .setRetry(retry(d, f + ".retry", rule.getRetry())).build();
    }

    /** The CRD's rule: backendRequest may not be longer than a non-zero request timeout. */
    private static HttpRouteTimeouts timeouts(Doc d, String f, HTTPRouteTimeouts t) {
        if (t == null) {
            return null;
        }
        Duration request = t.getRequest() == null ? null : duration(d, f + ".request", t.getRequest());
        Duration backend = t.getBackendRequest() == null ? null : duration(d, f + ".backendRequest", t.getBackendRequest());
        if (request != null && backend != null && !request.isZero() && backend.compareTo(request) > 0) {
            throw d.error(f + ".backendRequest", "backendRequest timeout cannot be longer than request timeout");
        }
        return HttpRouteTimeouts.newBuilder().setRequest(t.getRequest()).setBackendRequest(t.getBackendRequest()).build();
    }

    private static HttpRouteRetry retry(Doc d, String f, HTTPRouteRetry r) {
        if (r == null) {
            return null;
        }
        List<Integer> codes = r.getCodes() == null ? List.of() : r.getCodes();
        for (int i = 0; i < codes.size(); i++) {
            if (codes.get(i) == null || codes.get(i) < 400 || codes.get(i) > 599) {
                throw d.error(f + ".codes[" + i + "]", "must be 400-599, is " + codes.get(i));
            }
        }
        if (r.getAttempts() != null && r.getAttempts() < 0) {
            throw d.error(f + ".attempts", "must not be negative, is " + r.getAttempts());
        }
        if (r.getBackoff() != null) {
            duration(d, f + ".backoff", r.getBackoff());
        }
        return HttpRouteRetry.newBuilder().setCodes(codes).setAttempts(r.getAttempts()).setBackoff(r.getBackoff()).build();
    }

    private static Duration duration(Doc d, String f, String value) {
        try {
            return GatewayDurations.parse(value);
        } catch (IllegalArgumentException e) {
            throw d.error(f, e.getMessage());
        }
    }

    private static RequestMirror mirror(Doc d, String f, HTTPRequestMirrorFilter m) {
        d.required(m, f);
        var ref = d.required(m.getBackendRef(), f + ".backendRef");
        if (m.getPercent() != null && m.getFraction() != null) {
            throw d.error(f, "Only one of percent or fraction may be specified in HTTPRequestMirrorFilter");
        }
        if (m.getPercent() != null && (m.getPercent() < 0 || m.getPercent() > 100)) {
            throw d.error(f + ".percent", "must be 0-100, is " + m.getPercent());
        }
        MirrorFraction fraction = null;
        if (m.getFraction() != null) {
            int numerator = d.required(m.getFraction().getNumerator(), f + ".fraction.numerator");
            int denominator = m.getFraction().getDenominator() == null ? 100 : m.getFraction().getDenominator();
            if (numerator < 0 || denominator < 1 || numerator > denominator) {
                throw d.error(f + ".fraction", "numerator must be 0 or more and at most the denominator (1 or more)");
            }
            fraction = MirrorFraction.newBuilder().setNumerator(numerator).setDenominator(denominator).build();
        }
        return RequestMirror.newBuilder().setBackendRef(backendRef(d, f + ".backendRef", ref.getGroup(), ref.getKind(),
                        ref.getNamespace(), ref.getName(), ref.getPort(), null))
                .setPercent(m.getPercent()).setFraction(fraction).build();
    }

    private static HttpRouteMatch match(Doc d, String f, io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch m) {
        HttpRouteMatch.Builder b = HttpRouteMatch.newBuilder();
        if (m.getPath() != null) {
            String type = m.getPath().getType() == null ? "PathPrefix" : m.getPath().getType();
            String value = m.getPath().getValue() == null ? "/" : m.getPath().getValue();
            PathMatchType t = switch (type) {
                case "Exact" -> PathMatchType.EXACT;
                case "PathPrefix" -> PathMatchType.PATH_PREFIX;
                case "RegularExpression" -> PathMatchType.REGULAR_EXPRESSION;
                default -> throw d.error(f + ".path.type", "unknown " + type + " (Exact, PathPrefix, RegularExpression)");
            };
            if (t == PathMatchType.REGULAR_EXPRESSION) {
                regex(d, f + ".path.value", value);
            } else if (!value.startsWith("/") || value.contains("//")) {
                throw d.error(f + ".path.value", "must start with / and contain no //: " + value);
            }
            b.setPath(PathMatch.newBuilder().setType(t).setValue(value).build());
        }
        var hin = m.getHeaders() == null ? List.<io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderMatch>of() : m.getHeaders();
        List<HeaderMatch> headers = headerMatches(d, f, hin.stream().map(h -> new String[] {h.getName(), h.getType(),
                h.getValue()}).toList());
        List<QueryParamMatch> params = each(f + ".queryParams", m.getQueryParams(), (qf, q) -> QueryParamMatch.newBuilder()
                .setType(stringMatch(d, qf, q.getType(), q.getValue()))
                .setName(d.required(q.getName(), qf + ".name")).setValue(q.getValue()).build());
        if (m.getMethod() != null && !METHODS.contains(m.getMethod())) {
            throw d.error(f + ".method", "unknown method " + m.getMethod());
        }
        return b.setHeaders(headers).setQueryParams(params).setMethod(m.getMethod()).build();
    }

    /** Header matches given as (name, type, value): HTTPRoute and GRPCRoute have one shape in two model classes. */
    private static List<HeaderMatch> headerMatches(Doc d, String f, List<String[]> in) {
        return each(f + ".headers", in, (hf, h) -> HeaderMatch.newBuilder().setType(stringMatch(d, hf, h[1], h[2]))
                .setName(d.required(h[0], hf + ".name")).setValue(h[2]).build());
    }

    private static StringMatchType stringMatch(Doc d, String f, String type, String value) {
        d.required(value, f + ".value");
        if (type == null || type.equals("Exact")) {
            return StringMatchType.EXACT;
        }
        if (!type.equals("RegularExpression")) {
            throw d.error(f + ".type", "unknown " + type + " (Exact, RegularExpression)");
        }
        regex(d, f + ".value", value);
        return StringMatchType.REGULAR_EXPRESSION;
    }

    private static void regex(Doc d, String f, String value) {
        SafeRegex.problem(value).ifPresent(problem -> {
            throw d.error(f, problem);
        });
    }

    private static HttpRouteFilter filter(Doc d, String f, io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter in,
                                          List<HttpRouteMatch> matches) {
        String type = d.required(in.getType(), f + ".type");
        HttpRouteFilter.Builder b = HttpRouteFilter.newBuilder();
        switch (type) {
            case "RequestHeaderModifier" -> b.setType(HttpRouteFilterType.REQUEST_HEADER_MODIFIER)
                    .setRequestHeaderModifier(headers(d, f + ".requestHeaderModifier", in.getRequestHeaderModifier()));
            case "ResponseHeaderModifier" -> b.setType(HttpRouteFilterType.RESPONSE_HEADER_MODIFIER)
                    .setResponseHeaderModifier(headers(d, f + ".responseHeaderModifier", in.getResponseHeaderModifier()));
            case "RequestRedirect" -> {
                var r = d.required(in.getRequestRedirect(), f + ".requestRedirect");
                if (r.getScheme() != null && !Set.of("http", "https").contains(r.getScheme())) {
                    throw d.error(f + ".requestRedirect.scheme", "must be http or https");
                }
                if (r.getStatusCode() != null && !Set.of(301, 302, 303, 307, 308).contains(r.getStatusCode())) {
                    throw d.error(f + ".requestRedirect.statusCode", "must be 301, 302, 303, 307 or 308");
                }
                b.setType(HttpRouteFilterType.REQUEST_REDIRECT).setRequestRedirect(RequestRedirect.newBuilder()
                        .setScheme(r.getScheme()).setHostname(r.getHostname()).setPort(r.getPort())
                        .setStatusCode(r.getStatusCode())
                        .setPath(pathModifier(d, f + ".requestRedirect.path", r.getPath(), matches)).build());
            }
            case "URLRewrite" -> {
                var r = d.required(in.getUrlRewrite(), f + ".urlRewrite");
                b.setType(HttpRouteFilterType.URL_REWRITE).setUrlRewrite(UrlRewrite.newBuilder()
                        .setHostname(r.getHostname())
                        .setPath(pathModifier(d, f + ".urlRewrite.path", r.getPath(), matches)).build());
            }
            case "RequestMirror" -> b.setType(HttpRouteFilterType.REQUEST_MIRROR)
                    .setRequestMirror(mirror(d, f + ".requestMirror", in.getRequestMirror()));
            case "CORS" -> {
                var c = d.required(in.getCors(), f + ".cors");
                b.setType(HttpRouteFilterType.CORS).setCors(HttpCors.newBuilder()
                        .setAllowOrigins(c.getAllowOrigins() == null ? List.of() : c.getAllowOrigins())
                        .setAllowCredentials(c.getAllowCredentials())
                        .setAllowMethods(c.getAllowMethods() == null ? List.of() : c.getAllowMethods())
                        .setAllowHeaders(c.getAllowHeaders() == null ? List.of() : c.getAllowHeaders())
                        .setExposeHeaders(c.getExposeHeaders() == null ? List.of() : c.getExposeHeaders())
                        .setMaxAge(c.getMaxAge()).build());
            }
            default -> throw d.error(f + ".type", "unsupported filter " + type
                    + " (RequestHeaderModifier, ResponseHeaderModifier, RequestRedirect, URLRewrite, RequestMirror, CORS)");
        }
        return b.build();
    }

    /**
     * The filters of an HTTPRoute's or GRPCRoute's backendRef ({@code F}: fabric8's filter class of that kind): header
     * modifiers, any other type refused naming it (BackendFilters).
     */
    private static <F> List<BackendRefFilter> backendFilters(Doc d, String bf, List<F> in, Function<F, String> type,
                                                             Function<F, HTTPHeaderFilter> request,
                                                             Function<F, HTTPHeaderFilter> response) {
        return each(bf + ".filters", in, (f, x) -> {
            String t = d.required(type.apply(x), f + ".type");
            return switch (t) {
                case "RequestHeaderModifier" -> new BackendRefFilter(HttpRouteFilterType.REQUEST_HEADER_MODIFIER,
                        headers(d, f + ".requestHeaderModifier", request.apply(x)), null);
                case "ResponseHeaderModifier" -> new BackendRefFilter(HttpRouteFilterType.RESPONSE_HEADER_MODIFIER, null,
                        headers(d, f + ".responseHeaderModifier", response.apply(x)));
                default -> throw d.error(f + ".type", BackendFilters.unsupported(t));
            };
        });
    }

    private static HeaderModifier headers(Doc d, String f, HTTPHeaderFilter h) {
        d.required(h, f);
        return HeaderModifier.newBuilder()
                .setSet(h.getSet() == null ? List.of() : h.getSet().stream()
                        .map(x -> Header.newBuilder().setName(x.getName()).setValue(x.getValue()).build()).toList())
                .setAdd(h.getAdd() == null ? List.of() : h.getAdd().stream()
                        .map(x -> Header.newBuilder().setName(x.getName()).setValue(x.getValue()).build()).toList())
                .setRemove(h.getRemove() == null ? List.of() : h.getRemove()).build();
    }

    private static PathModifier pathModifier(Doc d, String f, HTTPPathModifier p, List<HttpRouteMatch> matches) {
        if (p == null) {
            return null;
        }
        String type = d.required(p.getType(), f + ".type");
        switch (type) {
            case "ReplaceFullPath" -> {
                return PathModifier.newBuilder().setType(PathModifierType.REPLACE_FULL_PATH)
                        .setValue(d.required(p.getReplaceFullPath(), f + ".replaceFullPath")).build();
            }
            case "ReplacePrefixMatch" -> {
                boolean prefixOnly = matches.stream().allMatch(m -> m.getPath() == null
                        || m.getPath().getType() == PathMatchType.PATH_PREFIX);
                if (!prefixOnly) {
                    throw d.error(f + ".type", "ReplacePrefixMatch needs PathPrefix matches only");
                }
                return PathModifier.newBuilder().setType(PathModifierType.REPLACE_PREFIX_MATCH)
                        .setValue(d.required(p.getReplacePrefixMatch(), f + ".replacePrefixMatch")).build();
            }
            default -> throw d.error(f + ".type", "unknown " + type + " (ReplaceFullPath, ReplacePrefixMatch)");
        }
    }

    /** Each element of a list field mapped with its path ({@code field[i]}, for errors); an absent list is empty. */
    private static <T, R> List<R> each(String field, List<T> in, BiFunction<String, T, R> map) {
        List<R> out = new ArrayList<>();
        for (int i = 0; in != null && i < in.size(); i++) {
            out.add(map.apply(field + "[" + i + "]", in.get(i)));
        }
        return out;
    }

    private static BackendRef withFilters(BackendRef ref, List<BackendRefFilter> filters) {
        ref.setFilters(filters);
        return ref;
    }

    private static BackendRef backendRef(Doc d, String f, String group, String kind, String namespace, String name,
                                         Integer port, Integer weight) {
        boolean service = (group == null || group.isEmpty() || group.equals("core"))
                && (kind == null || kind.equals("Service"));
        int w = weight == null ? 1 : weight;
        if (w < 0 || w > 1_000_000) {
            throw d.error(f + ".weight", "must be 0-1000000, is " + w);
        }
        return BackendRef.newBuilder().setNamespace(namespace).setName(d.required(name, f + ".name"))
                .setPort(service ? d.required(port, f + ".port") : port == null ? 0 : port).setWeight(w)
                .setKind(service ? null : (group == null || group.isEmpty() ? "" : group + "/") + (kind == null ? "Service" : kind))
                .build();
    }

    private static GrpcRouteState grpcRoute(Doc d, GRPCRoute r) {
        ObjectMeta meta = meta(d, r);
        var spec = d.required(r.getSpec(), "spec");
        List<GrpcRouteRule> rules = each("spec.rules", spec.getRules(), (f, rule) -> grpcRule(d, f, rule));
        return GrpcRouteState.newBuilder().setAccount(ACCOUNT).setNamespace(namespace(meta)).setName(meta.getName())
                .setParentRefs(parentRefs(d, spec.getParentRefs()))
                .setHostnames(spec.getHostnames() == null ? List.of() : spec.getHostnames())
                .setRules(rules).setCreationTimestamp(created(d, meta)).build();
    }

    private static GrpcRouteRule grpcRule(Doc d, String f, io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteRule rule) {
        List<GrpcRouteMatch> matches = each(f + ".matches", rule.getMatches(), (mf, m) -> {
            GrpcMethodMatch method = null;
            if (m.getMethod() != null) {
                String type = m.getMethod().getType() == null ? "Exact" : m.getMethod().getType();
                StringMatchType t = switch (type) {
                    case "Exact" -> StringMatchType.EXACT;
                    case "RegularExpression" -> StringMatchType.REGULAR_EXPRESSION;
                    default -> throw d.error(mf + ".method.type", "unknown " + type + " (Exact, RegularExpression)");
                };
                method = new GrpcMethodMatch(t, m.getMethod().getService(), m.getMethod().getMethod());
                GrpcRoutes.problem(method).ifPresent(p -> {
                    throw d.error(mf + ".method" + p.field(), p.message());
                });
                if (t == StringMatchType.REGULAR_EXPRESSION) {
                    regex(d, mf + ".method", GrpcRoutes.pathMatch(method).getValue());
                }
            }
            var hin = m.getHeaders() == null ? List.<io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCHeaderMatch>of() : m.getHeaders();
            return new GrpcRouteMatch(method, headerMatches(d, mf, hin.stream()
                    .map(h -> new String[] {h.getName(), h.getType(), h.getValue()}).toList()));
        });
        List<HttpRouteFilter> filters = each(f + ".filters", rule.getFilters(), (ff, x) -> {
            String type = d.required(x.getType(), ff + ".type");
            return switch (type) {
                case "RequestHeaderModifier" -> HttpRouteFilter.newBuilder().setType(HttpRouteFilterType.REQUEST_HEADER_MODIFIER)
                        .setRequestHeaderModifier(headers(d, ff + ".requestHeaderModifier", x.getRequestHeaderModifier())).build();
                case "ResponseHeaderModifier" -> HttpRouteFilter.newBuilder().setType(HttpRouteFilterType.RESPONSE_HEADER_MODIFIER)
                        .setResponseHeaderModifier(headers(d, ff + ".responseHeaderModifier", x.getResponseHeaderModifier())).build();
                case "RequestMirror" -> HttpRouteFilter.newBuilder().setType(HttpRouteFilterType.REQUEST_MIRROR)
                        .setRequestMirror(mirror(d, ff + ".requestMirror", x.getRequestMirror())).build();
                default -> throw d.error(ff + ".type", "unsupported filter " + type
                        + " (RequestHeaderModifier, ResponseHeaderModifier, RequestMirror)");
            };
        });
        List<BackendRef> backends = each(f + ".backendRefs", rule.getBackendRefs(), (bf, b) -> withFilters(
                backendRef(d, bf, b.getGroup(), b.getKind(), b.getNamespace(), b.getName(), b.getPort(), b.getWeight()),
                backendFilters(d, bf, b.getFilters(), x -> x.getType(), x -> x.getRequestHeaderModifier(),
                        x -> x.getResponseHeaderModifier())));
        return new GrpcRouteRule(rule.getName(), matches, filters, backends);
    }

    private static TcpRouteState tcpRoute(Doc d, TCPRoute r) {
        ObjectMeta meta = meta(d, r);
        var spec = d.required(r.getSpec(), "spec");
        return TcpRouteState.newBuilder().setAccount(ACCOUNT).setNamespace(namespace(meta)).setName(meta.getName())
                .setParentRefs(parentRefs(d, spec.getParentRefs()))
                .setRules(streamRules(d, spec.getRules(), x -> x.getName(), x -> x.getBackendRefs()))
                .setCreationTimestamp(created(d, meta)).build();
    }

    private static TlsRouteState tlsRoute(Doc d, TLSRoute r) {
        ObjectMeta meta = meta(d, r);
        var spec = d.required(r.getSpec(), "spec");
        return TlsRouteState.newBuilder().setAccount(ACCOUNT).setNamespace(namespace(meta)).setName(meta.getName())
                .setParentRefs(parentRefs(d, spec.getParentRefs()))
                .setHostnames(spec.getHostnames() == null ? List.of() : List.copyOf(spec.getHostnames()))
                .setRules(streamRules(d, spec.getRules(), x -> x.getName(), x -> x.getBackendRefs()))
                .setCreationTimestamp(created(d, meta)).build();
    }

    /** TCPRoute and TLSRoute rules (fabric8 has a class for each; the specs define the same rule). */
    private static <R> List<TcpRouteRule> streamRules(Doc d, List<R> in, Function<R, String> name,
            Function<R, List<io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendRef>> backendRefs) {
        return each("spec.rules", in, (f, rule) -> TcpRouteRule.newBuilder().setName(name.apply(rule))
                .setBackendRefs(each(f + ".backendRefs", backendRefs.apply(rule), (bf, b) -> backendRef(d, bf,
                        b.getGroup(), b.getKind(), b.getNamespace(), b.getName(), b.getPort(), b.getWeight())))
                .build());
    }

    private static BackendService service(Doc d, Service s) {
        ObjectMeta meta = meta(d, s);
        List<ServicePort> ports = each("spec.ports", s.getSpec() == null ? null : s.getSpec().getPorts(), (f, p) -> {
            IntOrString target = p.getTargetPort();
            return ServicePort.newBuilder().setName(p.getName()).setPort(d.required(p.getPort(), f + ".port"))
                    .setTargetPort(target != null && target.getIntVal() != null ? target.getIntVal() : null)
                    .setAppProtocol(p.getAppProtocol()).build();
        });
        return BackendService.newBuilder().setNamespace(namespace(meta)).setName(meta.getName()).setPorts(ports).build();
    }

    private static org.epicgateway.schemas.avro.ReferenceGrant grant(Doc d, ReferenceGrant g) {
        ObjectMeta meta = meta(d, g);
        var spec = d.required(g.getSpec(), "spec");
        List<ReferenceGrantFrom> from = each("spec.from", spec.getFrom(), (f, x) -> ReferenceGrantFrom.newBuilder()
                .setKind(ReferenceGrants.fromKind(x.getGroup(), d.required(x.getKind(), f + ".kind")))
                .setNamespace(d.required(x.getNamespace(), f + ".namespace")).build());
        List<ReferenceGrantTo> to = each("spec.to", spec.getTo(), (f, x) -> ReferenceGrantTo.newBuilder()
                .setKind(ReferenceGrants.toKind(x.getGroup(), d.required(x.getKind(), f + ".kind")))
                .setName(x.getName()).build());
        return org.epicgateway.schemas.avro.ReferenceGrant.newBuilder().setNamespace(namespace(meta))
                .setName(meta.getName()).setFrom(from).setTo(to).build();
    }

    /** discovery.k8s.io/v1 EndpointSlice, read from the tree (its model is not a dependency of ours). */
    private static EndpointSliceState slice(Doc d, JsonNode doc) {
        JsonNode meta = doc.path("metadata");
        String service = meta.path("labels").path("kubernetes.io/service-name").asText("");
        if (service.isEmpty()) {
            throw d.error("metadata.labels[kubernetes.io/service-name]", "required");
        }
        List<EndpointPort> ports = new ArrayList<>();
        for (JsonNode p : doc.path("ports")) {
            ports.add(EndpointPort.newBuilder().setName(p.hasNonNull("name") ? p.get("name").asText() : null)
                    .setPort(p.path("port").asInt())
                    .setProtocol(TransportProtocol.valueOf(p.path("protocol").asText("TCP"))).build());
        }
        List<Endpoint> endpoints = new ArrayList<>();
        for (JsonNode e : doc.path("endpoints")) {
            List<String> addresses = new ArrayList<>();
            e.path("addresses").forEach(a -> addresses.add(a.asText()));
            JsonNode c = e.path("conditions");
            endpoints.add(Endpoint.newBuilder().setAddresses(addresses)
                    .setConditions(EndpointConditions.newBuilder().setReady(bool(c, "ready"))
                            .setServing(bool(c, "serving")).setTerminating(bool(c, "terminating")).build())
                    .setNodeName(e.hasNonNull("nodeName") ? e.get("nodeName").asText() : null)
                    .setZone(e.hasNonNull("zone") ? e.get("zone").asText() : null).build());
        }
        return EndpointSliceState.newBuilder().setAccount(ACCOUNT)
                .setNamespace(meta.path("namespace").asText("default"))
                .setName(d.required(meta.path("name").asText(""), "metadata.name"))
                .setServiceName(service).setPorts(ports).setEndpoints(endpoints).build();
    }

    private static Boolean bool(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asBoolean() : null;
    }
}
