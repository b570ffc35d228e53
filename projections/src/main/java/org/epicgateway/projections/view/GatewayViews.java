package org.epicgateway.projections.view;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.epicgateway.projections.gatewayapi.Attachments;
import org.epicgateway.projections.gatewayapi.Certificates;
import org.epicgateway.projections.gatewayapi.GrpcRoutes;
import org.epicgateway.projections.gatewayapi.Mirrors;
import org.epicgateway.projections.state.Fold;
import org.epicgateway.projections.view.ViewStore.Index;
import org.epicgateway.schemas.AggregateId;
import org.epicgateway.schemas.AggregateIds;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.avro.CertificateState;
import org.epicgateway.schemas.avro.TlsRouteState;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.BackendRef;
import org.epicgateway.schemas.avro.ServiceState;
import org.epicgateway.schemas.avro.ReferenceGrantState;
import org.epicgateway.schemas.avro.ReferenceGrant;
import org.epicgateway.schemas.avro.Listener;
import org.epicgateway.schemas.avro.BackendService;
import org.epicgateway.schemas.avro.Endpoint;
import org.epicgateway.schemas.avro.EndpointSliceState;
import org.epicgateway.schemas.avro.NamespaceState;
import org.epicgateway.schemas.avro.NodeState;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.GatewayState;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.GrpcRouteState;
import org.epicgateway.schemas.avro.HttpRouteState;
import org.epicgateway.schemas.avro.ParentRef;
import org.epicgateway.schemas.avro.TcpRouteState;
import org.epicgateway.schemas.avro.TemplateState;

/**
 * The gateway view projection as pure functions over a {@link ViewStore}: fold an event and keep the indexes
 * (answering which gateways it affects), and assemble the {@link GatewayView} of a gateway from its parts. Every step
 * reads only the aggregates and index entries it touches, never a scan of the account. A route attaches to gateways of
 * its own account, or to another account's shared gateway whose owner granted its account
 * ({@code GatewayState.sharedWith}): that gateway's view keeps only the routes of those accounts, and the grantee's
 * partition sends the owner's what the view needs of it ({@link #forOtherAccounts}, {@link #applyShared}).
 */
public final class GatewayViews {

  /** A gateway's new view; {@code view} null means the gateway is deleted (a tombstone downstream). */
  public record ViewChange(String gatewayId, GatewayView view) {}

  private static final Set<AggregateType> VIEW_TYPES = EnumSet.of(AggregateType.GATEWAY, AggregateType.TEMPLATE,
      AggregateType.HTTP_ROUTE, AggregateType.GRPC_ROUTE, AggregateType.TCP_ROUTE, AggregateType.TLS_ROUTE,
      AggregateType.ENDPOINT_SLICE, AggregateType.SERVICE, AggregateType.REFERENCE_GRANT, AggregateType.NODE,
      AggregateType.CERTIFICATE, AggregateType.NAMESPACE);

  private GatewayViews() {}

  /**
   * Whether events of this aggregate are part of any gateway view (accounts, pools and observations are not). An id
   * that does not parse names no aggregate of a view either, so it can neither be partitioned nor folded.
   */
  public static boolean partOfViews(String aggregateId) {
    if (aggregateId == null) {
      return false;
    }
    AggregateType type;
    try {
      type = AggregateIds.parse(aggregateId).type();
    } catch (IllegalArgumentException e) {
      return false;
    }
    return VIEW_TYPES.contains(type);
  }

  /**
   * What the projection partitions an aggregate's events by: its account (routes, slices and their gateways always
   * share one), or empty for a template or a node, whose events every partition needs because gateways of any account
   * use a template and endpoints of any account run on a node.
   */
  public static Optional<String> partitionKey(String aggregateId) {
    return Optional.ofNullable(AggregateIds.parse(aggregateId).account());
  }

  /**
   * Folds one event of epic.events into the store and returns the gateways whose view may have changed.
   *
   * @param hash the event's chain hash (of its stored bytes), as {@link Fold#apply(AggregateState, EventEnvelope,
   *     byte[])} takes it
   */
  public static Set<String> apply(ViewStore store, EventEnvelope event, byte[] hash) {
    if (!partOfViews(event.getAggregateId())) {
      return Set.of();
    }
    return update(store, Fold.apply(store.get(event.getAggregateId()).orElse(null), event, hash));
  }

