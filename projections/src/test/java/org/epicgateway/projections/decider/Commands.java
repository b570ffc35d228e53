package org.epicgateway.projections.decider;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.epicgateway.schemas.AggregateIds;
import org.epicgateway.schemas.avro.Actor;
import org.epicgateway.schemas.avro.ActorKind;
import org.epicgateway.schemas.avro.AddApiUser;
import org.epicgateway.schemas.avro.BackendRef;
import org.epicgateway.schemas.avro.CertificateRef;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.CreateAccount;
import org.epicgateway.schemas.avro.CreateGateway;
import org.epicgateway.schemas.avro.DefineAddressPool;
import org.epicgateway.schemas.avro.DefineGatewayTemplate;
import org.epicgateway.schemas.avro.DeleteGateway;
import org.epicgateway.schemas.avro.Endpoint;
import org.epicgateway.schemas.avro.EndpointConditions;
import org.epicgateway.schemas.avro.EndpointPort;
import org.epicgateway.schemas.avro.HttpRouteMatch;
import org.epicgateway.schemas.avro.HttpRouteRule;
import org.epicgateway.schemas.avro.AllowedRoutes;
import org.epicgateway.schemas.avro.LabelSelector;
import org.epicgateway.schemas.avro.Listener;
import org.epicgateway.schemas.avro.NamespacesFrom;
import org.epicgateway.schemas.avro.RemoveNamespace;
import org.epicgateway.schemas.avro.UpsertNamespace;
import org.epicgateway.schemas.avro.ListenerProtocol;
import org.epicgateway.schemas.avro.ParentRef;
import org.epicgateway.schemas.avro.PathMatch;
import org.epicgateway.schemas.avro.PathMatchType;
import org.epicgateway.schemas.avro.RemoveEndpointSlice;
import org.epicgateway.schemas.avro.RemoveHttpRoute;
import org.epicgateway.schemas.avro.SetQuota;
import org.epicgateway.schemas.avro.TransportProtocol;
import org.epicgateway.schemas.avro.UpdateGateway;
import org.epicgateway.schemas.avro.UpsertEndpointSlice;
import org.epicgateway.schemas.avro.UpsertService;
import org.epicgateway.schemas.avro.UpsertReferenceGrant;
import org.epicgateway.schemas.avro.ServicePort;
import org.epicgateway.schemas.avro.SetGatewaySharing;
import org.epicgateway.schemas.avro.RemoveService;
import org.epicgateway.schemas.avro.RemoveReferenceGrant;
import org.epicgateway.schemas.avro.ReferenceGrantTo;
import org.epicgateway.schemas.avro.ReferenceGrantFrom;
import org.epicgateway.schemas.avro.UpsertHttpRoute;
import org.epicgateway.schemas.avro.GrpcMethodMatch;
import org.epicgateway.schemas.avro.GrpcRouteMatch;
import org.epicgateway.schemas.avro.GrpcRouteRule;
import org.epicgateway.schemas.avro.HttpRouteFilter;
import org.epicgateway.schemas.avro.HttpRouteFilterType;
import org.epicgateway.schemas.avro.RequestMirror;
import org.epicgateway.schemas.avro.StringMatchType;
import org.epicgateway.schemas.avro.UpsertGrpcRoute;

/** Builders of valid commands for tests; each call gets the next command id and a later timestamp. */
public final class Commands {

  public static final String BCRYPT = "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";
  public static final Actor ADMIN = Actor.newBuilder().setKind(ActorKind.USER).setId("admin").build();

  private final String idPrefix;
  private int next;

  public Commands() {
    this("cmd");
  }

  /** Command ids are {@code <idPrefix>-<n>}; tests sharing a broker pass a unique prefix. */
  public Commands(String idPrefix) {
    this.idPrefix = idPrefix;
  }

  public CommandEnvelope envelope(String target, String account, Object payload) {
    next++;
    return CommandEnvelope.newBuilder()
        .setCommandId(idPrefix + "-" + next)
        .setActor(ADMIN)
        .setAccount(account)
        .setTargetAggregateId(target)
        .setTimestamp(Instant.ofEpochMilli(1_700_000_000_000L + next * 1000L))
        .setPayload(payload)
        .build();
  }

  public CommandEnvelope createAccount(String account) {
    return envelope(AggregateIds.account(account), null, new CreateAccount(account, "Account " + account));
  }

  public CommandEnvelope addUser(String account, String user) {
    return envelope(AggregateIds.account(account), null, new AddApiUser(account, user, BCRYPT, List.of("tenant")));
  }

