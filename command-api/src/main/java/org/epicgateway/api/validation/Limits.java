package org.epicgateway.api.validation;

import com.google.common.net.InetAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.epicgateway.projections.decider.AddressPool;
import org.epicgateway.projections.decider.Decider;
import org.epicgateway.projections.envoy.BaseConfig;
import org.epicgateway.projections.envoy.SafeRegex;
import org.epicgateway.projections.gatewayapi.GatewayDurations;
import org.epicgateway.projections.gatewayapi.LabelSelectors;

/**
 * The limits of every field a request body can carry, keyed {@code <Avro record>.<field>} (the bodies mirror the
 * Avro command records, and shared records such as Listener or BackendRef get the same limits wherever they appear).
 * Values are those of the Gateway API v1.6.1 CRDs (standard channel) for the same field, and Kubernetes' rules for
 * metadata and EndpointSlices; where this API is stricter the comment says why. A string field not listed here gets
 * {@link #DEFAULT_TEXT}, an array {@link #DEFAULT_ITEMS}: nothing is unbounded.
 */
public final class Limits {
    /** Kubernetes DNS-1123 label; names are labels here (a gateway's name becomes a DNS label of its address). */
    public static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
    public static final String DNS_SUBDOMAIN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
    /** Gateway API Hostname: a subdomain with an optional leading "*.". */
    public static final String HOSTNAME = "^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
    /** Gateway API HTTPHeaderName: an RFC 7230 token (no ':' pseudo-headers, no CR/LF). */
    public static final String HEADER_NAME = "^[A-Za-z0-9!#$%&'*+\\-.^_`|~]+$";

    public static final Limit NAME = Limit.text(1, 63).pattern(DNS_LABEL);
    public static final Limit SUBDOMAIN = Limit.text(1, 253).pattern(DNS_SUBDOMAIN);
    public static final Limit DEFAULT_TEXT = Limit.text(0, 253);
    public static final Limit DEFAULT_ITEMS = Limit.items(0, 16);
    /** A Kubernetes label value: empty, or 1..63 alphanumerics, '-', '_', '.' starting and ending alphanumeric. */
    public static final Limit LABEL_VALUE = Limit.text(0, 63).checked("A Kubernetes label value: empty, or "
        + "alphanumerics, '-', '_', '.' starting and ending alphanumeric", LabelSelectors::valueProblem);

    private static final Map<String, Limit> FIELDS = new HashMap<>();
    private static final Map<String, Limit> PARAMETERS = Map.of(
        "account", NAME, "namespace", NAME, "name", NAME, "username", NAME,
        "commandId", Limit.text(1, 200).pattern("^[A-Za-z0-9._:-]+$"));

