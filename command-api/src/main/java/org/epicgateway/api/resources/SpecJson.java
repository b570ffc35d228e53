package org.epicgateway.api.resources;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.epicgateway.schemas.avro.AllowedRoutes;
import org.epicgateway.schemas.avro.BackendRef;
import org.epicgateway.schemas.avro.BackendRefFilter;
import org.epicgateway.schemas.avro.CertificateRef;
import org.epicgateway.schemas.avro.TlsMode;
import org.epicgateway.projections.gatewayapi.Certificates;
import org.epicgateway.schemas.avro.Endpoint;
import org.epicgateway.schemas.avro.ServicePort;
import org.epicgateway.schemas.avro.ReferenceGrantTo;
import org.epicgateway.schemas.avro.ReferenceGrantFrom;
import org.epicgateway.schemas.avro.EndpointConditions;
import org.epicgateway.schemas.avro.EndpointPort;
import org.epicgateway.schemas.avro.Header;
import org.epicgateway.schemas.avro.HeaderMatch;
import org.epicgateway.schemas.avro.HeaderModifier;
import org.epicgateway.schemas.avro.GrpcMethodMatch;
import org.epicgateway.schemas.avro.GrpcRouteMatch;
import org.epicgateway.schemas.avro.GrpcRouteRule;
import org.epicgateway.schemas.avro.HttpCors;
import org.epicgateway.schemas.avro.HttpRouteFilter;
import org.epicgateway.schemas.avro.HttpRouteFilterType;
import org.epicgateway.schemas.avro.HttpRouteMatch;
import org.epicgateway.schemas.avro.HttpRouteRetry;
import org.epicgateway.schemas.avro.HttpRouteRule;
import org.epicgateway.schemas.avro.HttpRouteTimeouts;
import org.epicgateway.schemas.avro.MirrorFraction;
import org.epicgateway.schemas.avro.RequestMirror;
import org.epicgateway.schemas.avro.LabelSelector;
import org.epicgateway.schemas.avro.LabelSelectorOperator;
import org.epicgateway.schemas.avro.LabelSelectorRequirement;
import org.epicgateway.schemas.avro.Listener;
import org.epicgateway.schemas.avro.ListenerProtocol;
import org.epicgateway.schemas.avro.NamespacesFrom;
import org.epicgateway.schemas.avro.ParentRef;
import org.epicgateway.schemas.avro.PathMatch;
import org.epicgateway.schemas.avro.PathMatchType;
import org.epicgateway.schemas.avro.PathModifier;
import org.epicgateway.schemas.avro.PathModifierType;
import org.epicgateway.schemas.avro.QueryParamMatch;
import org.epicgateway.schemas.avro.RequestRedirect;
import org.epicgateway.schemas.avro.StringMatchType;
import org.epicgateway.schemas.avro.TcpRouteRule;
import org.epicgateway.schemas.avro.TransportProtocol;
import org.epicgateway.schemas.avro.UrlRewrite;

/**
 * JSON to Avro and back for the Gateway API value records shared by several resources (listeners, parent and backend
 * refs, route rules, endpoints). Field names are the Avro names; optional fields are omitted when unset.
 */
final class SpecJson {
    static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private SpecJson() {
    }

    // ---- JSON -> Avro

    static Listener listener(JsonFields f) {
        return Listener.newBuilder()
            .setName(f.string("name"))
            .setPort(f.integer("port"))
            .setProtocol(f.enumValue("protocol", ListenerProtocol.class))
            .setHostname(f.optString("hostname"))
            .setTlsCertificateRef(f.optObject("tlsCertificateRef", SpecJson::certificateRef))
            .setTlsMode(f.optEnum("tlsMode", TlsMode.class))
            .setTlsCertificateRefs(f.list("tlsCertificateRefs", SpecJson::certificateRef))
            .setAllowedRoutes(f.optObject("allowedRoutes", a -> AllowedRoutes.newBuilder()
                .setNamespacesFrom(a.enumValue("namespacesFrom", NamespacesFrom.class))
                .setKinds(a.strings("kinds"))
                .setNamespaceSelector(a.optObject("namespaceSelector", s -> LabelSelector.newBuilder()
                    .setMatchLabels(s.stringMap("matchLabels"))
                    .setMatchExpressions(s.list("matchExpressions", e -> LabelSelectorRequirement.newBuilder()
                        .setKey(e.string("key"))
                        .setOperator(e.enumValue("operator", LabelSelectorOperator.class))
                        .setValues(e.strings("values")).build()))
                    .build()))
                .build()))
            .build();
    }