  public CommandEnvelope setQuota(String account, int max) {
    return envelope(AggregateIds.account(account), null, new SetQuota(account, max));
  }

  public CommandEnvelope definePool(String pool, String altPool, String... ranges) {
    return envelope(AggregateIds.pool(pool), null, new DefineAddressPool(pool, List.of(ranges), altPool, null));
  }

  public CommandEnvelope defineTemplate(String template, String pool) {
    return envelope(AggregateIds.template(template), null, DefineGatewayTemplate.newBuilder()
        .setTemplate(template).setPool(pool).setDnsNamePattern("{name}-{namespace}.{account}.gw.example.com")
        .setReplicas(2).setShareable(false).setEnvoyBaseConfig("{}").build());
  }

  public static Listener http(String name, int port) {
    return Listener.newBuilder().setName(name).setPort(port).setProtocol(ListenerProtocol.HTTP).build();
  }

  public static Listener tcp(String name, int port) {
    return Listener.newBuilder().setName(name).setPort(port).setProtocol(ListenerProtocol.TCP).build();
  }

  public static Listener https(String name, int port, String hostname) {
    return Listener.newBuilder().setName(name).setPort(port).setProtocol(ListenerProtocol.HTTPS)
        .setHostname(hostname).setTlsCertificateRef(CertificateRef.newBuilder().setName("cert").build()).build();
  }

  public CommandEnvelope createGateway(String account, String name, String template, Listener... listeners) {
    return envelope(AggregateIds.gateway(account, "default", name), account,
        new CreateGateway(account, "default", name, template, List.of(listeners)));
  }

  public CommandEnvelope createGateway(String account, String name, String template) {
    return createGateway(account, name, template, http("web", 80));
  }

  public CommandEnvelope updateGateway(String account, String name, Listener... listeners) {
    return envelope(AggregateIds.gateway(account, "default", name), account, new UpdateGateway(List.of(listeners)));
  }

  public CommandEnvelope deleteGateway(String account, String name) {
    return envelope(AggregateIds.gateway(account, "default", name), account, new DeleteGateway());
  }

  public static HttpRouteRule rule(String pathPrefix, String service, int port) {
    return HttpRouteRule.newBuilder()
        .setMatches(List.of(HttpRouteMatch.newBuilder()
            .setPath(PathMatch.newBuilder().setType(PathMatchType.PATH_PREFIX).setValue(pathPrefix).build()).build()))
        .setBackendRefs(List.of(BackendRef.newBuilder().setName(service).setPort(port).build()))
        .build();
  }

  public CommandEnvelope upsertRoute(String account, String name, String gateway, HttpRouteRule... rules) {
    return envelope(AggregateIds.httpRoute(account, "default", name), account, UpsertHttpRoute.newBuilder()
        .setAccount(account).setNamespace("default").setName(name)
        .setParentRefs(List.of(ParentRef.newBuilder().setName(gateway).build()))
        .setHostnames(List.of("shop.example.com"))
        .setRules(List.of(rules)).build());
  }

  /** The owner's grant (or revoke) of {@code grantee} on its gateway {@code default/<gateway>}. */
  public CommandEnvelope setSharing(String owner, String gateway, String grantee, boolean granted) {
    return envelope(AggregateIds.gateway(owner, "default", gateway), owner, new SetGatewaySharing(grantee, granted));
  }

  /** A route of {@code account} whose parent is {@code owner}'s gateway {@code default/<gateway>}. */
  public CommandEnvelope upsertRouteTo(String account, String name, String owner, String gateway) {
    CommandEnvelope route = upsertRoute(account, name, gateway);
    ((UpsertHttpRoute) route.getPayload()).setParentRefs(List.of(ParentRef.newBuilder().setAccount(owner)
        .setName(gateway).build()));
    return route;
  }

  public CommandEnvelope upsertRoute(String account, String name, String gateway) {
    return upsertRoute(account, name, gateway, rule("/", "web", 8080));
  }

  public CommandEnvelope removeRoute(String account, String name) {
    return envelope(AggregateIds.httpRoute(account, "default", name), account, new RemoveHttpRoute());
  }