    static {
        // accounts and their users (Kubernetes-style names; bcrypt reads at most 72 bytes of a password)
        put("CreateAccount", "account", NAME);
        put("CreateAccount", "displayName", Limit.text(0, 256));
        put("AddApiUser", "username", NAME);
        put("AddApiUser", "password", Limit.text(8, 72));
        put("AddApiUser", "roles", NAME.eachOf(0, 16));
        put("SetQuota", "maxGateways", Limit.integer(0, 100_000));

        // pools and templates (admin): the decider re-checks ranges against the other pools
        put("DefineAddressPool", "pool", NAME);
        put("DefineAddressPool", "altPool", NAME);
        put("DefineAddressPool", "ranges", Limit.text(1, 100).eachOf(1, AddressPool.MAX_RANGES).checked(
            "A CIDR or a-b range of allocatable unicast addresses, prefix at least /" + AddressPool.MIN_PREFIX_V4
                + " (IPv4) or /" + AddressPool.MIN_PREFIX_V6 + " (IPv6)",
            v -> problem(() -> AddressPool.parseNew(List.of(v)))));
        put("DefineAddressPool", "aggregation", Limit.text(1, 16).pattern("^(default|/[0-9]{1,3})$"));
        for (String template : List.of("DefineGatewayTemplate", "UpdateGatewayTemplate")) {
            put(template, "template", NAME);
            put(template, "pool", NAME);
            put(template, "dnsNamePattern", Limit.text(1, 253).pattern("^[a-z0-9.{}*-]+$"));
            put(template, "replicas", Limit.integer(1, Decider.MAX_REPLICAS));
            put(template, "envoyBaseConfig", Limit.text(0, 65_536).allowingLineBreaks().checked(
                "JSON or YAML with the sections listener, httpConnectionManager, tcpProxy, cluster, routeAction",
                v -> problem(() -> BaseConfig.parse(v))));
        }

        // Gateway (gateways.yaml: listeners 1..64; listener names are subdomains there, labels here as the decider
        // requires, since a listener name is also an Envoy name)
        for (String gateway : List.of("CreateGateway", "UpdateGateway")) {
            put(gateway, "listeners", Limit.items(1, 64));
        }
        tenantResource("CreateGateway");
        put("CreateGateway", "template", NAME);
        put("Listener", "name", NAME);
        put("Listener", "port", Limit.integer(1, 65535));
        put("Listener", "hostname", Limit.text(1, 253).pattern(HOSTNAME));
        put("CertificateRef", "namespace", NAME);
        put("CertificateRef", "name", NAME);
        put("Listener", "tlsCertificateRefs", Limit.items(0, 64));
        put("AllowedRoutes", "kinds", Limit.oneOf("HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute").eachOf(0, 8));

        // HTTPRoute (httproutes.yaml)
        // and GRPCRoute (grpcroutes.yaml): the same route and rule limits; its filters and header matches are the
        // HTTPRoute records below
        for (String route : List.of("UpsertHttpRoute", "UpsertGrpcRoute")) {
            tenantResource(route);
            put(route, "parentRefs", Limit.items(0, 32));
            put(route, "hostnames", Limit.text(1, 253).pattern(HOSTNAME).eachOf(0, 16));
            put(route, "rules", Limit.items(0, 16));
        }
        put("ParentRef", "namespace", NAME);
        put("ParentRef", "name", NAME);
        put("ParentRef", "sectionName", SUBDOMAIN);
        put("ParentRef", "port", Limit.integer(1, 65535));
        put("ParentRef", "account", NAME);
        for (String rule : List.of("HttpRouteRule", "GrpcRouteRule")) {
            put(rule, "name", SUBDOMAIN);
            put(rule, "matches", Limit.items(0, 64));
            put(rule, "filters", Limit.items(0, 16));
            put(rule, "backendRefs", Limit.items(0, 16));
        }
        put("HttpRouteMatch", "headers", Limit.items(0, 16));
        put("GrpcRouteMatch", "headers", Limit.items(0, 16));
        put("GrpcMethodMatch", "service", Limit.text(0, 1024));
        put("GrpcMethodMatch", "method", Limit.text(0, 1024));
        put("HttpRouteMatch", "queryParams", Limit.items(0, 16));
        put("HttpRouteMatch", "method",
            Limit.oneOf("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"));
        put("PathMatch", "value", Limit.text(1, 1024));
        put("HeaderMatch", "name", Limit.text(1, 256).pattern(HEADER_NAME));
        put("HeaderMatch", "value", Limit.text(1, 4096));
        put("QueryParamMatch", "name", Limit.text(1, 256).pattern(HEADER_NAME));
        put("QueryParamMatch", "value", Limit.text(1, 1024));
        // Envoy refuses to modify Host and pseudo-headers; ':' is not in the token pattern, Host is checked here.
        Limit modifiable = Limit.text(1, 256).pattern(HEADER_NAME).checked("Not Host",
            v -> v.toLowerCase(Locale.ROOT).equals("host") ? Optional.of("is Host, which a filter may not modify")
                : Optional.empty());
        put("HeaderModifier", "set", Limit.items(0, 16));
        put("HeaderModifier", "add", Limit.items(0, 16));
        put("HeaderModifier", "remove", modifiable.eachOf(0, 16));
        put("Header", "name", modifiable);
        put("Header", "value", Limit.text(1, 4096));
        put("RequestRedirect", "scheme", Limit.oneOf("http", "https"));
        put("RequestRedirect", "hostname", SUBDOMAIN);
        put("RequestRedirect", "port", Limit.integer(1, 65535));
        put("RequestRedirect", "statusCode", Limit.oneOf(301, 302, 303, 307, 308));
        put("UrlRewrite", "hostname", SUBDOMAIN);
        // A replacement path beginning "//" would redirect to another host.
        put("PathModifier", "value", Limit.text(0, 1024).checked("Empty or an absolute path not starting with //",
            v -> v.isEmpty() || v.startsWith("/") && !v.startsWith("//") ? Optional.empty()
                : Optional.of("must be empty or start with a single '/'")));
        // Only core Services are resolved, so any other kind is refused rather than left unresolved.
        put("BackendRef", "kind", Limit.oneOf("Service"));
        put("BackendRef", "namespace", NAME);
        put("BackendRef", "name", NAME);
        put("BackendRef", "port", Limit.integer(1, 65535));
        put("BackendRef", "weight", Limit.integer(0, 1_000_000));
        put("BackendRef", "filters", Limit.items(0, 16));

        // HTTPRoute timeouts (standard channel) and retry (experimental channel: codes 400-599; attempts has no maximum
        // there, 1,000 here because nothing is unbounded)
        Limit duration = Limit.text(2, 32).checked("A Gateway API duration such as 10s, 1m30s or 500ms",
            GatewayDurations::problem);
        put("HttpRouteTimeouts", "request", duration);
        put("HttpRouteTimeouts", "backendRequest", duration);
        put("HttpRouteRetry", "codes", Limit.integer(400, 599).eachOf(0, 16));
        put("HttpRouteRetry", "attempts", Limit.integer(0, 1_000));
        put("HttpRouteRetry", "backoff", duration);
        // CORS (standard channel since v1.5): origins '*' or scheme://host[:port] with an optional '*.' label; '*' alone
        // in a list (CEL in CrossFieldRules); maxAge at least 1 (seconds)
        put("HttpCors", "allowOrigins", Limit.text(1, 253)
            .pattern("(^\\*$)|(^(http(s)?):\\/\\/(((\\*\\.)?([a-zA-Z0-9\\-]+\\.)*[a-zA-Z0-9-]+|\\*)(:([0-9]{1,5}))?)$)")
            .eachOf(0, 64));
        put("HttpCors", "allowMethods", Limit.oneOf("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS",
            "TRACE", "PATCH", "*").eachOf(0, 9));
        put("HttpCors", "allowHeaders", Limit.text(1, 256).pattern(HEADER_NAME).eachOf(0, 64));
        put("HttpCors", "exposeHeaders", Limit.text(1, 256).pattern(HEADER_NAME).eachOf(0, 64));
        put("HttpCors", "maxAge", Limit.integer(1, Integer.MAX_VALUE));
        // RequestMirror (percent 0..100, fraction numerator >= 0, denominator >= 1; CEL in CrossFieldRules)
        put("RequestMirror", "percent", Limit.integer(0, 100));
        put("MirrorFraction", "numerator", Limit.integer(0, Integer.MAX_VALUE));
        put("MirrorFraction", "denominator", Limit.integer(1, Integer.MAX_VALUE));

        // TCPRoute (tcproutes.yaml, v1alpha2: rules 1..16, backendRefs 1..16)
        tenantResource("UpsertTcpRoute");
        put("UpsertTcpRoute", "parentRefs", Limit.items(0, 32));
        put("UpsertTcpRoute", "rules", Limit.items(1, 16));
        put("TcpRouteRule", "name", SUBDOMAIN);
        put("TcpRouteRule", "backendRefs", Limit.items(1, 16));

        // TLSRoute (tlsroutes.yaml v1: hostnames 1..1024, exactly one rule, backendRefs 1..16 as TCPRoute's)
        tenantResource("UpsertTlsRoute");
        put("UpsertTlsRoute", "parentRefs", Limit.items(0, 32));
        put("UpsertTlsRoute", "hostnames", Limit.text(1, 253).pattern(HOSTNAME).eachOf(1, 1024));
        put("UpsertTlsRoute", "rules", Limit.items(1, 1));

        // EndpointSlice (Kubernetes discovery/v1: endpoints <= 1000, addresses 1..100, ports <= 100)
        tenantResource("UpsertEndpointSlice");
        put("UpsertEndpointSlice", "serviceName", NAME);
        put("UpsertEndpointSlice", "clusterId", SUBDOMAIN);
        put("UpsertEndpointSlice", "ports", Limit.items(0, 100));
        put("UpsertEndpointSlice", "endpoints", Limit.items(0, 1000));
        put("EndpointPort", "name", NAME);
        put("EndpointPort", "port", Limit.integer(1, 65535));
        Limit endpointIp = Limit.text(2, 45).checked("A unicast IP: not unspecified, loopback, link-local, multicast"
            + " or broadcast (Kubernetes' rule for endpoint addresses)", Limits::endpointIpProblem);
        put("Endpoint", "addresses", endpointIp.eachOf(1, 100));
        put("Endpoint", "nodeName", SUBDOMAIN);
        put("Endpoint", "nodeAddress", endpointIp);
        put("Endpoint", "zone", Limit.text(1, 63));

        // Service (core/v1: ports <= 100, names DNS labels)
        tenantResource("UpsertService");
        put("UpsertService", "ports", Limit.items(0, 100));
        put("ServicePort", "name", NAME);
        put("ServicePort", "port", Limit.integer(1, 65535));
        put("ServicePort", "targetPort", Limit.integer(1, 65535));
        // an IANA service name (http) or a name prefixed by a domain with a dot (kubernetes.io/h2c)
        put("ServicePort", "appProtocol", Limit.text(1, 253).pattern(
            "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"));

        // ReferenceGrant (referencegrants.yaml, v1beta1: from 1..16, to 1..16)
        tenantResource("UpsertReferenceGrant");
        put("UpsertReferenceGrant", "from", Limit.items(1, 16));
        put("UpsertReferenceGrant", "to", Limit.items(1, 16));
        put("ReferenceGrantFrom", "kind", Limit.oneOf("HTTPRoute", "TCPRoute", "TLSRoute", "Gateway"));
        put("ReferenceGrantFrom", "namespace", NAME);
        put("ReferenceGrantTo", "kind", Limit.oneOf("Service", "Secret"));
        put("ReferenceGrantTo", "name", NAME);

        // Namespaces and LabelSelectors: Kubernetes' label syntax (the decider names a bad key; here the values and
        // sizes). Kubernetes bounds neither the number of labels nor of requirements; 64 each is ample for a selector.
        put("UpsertNamespace", "name", NAME);
        put("UpsertNamespace", "labels", LABEL_VALUE.eachOf(0, 64));
        put("LabelSelector", "matchLabels", LABEL_VALUE.eachOf(0, 64));
        put("LabelSelector", "matchExpressions", Limit.items(0, 64));
        put("LabelSelectorRequirement", "key", Limit.text(1, 317).checked("A label key: optional DNS subdomain "
            + "prefix and '/', then a name of 1-63 alphanumerics, '-', '_', '.'", LabelSelectors::keyProblem));
        put("LabelSelectorRequirement", "values", LABEL_VALUE.eachOf(0, 64));
    }