    static CertificateRef certificateRef(JsonFields c) {
        return CertificateRef.newBuilder().setNamespace(c.optString("namespace")).setName(c.string("name")).build();
    }

    static ParentRef parentRef(JsonFields f) {
        return ParentRef.newBuilder()
            .setNamespace(f.optString("namespace"))
            .setName(f.string("name"))
            .setSectionName(f.optString("sectionName"))
            .setPort(f.optInteger("port"))
            .setAccount(f.optString("account"))
            .build();
    }

    static BackendRef backendRef(JsonFields f) {
        return BackendRef.newBuilder()
            .setNamespace(f.optString("namespace"))
            .setName(f.string("name"))
            .setPort(f.integer("port"))
            .setWeight(f.integer("weight", 1))
            .setKind(f.optString("kind"))
            .setFilters(f.list("filters", b -> BackendRefFilter.newBuilder()
                .setType(b.enumValue("type", HttpRouteFilterType.class))
                .setRequestHeaderModifier(b.optObject("requestHeaderModifier", SpecJson::headerModifier))
                .setResponseHeaderModifier(b.optObject("responseHeaderModifier", SpecJson::headerModifier))
                .build()))
            .build();
    }

    static HttpRouteRule httpRouteRule(JsonFields f) {
        return HttpRouteRule.newBuilder()
            .setName(f.optString("name"))
            .setMatches(f.list("matches", SpecJson::httpRouteMatch))
            .setFilters(f.list("filters", SpecJson::httpRouteFilter))
            .setBackendRefs(f.list("backendRefs", SpecJson::backendRef))
            .setTimeouts(f.optObject("timeouts", t -> HttpRouteTimeouts.newBuilder()
                .setRequest(t.optString("request")).setBackendRequest(t.optString("backendRequest")).build()))
            .setRetry(f.optObject("retry", r -> HttpRouteRetry.newBuilder()
                .setCodes(r.integers("codes"))
                .setAttempts(r.optInteger("attempts")).setBackoff(r.optString("backoff")).build()))
            .build();
    }

    private static HttpRouteMatch httpRouteMatch(JsonFields f) {
        return HttpRouteMatch.newBuilder()
            .setPath(f.optObject("path", p -> PathMatch.newBuilder()
                .setType(p.enumValue("type", PathMatchType.class)).setValue(p.string("value")).build()))
            .setHeaders(f.list("headers", SpecJson::headerMatch))
            .setQueryParams(f.list("queryParams", q -> QueryParamMatch.newBuilder()
                .setType(q.enumValue("type", StringMatchType.class))
                .setName(q.string("name")).setValue(q.string("value")).build()))
            .setMethod(f.optString("method"))
            .build();
    }

    private static HeaderMatch headerMatch(JsonFields h) {
        return HeaderMatch.newBuilder().setType(h.enumValue("type", StringMatchType.class))
            .setName(h.string("name")).setValue(h.string("value")).build();
    }

    static GrpcRouteRule grpcRouteRule(JsonFields f) {
        return GrpcRouteRule.newBuilder()
            .setName(f.optString("name"))
            .setMatches(f.list("matches", m -> GrpcRouteMatch.newBuilder()
                .setMethod(m.optObject("method", x -> GrpcMethodMatch.newBuilder()
                    .setType(x.enumValue("type", StringMatchType.class))
                    .setService(x.optString("service")).setMethod(x.optString("method")).build()))
                .setHeaders(m.list("headers", SpecJson::headerMatch))
                .build()))
            .setFilters(f.list("filters", SpecJson::httpRouteFilter))
            .setBackendRefs(f.list("backendRefs", SpecJson::backendRef))
            .build();
    }