  /**
   * What the partitions of other accounts need of the change {@link #apply} just folded: for each account other than
   * the changed aggregate's that owns a gateway among {@code affected} (a shared gateway its routes attach to), the
   * states to send it, in the order to fold them. A route brings along the Services, slices and ReferenceGrants its
   * backends need, which may predate it (the owner's partition has seen none of them); anything else is itself.
   * Nodes and templates reach every partition anyway, and have no account.
   */
  public static Map<String, List<AggregateState>> forOtherAccounts(ViewStore store, String aggregateId,
                                                                   Set<String> affected) {
    String account = AggregateIds.parse(aggregateId).account();
    if (account == null) {
      return Map.of();
    }
    Set<String> owners = new TreeSet<>();
    affected.forEach(g -> owners.add(AggregateIds.parse(g).account()));
    owners.remove(account);
    AggregateState state = store.get(aggregateId).orElse(null);
    if (owners.isEmpty() || state == null) {
      return Map.of();
    }
    List<AggregateState> states = new ArrayList<>();
    AggregateState route = live(state);
    if (route != null && isRoute(route)) {
      Set<String> ids = new TreeSet<>();
      for (String service : backends(route)) {
        ids.add(AggregateType.SERVICE.prefix() + "/" + service);
        ids.addAll(store.members(Index.SLICES_BY_SERVICE, service));
      }
      referencedNamespaces(route).forEach(n -> ids.addAll(store.members(Index.GRANTS_BY_NAMESPACE, n)));
      ids.forEach(id -> store.get(id).ifPresent(states::add));
    }
    states.add(state);
    Map<String, List<AggregateState>> out = new TreeMap<>();
    owners.forEach(owner -> out.put(owner, List.copyOf(states)));
    return out;
  }

  /**
   * Folds a state another account's partition sent ({@link #forOtherAccounts}) and returns the gateways whose view may
   * have changed. A state not newer than the stored one changes nothing: a route's companions are sent again with
   * each of its writes, and an account sharing this partition with the gateway's owner has folded it already.
   */
  public static Set<String> applyShared(ViewStore store, AggregateState state) {
    Optional<AggregateState> stored = store.get(state.getAggregateId());
    if (stored.isPresent() && stored.get().getVersion() >= state.getVersion()) {
      return Set.of();
    }
    return update(store, state);
  }

  /**
   * Stores an aggregate's new state, moves its index entries from what it was to what it is, and returns the
   * gateways whose view may have changed: the gateway itself; a template's gateways; a route's old and new parents;
   * for an endpoint slice, the parents of the routes with a backend on its old or new Service; for a Service, the
   * parents of the routes with a backend on it; for a ReferenceGrant, the gateways and the parents of the routes that
   * reference its namespace from another one; for a node that is lost or back, the parents of the routes with a
   * backend on a slice with an endpoint there; for a namespace (its labels), the parents of its routes that select
   * namespaces by label.
   */
  public static Set<String> update(ViewStore store, AggregateState after) {
    String id = after.getAggregateId();
    AggregateState before = live(store.get(id).orElse(null));
    AggregateState now = live(after);
    Set<String> gateways = new TreeSet<>();
    AggregateId parsed = AggregateIds.parse(id);
    if (before != null) {
      entries(before, store::remove);
    }
    if (now != null) {
      entries(now, store::add);
    }
    switch (parsed.type()) {
      case GATEWAY -> gateways.add(id);
      case TEMPLATE -> gateways.addAll(store.members(Index.GATEWAYS_BY_TEMPLATE, parsed.name()));
      case CERTIFICATE -> gateways.addAll(store.members(Index.GATEWAYS_BY_CERTIFICATE, id));
      case HTTP_ROUTE, GRPC_ROUTE, TCP_ROUTE, TLS_ROUTE -> {
        if (before != null) {
          gateways.addAll(parents(before));
        }
        if (now != null) {
          gateways.addAll(parents(now));
        }
      }
      case ENDPOINT_SLICE -> {
        Set<String> services = new TreeSet<>();
        Stream.of(before, now).filter(s -> s != null).forEach(s -> services.add(service(s)));
        services.forEach(service -> gateways.addAll(parentsOfRoutesTo(store, service)));
      }
      case NODE -> {
        // Only a loss or a return changes views (a lost node's endpoints leave them); beats and tunnels do not.
        if (lost(before) != lost(now)) {
          for (String slice : store.members(Index.SLICES_BY_NODE, parsed.name())) {
            store.get(slice).map(GatewayViews::live).ifPresent(s -> gateways.addAll(parentsOfRoutesTo(store,
                service(s))));
          }
        }
      }
      case NAMESPACE -> {
        for (String route : store.members(Index.ROUTES_BY_NAMESPACE, parsed.account() + "/" + parsed.name())) {
          store.get(route).map(GatewayViews::live).ifPresent(r -> parents(r).stream()
              .filter(g -> store.get(g).map(GatewayViews::live)
                  .filter(s -> Attachments.selectsNamespaces((GatewayState) s.getResource())).isPresent())
              .forEach(gateways::add));
        }
      }
      case SERVICE -> gateways.addAll(parentsOfRoutesTo(store,
          parsed.account() + "/" + parsed.namespace() + "/" + parsed.name()));
      case REFERENCE_GRANT -> {
        String namespace = parsed.account() + "/" + parsed.namespace();
        for (String referrer : store.members(Index.REFERRERS_BY_NAMESPACE, namespace)) {
          if (AggregateIds.parse(referrer).type() == AggregateType.GATEWAY) {
            gateways.add(referrer);
          } else {
            store.get(referrer).map(GatewayViews::live).ifPresent(r -> gateways.addAll(parents(r)));
          }
        }
      }
      default -> throw new IllegalArgumentException(id + " is not part of gateway views");
    }
    store.put(after);
    return gateways;
  }