  /** A GRPCRoute sending service {@code grpcService} to {@code backend}:50051 and mirroring it to {@code mirror}. */
  public CommandEnvelope upsertGrpcRoute(String account, String name, String gateway, String grpcService,
                                         String backend, String mirror) {
    HttpRouteFilter mirrorFilter = HttpRouteFilter.newBuilder().setType(HttpRouteFilterType.REQUEST_MIRROR)
        .setRequestMirror(RequestMirror.newBuilder().setBackendRef(BackendRef.newBuilder().setName(mirror)
            .setPort(50051).build()).build()).build();
    return envelope(AggregateIds.grpcRoute(account, "default", name), account, UpsertGrpcRoute.newBuilder()
        .setAccount(account).setNamespace("default").setName(name)
        .setParentRefs(List.of(ParentRef.newBuilder().setName(gateway).build()))
        .setRules(List.of(GrpcRouteRule.newBuilder()
            .setMatches(List.of(GrpcRouteMatch.newBuilder().setMethod(GrpcMethodMatch.newBuilder()
                .setType(StringMatchType.EXACT).setService(grpcService).build()).build()))
            .setFilters(List.of(mirrorFilter))
            .setBackendRefs(List.of(BackendRef.newBuilder().setName(backend).setPort(50051).build())).build()))
        .build());
  }

  public static Endpoint endpoint(String address, String nodeAddress) {
    return Endpoint.newBuilder().setAddresses(List.of(address))
        .setConditions(EndpointConditions.newBuilder().setReady(true).build())
        .setNodeName("node-1").setNodeAddress(nodeAddress).build();
  }

  public CommandEnvelope upsertSlice(String account, String name, String service, Endpoint... endpoints) {
    return envelope(AggregateIds.endpointSlice(account, "default", name), account, UpsertEndpointSlice.newBuilder()
        .setAccount(account).setNamespace("default").setName(name).setServiceName(service)
        .setPorts(List.of(EndpointPort.newBuilder().setName("http").setPort(8080)
            .setProtocol(TransportProtocol.TCP).build()))
        .setEndpoints(List.of(endpoints)).build());
  }

  public CommandEnvelope upsertSlice(String account, String name, String service) {
    return upsertSlice(account, name, service, endpoint("10.1.0.5", "198.51.100.7"));
  }

  public CommandEnvelope removeSlice(String account, String name) {
    return envelope(AggregateIds.endpointSlice(account, "default", name), account, new RemoveEndpointSlice());
  }

  public CommandEnvelope upsertService(String account, String namespace, String name, ServicePort... ports) {
    return envelope(AggregateIds.service(account, namespace, name), account, new UpsertService(account, namespace,
        name, List.of(ports)));
  }

  public CommandEnvelope removeService(String account, String namespace, String name) {
    return envelope(AggregateIds.service(account, namespace, name), account, new RemoveService());
  }

  /** A grant in {@code namespace} letting HTTPRoutes of {@code fromNamespace} reference its Services. */
  public CommandEnvelope upsertGrant(String account, String namespace, String name, String fromNamespace) {
    return envelope(AggregateIds.referenceGrant(account, namespace, name), account, new UpsertReferenceGrant(account,
        namespace, name, List.of(new ReferenceGrantFrom("HTTPRoute", fromNamespace)),
        List.of(new ReferenceGrantTo("Service", null))));
  }

  public CommandEnvelope removeGrant(String account, String namespace, String name) {
    return envelope(AggregateIds.referenceGrant(account, namespace, name), account, new RemoveReferenceGrant());
  }

  public CommandEnvelope upsertNamespace(String account, String name, Map<String, String> labels) {
    return envelope(AggregateIds.namespace(account, name), account, new UpsertNamespace(account, name,
        new TreeMap<>(labels)));
  }

  public CommandEnvelope removeNamespace(String account, String name) {
    return envelope(AggregateIds.namespace(account, name), account, new RemoveNamespace());
  }

  /** An HTTP listener admitting routes of the namespaces {@code selector} matches. */
  public static Listener selecting(String name, int port, LabelSelector selector) {
    return Listener.newBuilder(http(name, port)).setAllowedRoutes(AllowedRoutes.newBuilder()
        .setNamespacesFrom(NamespacesFrom.SELECTOR).setNamespaceSelector(selector).build()).build();
  }

  /** An HTTPRoute in {@code namespace} with parent gateway {@code default/<gateway>}. */
  public CommandEnvelope upsertRouteIn(String account, String namespace, String name, String gateway) {
    return envelope(AggregateIds.httpRoute(account, namespace, name), account, UpsertHttpRoute.newBuilder()
        .setAccount(account).setNamespace(namespace).setName(name)
        .setParentRefs(List.of(ParentRef.newBuilder().setNamespace("default").setName(gateway).build()))
        .setHostnames(List.of("shop.example.com"))
        .setRules(List.of(rule("/", "web", 8080))).build());
  }
}