    private static HttpRouteFilter httpRouteFilter(JsonFields f) {
        return HttpRouteFilter.newBuilder()
            .setType(f.enumValue("type", HttpRouteFilterType.class))
            .setRequestHeaderModifier(f.optObject("requestHeaderModifier", SpecJson::headerModifier))
            .setResponseHeaderModifier(f.optObject("responseHeaderModifier", SpecJson::headerModifier))
            .setRequestRedirect(f.optObject("requestRedirect", r -> RequestRedirect.newBuilder()
                .setScheme(r.optString("scheme"))
                .setHostname(r.optString("hostname"))
                .setPath(r.optObject("path", SpecJson::pathModifier))
                .setPort(r.optInteger("port"))
                .setStatusCode(r.optInteger("statusCode"))
                .build()))
            .setUrlRewrite(f.optObject("urlRewrite", u -> UrlRewrite.newBuilder()
                .setHostname(u.optString("hostname"))
                .setPath(u.optObject("path", SpecJson::pathModifier))
                .build()))
            .setRequestMirror(f.optObject("requestMirror", m -> RequestMirror.newBuilder()
                .setBackendRef(m.object("backendRef", SpecJson::backendRef))
                .setPercent(m.optInteger("percent"))
                .setFraction(m.optObject("fraction", x -> MirrorFraction.newBuilder()
                    .setNumerator(x.integer("numerator")).setDenominator(x.integer("denominator", 100)).build()))
                .build()))
            .setCors(f.optObject("cors", c -> HttpCors.newBuilder()
                .setAllowOrigins(c.strings("allowOrigins")).setAllowCredentials(c.optBoolean("allowCredentials"))
                .setAllowMethods(c.strings("allowMethods")).setAllowHeaders(c.strings("allowHeaders"))
                .setExposeHeaders(c.strings("exposeHeaders")).setMaxAge(c.optInteger("maxAge")).build()))
            .build();
    }

    private static HeaderModifier headerModifier(JsonFields f) {
        Function<JsonFields, Header> header = h -> Header.newBuilder()
            .setName(h.string("name")).setValue(h.string("value")).build();
        return HeaderModifier.newBuilder()
            .setSet(f.list("set", header))
            .setAdd(f.list("add", header))
            .setRemove(f.strings("remove"))
            .build();
    }

    private static PathModifier pathModifier(JsonFields f) {
        return PathModifier.newBuilder()
            .setType(f.enumValue("type", PathModifierType.class)).setValue(f.string("value")).build();
    }

    static TcpRouteRule tcpRouteRule(JsonFields f) {
        return TcpRouteRule.newBuilder()
            .setName(f.optString("name"))
            .setBackendRefs(f.list("backendRefs", SpecJson::backendRef))
            .build();
    }

    static EndpointPort endpointPort(JsonFields f) {
        return EndpointPort.newBuilder()
            .setName(f.optString("name"))
            .setPort(f.integer("port"))
            .setProtocol(f.enumValue("protocol", TransportProtocol.class))
            .build();
    }

    static ServicePort servicePort(JsonFields f) {
        return ServicePort.newBuilder()
            .setName(f.optString("name"))
            .setPort(f.integer("port"))
            .setTargetPort(f.optInteger("targetPort"))
            .setAppProtocol(f.optString("appProtocol"))
            .build();
    }

    static ReferenceGrantFrom referenceGrantFrom(JsonFields f) {
        return new ReferenceGrantFrom(f.string("kind"), f.string("namespace"));
    }

    static ReferenceGrantTo referenceGrantTo(JsonFields f) {
        return new ReferenceGrantTo(f.string("kind"), f.optString("name"));
    }