  /**
   * Adds the index entries of a stored state, for a store whose states were kept before one of its indexes existed
   * (an upgrade): what the state's own event would have added. Adding an entry that is there already changes nothing.
   */
  public static void reindex(ViewStore store, AggregateState state) {
    AggregateState now = live(state);
    if (now != null && partOfViews(now.getAggregateId())) {
      entries(now, store::add);
    }
  }

  /** One index entry added or removed. */
  private interface Entry {
    void apply(Index index, String key, String member);
  }

  /** Applies {@code entry} to each index entry a live state implies. */
  private static void entries(AggregateState state, Entry entry) {
    String id = state.getAggregateId();
    AggregateId parsed = AggregateIds.parse(id);
    switch (parsed.type()) {
      case GATEWAY -> {
        entry.apply(Index.GATEWAYS_BY_TEMPLATE, ((GatewayState) state.getResource()).getTemplate(), id);
        referencedNamespaces(state).forEach(n -> entry.apply(Index.REFERRERS_BY_NAMESPACE, n, id));
        certificates(state).forEach(c -> entry.apply(Index.GATEWAYS_BY_CERTIFICATE, c, id));
      }
      case HTTP_ROUTE, GRPC_ROUTE, TCP_ROUTE, TLS_ROUTE -> {
        entry.apply(Index.ROUTES_BY_NAMESPACE, parsed.account() + "/" + parsed.namespace(), id);
        parents(state).forEach(p -> entry.apply(Index.ROUTES_BY_PARENT, p, id));
        backends(state).forEach(s -> entry.apply(Index.ROUTES_BY_BACKEND, s, id));
        referencedNamespaces(state).forEach(n -> entry.apply(Index.REFERRERS_BY_NAMESPACE, n, id));
      }
      case ENDPOINT_SLICE -> {
        entry.apply(Index.SLICES_BY_SERVICE, service(state), id);
        nodes(state).forEach(n -> entry.apply(Index.SLICES_BY_NODE, n, id));
      }
      case REFERENCE_GRANT -> entry.apply(Index.GRANTS_BY_NAMESPACE, parsed.account() + "/" + parsed.namespace(), id);
      default -> { } // templates, certificates, nodes, Services and namespaces are looked up by id, never indexed
    }
  }

  /** The parents of the live routes with a backendRef on {@code service} ({@code account/namespace/name}). */
  private static Set<String> parentsOfRoutesTo(ViewStore store, String service) {
    Set<String> gateways = new TreeSet<>();
    for (String route : store.members(Index.ROUTES_BY_BACKEND, service)) {
      store.get(route).map(GatewayViews::live).ifPresent(r -> gateways.addAll(parents(r)));
    }
    return gateways;
  }

  /**
   * The new view of each gateway: a view for a live gateway, a tombstone for a deleted one, nothing for one the store
   * has not seen yet (its first event has not arrived; it will bring the view).
   */
  public static List<ViewChange> changes(ViewStore store, Set<String> gatewayIds) {
    List<ViewChange> changes = new ArrayList<>();
    for (String gatewayId : gatewayIds) {
      Optional<AggregateState> gateway = store.get(gatewayId);
      if (gateway.isPresent()) {
        changes.add(new ViewChange(gatewayId, view(store, gatewayId).orElse(null)));
      }
    }
    return changes;
  }

