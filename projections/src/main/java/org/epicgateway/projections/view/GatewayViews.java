package org.epicgateway.projections.view;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.epicgateway.projections.state.Fold;
import org.epicgateway.projections.view.ViewStore.Index;
import org.epicgateway.schemas.AggregateId;
import org.epicgateway.schemas.AggregateIds;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.BackendRef;
import org.epicgateway.schemas.avro.EndpointSliceState;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.GatewayState;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.HttpRouteState;
import org.epicgateway.schemas.avro.ParentRef;
import org.epicgateway.schemas.avro.TcpRouteState;
import org.epicgateway.schemas.avro.TemplateState;

/**
 * The gateway view projection as pure functions over a {@link ViewStore}: fold an event and keep the indexes
 * (answering which gateways it affects), and assemble the {@link GatewayView} of a gateway from its parts. Every step
 * reads only the aggregates and index entries it touches, never a scan of the account. Routes attach only to gateways
 * of their own account, so one account's objects never reach another's view.
 */
public final class GatewayViews {

  /** A gateway's new view; {@code view} null means the gateway is deleted (a tombstone downstream). */
  public record ViewChange(String gatewayId, GatewayView view) {}

  private static final Set<AggregateType> VIEW_TYPES = EnumSet.of(AggregateType.GATEWAY, AggregateType.TEMPLATE,
      AggregateType.HTTP_ROUTE, AggregateType.TCP_ROUTE, AggregateType.ENDPOINT_SLICE);

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
   * share one), or empty for a template, whose events every partition needs because gateways of any account use it.
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
   * Stores an aggregate's new state, moves its index entries from what it was to what it is, and returns the
   * gateways whose view may have changed: the gateway itself; a template's gateways; a route's old and new parents;
   * for an endpoint slice, the parents of the routes with a backend on its old or new Service.
   */
  public static Set<String> update(ViewStore store, AggregateState after) {
    String id = after.getAggregateId();
    AggregateState before = live(store.get(id).orElse(null));
    AggregateState now = live(after);
    Set<String> gateways = new TreeSet<>();
    AggregateId parsed = AggregateIds.parse(id);
    switch (parsed.type()) {
      case GATEWAY -> {
        if (before != null) {
          store.remove(Index.GATEWAYS_BY_TEMPLATE, ((GatewayState) before.getResource()).getTemplate(), id);
        }
        if (now != null) {
          store.add(Index.GATEWAYS_BY_TEMPLATE, ((GatewayState) now.getResource()).getTemplate(), id);
        }
        gateways.add(id);
      }
      case TEMPLATE -> gateways.addAll(store.members(Index.GATEWAYS_BY_TEMPLATE, parsed.name()));
      case HTTP_ROUTE, TCP_ROUTE -> {
        if (before != null) {
          parents(before).forEach(p -> store.remove(Index.ROUTES_BY_PARENT, p, id));
          backends(before).forEach(s -> store.remove(Index.ROUTES_BY_BACKEND, s, id));
          gateways.addAll(parents(before));
        }
        if (now != null) {
          parents(now).forEach(p -> store.add(Index.ROUTES_BY_PARENT, p, id));
          backends(now).forEach(s -> store.add(Index.ROUTES_BY_BACKEND, s, id));
          gateways.addAll(parents(now));
        }
      }
      case ENDPOINT_SLICE -> {
        Set<String> services = new TreeSet<>();
        if (before != null) {
          store.remove(Index.SLICES_BY_SERVICE, service(before), id);
          services.add(service(before));
        }
        if (now != null) {
          store.add(Index.SLICES_BY_SERVICE, service(now), id);
          services.add(service(now));
        }
        for (String service : services) {
          for (String route : store.members(Index.ROUTES_BY_BACKEND, service)) {
            store.get(route).map(GatewayViews::live).ifPresent(r -> gateways.addAll(parents(r)));
          }
        }
      }
      default -> throw new IllegalArgumentException(id + " is not part of gateway views");
    }
    store.put(after);
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
    List<AggregateState> routes = new ArrayList<>();
    for (String route : store.members(Index.ROUTES_BY_PARENT, gatewayId)) {
      store.get(route).map(GatewayViews::live).ifPresent(routes::add);
    }
    Set<String> sliceIds = new TreeSet<>();
    routes.stream().flatMap(r -> backends(r).stream()).distinct()
        .forEach(service -> sliceIds.addAll(store.members(Index.SLICES_BY_SERVICE, service)));
    List<EndpointSliceState> slices = new ArrayList<>();
    for (String slice : sliceIds) {
      store.get(slice).map(GatewayViews::live).ifPresent(s -> slices.add((EndpointSliceState) s.getResource()));
    }
    return Optional.of(assemble(gateway, templateState, routes, slices));
  }

  /**
   * Builds the view from its parts, each list in aggregate id order: the live gateway, its template (null if removed),
   * the live routes whose parentRefs name it and the live slices of their backends' Services.
   */
  public static GatewayView assemble(AggregateState gateway, TemplateState template, List<AggregateState> routes,
                                     List<EndpointSliceState> slices) {
    return GatewayView.newBuilder()
        .setGatewayId(gateway.getAggregateId())
        .setGatewayVersion(gateway.getVersion())
        .setGateway((GatewayState) gateway.getResource())
        .setTemplate(template)
        .setHttpRoutes(routes.stream().filter(r -> r.getResource() instanceof HttpRouteState)
            .map(r -> (HttpRouteState) r.getResource()).toList())
        .setTcpRoutes(routes.stream().filter(r -> r.getResource() instanceof TcpRouteState)
            .map(r -> (TcpRouteState) r.getResource()).toList())
        .setEndpointSlices(List.copyOf(slices))
        .build();
  }

  private static AggregateState live(AggregateState state) {
    return state == null || state.getDeleted() ? null : state;
  }

  private static String service(AggregateState slice) {
    EndpointSliceState s = (EndpointSliceState) slice.getResource();
    return s.getAccount() + "/" + s.getNamespace() + "/" + s.getServiceName();
  }

  /** Gateway ids a route names as parents (always of the route's own account). */
  private static Set<String> parents(AggregateState route) {
    Set<String> ids = new TreeSet<>();
    switch (route.getResource()) {
      case HttpRouteState r -> r.getParentRefs().forEach(p -> ids.add(parent(r.getAccount(), r.getNamespace(), p)));
      case TcpRouteState r -> r.getParentRefs().forEach(p -> ids.add(parent(r.getAccount(), r.getNamespace(), p)));
      default -> throw new IllegalArgumentException(route.getAggregateId() + " is not a route");
    }
    return ids;
  }

  private static String parent(String account, String routeNamespace, ParentRef ref) {
    return AggregateIds.gateway(account, ref.getNamespace() == null ? routeNamespace : ref.getNamespace(),
        ref.getName());
  }

  /** {@code account/namespace/service} of every backend of a route. */
  private static Set<String> backends(AggregateState route) {
    Set<String> services = new TreeSet<>();
    switch (route.getResource()) {
      case HttpRouteState r -> r.getRules().forEach(rule -> rule.getBackendRefs()
          .forEach(b -> services.add(backend(r.getAccount(), r.getNamespace(), b))));
      case TcpRouteState r -> r.getRules().forEach(rule -> rule.getBackendRefs()
          .forEach(b -> services.add(backend(r.getAccount(), r.getNamespace(), b))));
      default -> throw new IllegalArgumentException(route.getAggregateId() + " is not a route");
    }
    return services;
  }

  private static String backend(String account, String routeNamespace, BackendRef ref) {
    return account + "/" + (ref.getNamespace() == null ? routeNamespace : ref.getNamespace()) + "/" + ref.getName();
  }
}