    private Limits() {
    }

    /** The limit of {@code field} of the Avro record {@code record} (simple name); the default when none is declared. */
    public static Limit of(String record, String field, boolean array) {
        Limit declared = FIELDS.get(record + "." + field);
        return declared != null ? declared : array ? DEFAULT_ITEMS : DEFAULT_TEXT;
    }

    /** The limit of a path or query parameter, or null when it has none here (paging parameters are checked apart). */
    public static Limit parameter(String name) {
        return PARAMETERS.get(name);
    }

    private static void put(String record, String field, Limit limit) {
        FIELDS.put(record + "." + field, limit);
    }

    /** Tenant resources are named like Kubernetes objects: namespace and name are DNS-1123 labels. */
    private static void tenantResource(String record) {
        put(record, "namespace", NAME);
        put(record, "name", NAME);
    }

    private static Optional<String> problem(Runnable parse) {
        try {
            parse.run();
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of("is refused: " + e.getMessage());
        }
    }

    /** Kubernetes refuses these for endpoint IPs; broadcast and all multicast are refused here too. */
    static Optional<String> endpointIpProblem(String v) {
        if (!InetAddresses.isInetAddress(v) || v.contains("%")) {
            return Optional.of("is not an IPv4 or IPv6 address");
        }
        InetAddress a = InetAddresses.forString(v);
        String kind = a.isAnyLocalAddress() ? "unspecified" : a.isLoopbackAddress() ? "loopback"
            : a.isLinkLocalAddress() ? "link-local" : a.isMulticastAddress() ? "multicast"
            : a instanceof Inet4Address && v.equals("255.255.255.255") ? "broadcast" : null;
        return kind == null ? Optional.empty() : Optional.of("is a " + kind + " address, which cannot be an endpoint");
    }

    /** Regex values (RegularExpression matches) are compiled as Envoy would, under its program-size limit. */
    static Optional<String> regexProblem(String v) {
        return SafeRegex.problem(v);
    }
}