  /** The view of a gateway from the store's indexes, or empty when the gateway is unknown or deleted. */
  public static Optional<GatewayView> view(ViewStore store, String gatewayId) {
    AggregateState gateway = store.get(gatewayId).map(GatewayViews::live).orElse(null);
    if (gateway == null) {
      return Optional.empty();
    }
    String template = ((GatewayState) gateway.getResource()).getTemplate();
    TemplateState templateState = store.get(AggregateIds.template(template)).map(GatewayViews::live)
        .map(s -> (TemplateState) s.getResource()).orElse(null);
    GatewayState g = (GatewayState) gateway.getResource();
    List<AggregateState> routes = new ArrayList<>();
    for (String route : store.members(Index.ROUTES_BY_PARENT, gatewayId)) {
      store.get(route).map(GatewayViews::live).filter(r -> admitted(g, r)).ifPresent(routes::add);
    }
    Set<String> sliceIds = new TreeSet<>();
    routes.stream().flatMap(r -> backends(r).stream()).distinct()
        .forEach(service -> sliceIds.addAll(store.members(Index.SLICES_BY_SERVICE, service)));
    List<EndpointSliceState> slices = new ArrayList<>();
    Map<String, Boolean> lostNodes = new HashMap<>(); // endpoints share few nodes: one read each per view
    for (String slice : sliceIds) {
      store.get(slice).map(GatewayViews::live).ifPresent(s -> slices.add(withoutLostNodes(store, lostNodes,
          (EndpointSliceState) s.getResource())));
    }
    // Only the Services routes name and the grants of namespaces referenced across: what resolution reads.
    Set<String> serviceIds = new TreeSet<>();
    routes.stream().flatMap(r -> backends(r).stream()).forEach(s -> serviceIds.add(AggregateType.SERVICE.prefix() + "/" + s));
    List<ServiceState> services = new ArrayList<>();
    for (String service : serviceIds) {
      store.get(service).map(GatewayViews::live).ifPresent(s -> services.add((ServiceState) s.getResource()));
    }
    Set<String> namespaces = new TreeSet<>(referencedNamespaces(gateway));
    routes.forEach(r -> namespaces.addAll(referencedNamespaces(r)));
    Set<String> grantIds = new TreeSet<>();
    namespaces.forEach(n -> grantIds.addAll(store.members(Index.GRANTS_BY_NAMESPACE, n)));
    List<ReferenceGrantState> grants = new ArrayList<>();
    for (String grant : grantIds) {
      store.get(grant).map(GatewayViews::live).ifPresent(s -> grants.add((ReferenceGrantState) s.getResource()));
    }
    List<CertificateState> certificates = new ArrayList<>();
    for (String certificate : certificates(gateway)) {
      store.get(certificate).map(GatewayViews::live).ifPresent(c -> certificates.add((CertificateState) c.getResource()));
    }
    // Labels of the routes' namespaces only where a listener selects by them: other views stay as they were. A
    // selector admits routes of the gateway's own account only (Attachments), so only their namespaces count.
    List<NamespaceState> namespaceLabels = new ArrayList<>();
    if (Attachments.selectsNamespaces(g)) {
      routes.stream().map(r -> AggregateIds.parse(r.getAggregateId()))
          .filter(r -> r.account().equals(g.getAccount())).map(AggregateId::namespace).distinct().sorted()
          .forEach(n -> store.get(AggregateIds.namespace(g.getAccount(), n)).map(GatewayViews::live)
              .ifPresent(s -> namespaceLabels.add((NamespaceState) s.getResource())));
    }
    return Optional.of(assemble(gateway, templateState, routes, slices, services, grants, certificates,
        namespaceLabels));
  }