    static Endpoint endpoint(JsonFields f) {
        return Endpoint.newBuilder()
            .setAddresses(f.strings("addresses"))
            .setConditions(f.object("conditions", c -> EndpointConditions.newBuilder()
                .setReady(c.optBoolean("ready"))
                .setServing(c.optBoolean("serving"))
                .setTerminating(c.optBoolean("terminating"))
                .build()))
            .setNodeName(f.optString("nodeName"))
            .setNodeAddress(f.optString("nodeAddress"))
            .setZone(f.optString("zone"))
            .build();
    }

    // ---- Avro -> JSON

    /** An HTTPRoute's or GRPCRoute's state: names, parents, hostnames, rules and creation time. */
    static <R> ObjectNode route(String account, String namespace, String name, List<ParentRef> parentRefs,
                                List<String> hostnames, List<R> rules, Function<R, ObjectNode> rule,
                                java.time.Instant created) {
        ObjectNode o = JSON.objectNode().put("account", account).put("namespace", namespace).put("name", name);
        array(o, "parentRefs", parentRefs, SpecJson::json);
        strings(o, "hostnames", hostnames);
        array(o, "rules", rules, rule);
        return o.put("creationTimestamp", created.toString());
    }

    static ObjectNode json(Listener l) {
        ObjectNode o = JSON.objectNode().put("name", l.getName()).put("port", l.getPort())
            .put("protocol", l.getProtocol().name());
        putOpt(o, "hostname", l.getHostname());
        if (l.getTlsMode() != null) {
            o.put("tlsMode", l.getTlsMode().name());
        }
        // Read back in the one current form: the single tlsCertificateRef of older events becomes the list.
        if (!Certificates.refs(l).isEmpty()) {
            array(o, "tlsCertificateRefs", Certificates.refs(l), c -> {
                ObjectNode r = JSON.objectNode();
                putOpt(r, "namespace", c.getNamespace());
                return r.put("name", c.getName());
            });
        }
        if (l.getAllowedRoutes() != null) {
            ObjectNode a = o.putObject("allowedRoutes");
            a.put("namespacesFrom", l.getAllowedRoutes().getNamespacesFrom().name());
            strings(a, "kinds", l.getAllowedRoutes().getKinds());
            LabelSelector selector = l.getAllowedRoutes().getNamespaceSelector();
            if (selector != null) {
                ObjectNode s = a.putObject("namespaceSelector");
                labels(s, "matchLabels", selector.getMatchLabels());
                array(s, "matchExpressions", selector.getMatchExpressions(), e -> {
                    ObjectNode r = JSON.objectNode().put("key", e.getKey()).put("operator", e.getOperator().name());
                    strings(r, "values", e.getValues());
                    return r;
                });
            }
        }
        return o;
    }

    /** Labels in key order, so equal states render equal documents. */
    static void labels(ObjectNode o, String field, Map<String, String> labels) {
        ObjectNode out = o.putObject(field);
        new TreeMap<>(labels).forEach(out::put);
    }

    static ObjectNode json(ParentRef p) {
        ObjectNode o = JSON.objectNode();
        putOpt(o, "namespace", p.getNamespace());
        o.put("name", p.getName());
        putOpt(o, "sectionName", p.getSectionName());
        if (p.getPort() != null) {
            o.put("port", p.getPort());
        }
        putOpt(o, "account", p.getAccount());
        return o;
    }

    static ObjectNode json(BackendRef b) {
        ObjectNode o = JSON.objectNode();
        putOpt(o, "namespace", b.getNamespace());
        o.put("name", b.getName()).put("port", b.getPort()).put("weight", b.getWeight());
        putOpt(o, "kind", b.getKind());
        if (!b.getFilters().isEmpty()) {
            array(o, "filters", b.getFilters(), x -> {
                ObjectNode fo = JSON.objectNode().put("type", x.getType().name());
                if (x.getRequestHeaderModifier() != null) {
                    fo.set("requestHeaderModifier", json(x.getRequestHeaderModifier()));
                }
                if (x.getResponseHeaderModifier() != null) {
                    fo.set("responseHeaderModifier", json(x.getResponseHeaderModifier()));
                }
                return fo;
            });
        }
        return o;
    }