  /**
   * Builds the view from its parts, each list in aggregate id order: the live gateway, its template (null if removed),
   * the live routes whose parentRefs name it, the live slices and Services of their backends, and the live
   * ReferenceGrants of the namespaces the gateway or its routes reference from another namespace, its stored
   * certificates and the declared labels of its routes' namespaces (only when a listener selects by them).
   */
  public static GatewayView assemble(AggregateState gateway, TemplateState template, List<AggregateState> routes,
                                     List<EndpointSliceState> slices, List<ServiceState> services,
                                     List<ReferenceGrantState> grants, List<CertificateState> certificates,
                                     List<NamespaceState> namespaces) {
    String account = ((GatewayState) gateway.getResource()).getAccount();
    return GatewayView.newBuilder()
        .setGatewayId(gateway.getAggregateId())
        .setGatewayVersion(gateway.getVersion())
        .setGateway((GatewayState) gateway.getResource())
        .setTemplate(template)
        .setHttpRoutes(routes.stream().filter(r -> r.getResource() instanceof HttpRouteState)
            .map(r -> (HttpRouteState) r.getResource()).toList())
        .setTcpRoutes(routes.stream().filter(r -> r.getResource() instanceof TcpRouteState)
            .map(r -> (TcpRouteState) r.getResource()).toList())
        .setTlsRoutes(routes.stream().filter(r -> r.getResource() instanceof TlsRouteState)
            .map(r -> (TlsRouteState) r.getResource()).toList())
        .setGrpcRoutes(routes.stream().filter(r -> r.getResource() instanceof GrpcRouteState)
            .map(r -> (GrpcRouteState) r.getResource()).toList())
        .setEndpointSlices(List.copyOf(slices))
        .setServices(services.stream().map(s -> new BackendService(s.getNamespace(), s.getName(),
            List.copyOf(s.getPorts()), otherAccount(account, s.getAccount()))).toList())
        .setReferenceGrants(grants.stream().map(g -> new ReferenceGrant(g.getNamespace(), g.getName(),
            List.copyOf(g.getFrom()), List.copyOf(g.getTo()), otherAccount(account, g.getAccount()))).toList())
        .setCertificates(List.copyOf(certificates))
        .setNamespaces(List.copyOf(namespaces))
        .build();
  }

  /** Certificate ids a gateway's listeners reference (a set: sorted, each once). */
  private static Set<String> certificates(AggregateState gateway) {
    GatewayState g = (GatewayState) gateway.getResource();
    Set<String> ids = new TreeSet<>();
    g.getListeners().forEach(l -> Certificates.refs(l).forEach(c -> ids.add(AggregateIds.certificate(g.getAccount(),
        c.getNamespace() == null ? g.getNamespace() : c.getNamespace(), c.getName()))));
    return ids;
  }

  /** An account as a view records it: null when it is the gateway's own (what every view held before sharing). */
  private static String otherAccount(String gatewayAccount, String account) {
    return account.equals(gatewayAccount) ? null : account;
  }

  /** Whether a route's account may attach to the gateway: its own, or one the owner granted. */
  private static boolean admitted(GatewayState gateway, AggregateState route) {
    String account = AggregateIds.parse(route.getAggregateId()).account();
    return account.equals(gateway.getAccount()) || gateway.getSharedWith().contains(account);
  }

  private static boolean isRoute(AggregateState state) {
    return switch (AggregateIds.parse(state.getAggregateId()).type()) {
      case HTTP_ROUTE, GRPC_ROUTE, TCP_ROUTE, TLS_ROUTE -> true;
      default -> false;
    };
  }

  private static AggregateState live(AggregateState state) {
    return state == null || state.getDeleted() ? null : state;
  }

  private static boolean lost(AggregateState node) {
    return node != null && ((NodeState) node.getResource()).getLost();
  }

  /** The nodes a slice's endpoints run on. */
  private static Set<String> nodes(AggregateState slice) {
    Set<String> nodes = new TreeSet<>();
    ((EndpointSliceState) slice.getResource()).getEndpoints().stream().map(Endpoint::getNodeName)
        .filter(n -> n != null).forEach(nodes::add);
    return nodes;
  }

  /**
   * The slice without the endpoints on lost nodes: a host that died without removing its endpoints (a Linux host's,
   * a cluster's node) stops receiving traffic once the liveness watcher declared it lost, and gets it back with its
   * next heartbeat. A node that never sent one is not lost: its endpoints stay. {@code lostNodes} keeps what was read
   * (node name -> lost) across the slices of one view.
   */
  private static EndpointSliceState withoutLostNodes(ViewStore store, Map<String, Boolean> lostNodes,
                                                     EndpointSliceState slice) {
    List<Endpoint> kept = slice.getEndpoints().stream().filter(e -> e.getNodeName() == null
        || !lostNodes.computeIfAbsent(e.getNodeName(),
            n -> lost(store.get(AggregateIds.node(n)).orElse(null)))).toList();
    return kept.size() == slice.getEndpoints().size() ? slice
        : EndpointSliceState.newBuilder(slice).setEndpoints(kept).build();
  }

  private static String service(AggregateState slice) {
    EndpointSliceState s = (EndpointSliceState) slice.getResource();
    return s.getAccount() + "/" + s.getNamespace() + "/" + s.getServiceName();
  }

  /** Gateway ids a route names as parents: of its own account, or of the account a parentRef names. */
  private static Set<String> parents(AggregateState route) {
    Set<String> ids = new TreeSet<>();
    switch (indexed(route.getResource())) {
      case HttpRouteState r -> r.getParentRefs().forEach(p -> ids.add(parent(r.getAccount(), r.getNamespace(), p)));
      case TcpRouteState r -> r.getParentRefs().forEach(p -> ids.add(parent(r.getAccount(), r.getNamespace(), p)));
      case TlsRouteState r -> r.getParentRefs().forEach(p -> ids.add(parent(r.getAccount(), r.getNamespace(), p)));
      default -> throw new IllegalArgumentException(route.getAggregateId() + " is not a route");
    }
    return ids;
  }

  private static String parent(String account, String routeNamespace, ParentRef ref) {
    return AggregateIds.gateway(ref.getAccount() == null ? account : ref.getAccount(),
        ref.getNamespace() == null ? routeNamespace : ref.getNamespace(), ref.getName());
  }

  /** {@code account/namespace/service} of every backend of a route. */
  private static Set<String> backends(AggregateState route) {
    Set<String> services = new TreeSet<>();
    switch (indexed(route.getResource())) {
      case HttpRouteState r -> r.getRules().forEach(rule -> Stream.concat(rule.getBackendRefs().stream(),
          Mirrors.backendRefs(rule).stream()).forEach(b -> services.add(backend(r.getAccount(), r.getNamespace(), b))));
      case TcpRouteState r -> r.getRules().forEach(rule -> rule.getBackendRefs()
          .forEach(b -> services.add(backend(r.getAccount(), r.getNamespace(), b))));
      case TlsRouteState r -> r.getRules().forEach(rule -> rule.getBackendRefs()
          .forEach(b -> services.add(backend(r.getAccount(), r.getNamespace(), b))));
      default -> throw new IllegalArgumentException(route.getAggregateId() + " is not a route");
    }
    return services;
  }

  /**
   * {@code account/namespace} of every namespace other than its own that a route's backendRefs or a gateway's
   * certificateRefs point into: where a ReferenceGrant decides whether the reference holds.
   */
  private static Set<String> referencedNamespaces(AggregateState state) {
    Set<String> namespaces = new TreeSet<>();
    switch (indexed(state.getResource())) {
      case GatewayState g -> g.getListeners().stream().flatMap(l -> Certificates.refs(l).stream())
          .filter(c -> c.getNamespace() != null && !c.getNamespace().equals(g.getNamespace()))
          .forEach(c -> namespaces.add(g.getAccount() + "/" + c.getNamespace()));
      case HttpRouteState r -> r.getRules().forEach(rule -> Stream.concat(rule.getBackendRefs().stream(),
              Mirrors.backendRefs(rule).stream())
          .filter(b -> b.getNamespace() != null && !b.getNamespace().equals(r.getNamespace()))
          .forEach(b -> namespaces.add(r.getAccount() + "/" + b.getNamespace())));
      case TcpRouteState r -> r.getRules().forEach(rule -> rule.getBackendRefs().stream()
          .filter(b -> b.getNamespace() != null && !b.getNamespace().equals(r.getNamespace()))
          .forEach(b -> namespaces.add(r.getAccount() + "/" + b.getNamespace())));
      case TlsRouteState r -> r.getRules().forEach(rule -> rule.getBackendRefs().stream()
          .filter(b -> b.getNamespace() != null && !b.getNamespace().equals(r.getNamespace()))
          .forEach(b -> namespaces.add(r.getAccount() + "/" + b.getNamespace())));
      default -> throw new IllegalArgumentException(state.getAggregateId() + " references no namespace");
    }
    return namespaces;
  }

  /** A GRPCRoute is indexed as the HTTPRoute it stands for: same parents, backends and mirrors. */
  private static Object indexed(Object resource) {
    return resource instanceof GrpcRouteState g ? GrpcRoutes.asHttpRoute(g) : resource;
  }

  private static String backend(String account, String routeNamespace, BackendRef ref) {
    return account + "/" + (ref.getNamespace() == null ? routeNamespace : ref.getNamespace()) + "/" + ref.getName();
  }
}