    static ObjectNode json(HttpRouteRule r) {
        ObjectNode o = JSON.objectNode();
        putOpt(o, "name", r.getName());
        array(o, "matches", r.getMatches(), SpecJson::json);
        array(o, "filters", r.getFilters(), SpecJson::json);
        array(o, "backendRefs", r.getBackendRefs(), SpecJson::json);
        if (r.getTimeouts() != null) {
            ObjectNode t = o.putObject("timeouts");
            putOpt(t, "request", r.getTimeouts().getRequest());
            putOpt(t, "backendRequest", r.getTimeouts().getBackendRequest());
        }
        HttpRouteRetry retry = r.getRetry();
        if (retry != null) {
            ObjectNode t = o.putObject("retry");
            retry.getCodes().forEach(t.putArray("codes")::add);
            if (retry.getAttempts() != null) {
                t.put("attempts", retry.getAttempts());
            }
            putOpt(t, "backoff", retry.getBackoff());
        }
        return o;
    }

    private static ObjectNode json(HttpRouteMatch m) {
        ObjectNode o = JSON.objectNode();
        if (m.getPath() != null) {
            o.putObject("path").put("type", m.getPath().getType().name()).put("value", m.getPath().getValue());
        }
        array(o, "headers", m.getHeaders(), SpecJson::json);
        array(o, "queryParams", m.getQueryParams(),
            q -> JSON.objectNode().put("type", q.getType().name()).put("name", q.getName()).put("value", q.getValue()));
        putOpt(o, "method", m.getMethod());
        return o;
    }

    private static ObjectNode json(HeaderMatch h) {
        return JSON.objectNode().put("type", h.getType().name()).put("name", h.getName()).put("value", h.getValue());
    }

    static ObjectNode json(GrpcRouteRule r) {
        ObjectNode o = JSON.objectNode();
        putOpt(o, "name", r.getName());
        array(o, "matches", r.getMatches(), m -> {
            ObjectNode mo = JSON.objectNode();
            GrpcMethodMatch method = m.getMethod();
            if (method != null) {
                ObjectNode x = mo.putObject("method").put("type", method.getType().name());
                putOpt(x, "service", method.getService());
                putOpt(x, "method", method.getMethod());
            }
            array(mo, "headers", m.getHeaders(), SpecJson::json);
            return mo;
        });
        array(o, "filters", r.getFilters(), SpecJson::json);
        array(o, "backendRefs", r.getBackendRefs(), SpecJson::json);
        return o;
    }

    private static ObjectNode json(HttpRouteFilter f) {
        ObjectNode o = JSON.objectNode().put("type", f.getType().name());
        if (f.getRequestHeaderModifier() != null) {
            o.set("requestHeaderModifier", json(f.getRequestHeaderModifier()));
        }
        if (f.getResponseHeaderModifier() != null) {
            o.set("responseHeaderModifier", json(f.getResponseHeaderModifier()));
        }
        RequestRedirect r = f.getRequestRedirect();
        if (r != null) {
            ObjectNode ro = o.putObject("requestRedirect");
            putOpt(ro, "scheme", r.getScheme());
            putOpt(ro, "hostname", r.getHostname());
            if (r.getPath() != null) {
                ro.set("path", json(r.getPath()));
            }
            if (r.getPort() != null) {
                ro.put("port", r.getPort());
            }
            if (r.getStatusCode() != null) {
                ro.put("statusCode", r.getStatusCode());
            }
        }
        UrlRewrite u = f.getUrlRewrite();
        if (u != null) {
            ObjectNode uo = o.putObject("urlRewrite");
            putOpt(uo, "hostname", u.getHostname());
            if (u.getPath() != null) {
                uo.set("path", json(u.getPath()));
            }
        }
        HttpCors c = f.getCors();
        if (c != null) {
            ObjectNode co = o.putObject("cors");
            strings(co, "allowOrigins", c.getAllowOrigins());
            putOpt(co, "allowCredentials", c.getAllowCredentials());
            strings(co, "allowMethods", c.getAllowMethods());
            strings(co, "allowHeaders", c.getAllowHeaders());
            strings(co, "exposeHeaders", c.getExposeHeaders());
            if (c.getMaxAge() != null) {
                co.put("maxAge", c.getMaxAge());
            }
        }
        RequestMirror m = f.getRequestMirror();
        if (m != null) {
            ObjectNode mo = o.putObject("requestMirror");
            mo.set("backendRef", json(m.getBackendRef()));
            if (m.getPercent() != null) {
                mo.put("percent", m.getPercent());
            }
            if (m.getFraction() != null) {
                mo.putObject("fraction").put("numerator", m.getFraction().getNumerator())
                    .put("denominator", m.getFraction().getDenominator());
            }
        }
        return o;
    }

    private static ObjectNode json(HeaderModifier m) {
        ObjectNode o = JSON.objectNode();
        Function<Header, ObjectNode> header = h -> JSON.objectNode().put("name", h.getName()).put("value", h.getValue());
        array(o, "set", m.getSet(), header);
        array(o, "add", m.getAdd(), header);
        strings(o, "remove", m.getRemove());
        return o;
    }

    private static ObjectNode json(PathModifier p) {
        return JSON.objectNode().put("type", p.getType().name()).put("value", p.getValue());
    }

    static ObjectNode json(TcpRouteRule r) {
        ObjectNode o = JSON.objectNode();
        putOpt(o, "name", r.getName());
        array(o, "backendRefs", r.getBackendRefs(), SpecJson::json);
        return o;
    }

    static ObjectNode json(EndpointPort p) {
        ObjectNode o = JSON.objectNode();
        putOpt(o, "name", p.getName());
        return o.put("port", p.getPort()).put("protocol", p.getProtocol().name());
    }

    static ObjectNode json(ServicePort p) {
        ObjectNode o = JSON.objectNode();
        putOpt(o, "name", p.getName());
        o.put("port", p.getPort());
        if (p.getTargetPort() != null) {
            o.put("targetPort", p.getTargetPort());
        }
        putOpt(o, "appProtocol", p.getAppProtocol());
        return o;
    }

    static ObjectNode json(ReferenceGrantFrom f) {
        return JSON.objectNode().put("kind", f.getKind()).put("namespace", f.getNamespace());
    }

    static ObjectNode json(ReferenceGrantTo t) {
        ObjectNode o = JSON.objectNode().put("kind", t.getKind());
        putOpt(o, "name", t.getName());
        return o;
    }

    static ObjectNode json(Endpoint e) {
        ObjectNode o = JSON.objectNode();
        strings(o, "addresses", e.getAddresses());
        ObjectNode c = o.putObject("conditions");
        putOpt(c, "ready", e.getConditions().getReady());
        putOpt(c, "serving", e.getConditions().getServing());
        putOpt(c, "terminating", e.getConditions().getTerminating());
        putOpt(o, "nodeName", e.getNodeName());
        putOpt(o, "nodeAddress", e.getNodeAddress());
        putOpt(o, "zone", e.getZone());
        return o;
    }

    // ---- helpers

    static void putOpt(ObjectNode o, String name, String value) {
        if (value != null) {
            o.put(name, value);
        }
    }

    static void putOpt(ObjectNode o, String name, Boolean value) {
        if (value != null) {
            o.put(name, value);
        }
    }

    static void strings(ObjectNode o, String name, List<String> values) {
        ArrayNode a = o.putArray(name);
        values.forEach(a::add);
    }

    static <T> void array(ObjectNode o, String name, List<T> values, Function<T, ObjectNode> toJson) {
        ArrayNode a = o.putArray(name);
        values.forEach(v -> a.add(toJson.apply(v)));
    }
}
