package org.epicgateway.projections.state;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.epicgateway.projections.decider.StateLookup;
import org.epicgateway.schemas.AggregateId;
import org.epicgateway.schemas.AggregateIds;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.BackendRef;
import org.epicgateway.schemas.avro.EndpointSliceState;
import org.epicgateway.schemas.avro.GatewayState;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.HttpRouteState;
import org.epicgateway.schemas.avro.TcpRouteState;
import org.epicgateway.schemas.avro.TemplateState;

/**
 * The gateway-state projection as pure functions over folded states: which gateways an aggregate change touches, and
 * the {@link GatewayView} of a gateway (the gateway, its template, its attached routes and the endpoint slices of
 * their backends). Routes attach only to gateways of their own account, so one account's objects never leak into
 * another's view.
 */
public final class GatewayViews {

  private GatewayViews() {}

  /** The view of a gateway, or empty when the gateway does not exist or is deleted (a tombstone downstream). */
  public static Optional<GatewayView> view(String gatewayId, StateLookup states) {
    Optional<AggregateState> found = states.get(gatewayId).filter(s -> !s.getDeleted());
    if (found.isEmpty()) {
      return Optional.empty();
    }
    AggregateState state = found.get();
    GatewayState gateway = (GatewayState) state.getResource();
    String routePrefix = "/" + gateway.getAccount() + "/";
    List<AggregateState> httpRoutes = live(states, AggregateType.HTTP_ROUTE.prefix() + routePrefix)
        .filter(r -> parents(r).contains(gatewayId)).toList();
    List<AggregateState> tcpRoutes = live(states, AggregateType.TCP_ROUTE.prefix() + routePrefix)
        .filter(r -> parents(r).contains(gatewayId)).toList();
    Set<String> services = new TreeSet<>();
    Stream.concat(httpRoutes.stream(), tcpRoutes.stream()).forEach(r -> services.addAll(backends(r)));
    List<EndpointSliceState> slices = live(states, AggregateType.ENDPOINT_SLICE.prefix() + routePrefix)
        .map(s -> (EndpointSliceState) s.getResource())
        .filter(s -> services.contains(s.getNamespace() + "/" + s.getServiceName()))
        .toList();
    TemplateState template = states.get(AggregateIds.template(gateway.getTemplate()))
        .filter(s -> !s.getDeleted()).map(s -> (TemplateState) s.getResource()).orElse(null);
    return Optional.of(GatewayView.newBuilder()
        .setGatewayId(gatewayId)
        .setGatewayVersion(state.getVersion())
        .setGateway(gateway)
        .setTemplate(template)
        .setHttpRoutes(httpRoutes.stream().map(r -> (HttpRouteState) r.getResource()).toList())
        .setTcpRoutes(tcpRoutes.stream().map(r -> (TcpRouteState) r.getResource()).toList())
        .setEndpointSlices(slices)
        .build());
  }

  /**
   * The gateways whose view may change when an aggregate goes from {@code before} (null if new) to {@code after}:
   * the gateway itself; a template's gateways; a route's old and new parents; for an endpoint slice, the parents of
   * every route with a backend on the slice's old or new service. {@code states} is the lookup after the change.
   */
  public static Set<String> affected(AggregateState before, AggregateState after, StateLookup states) {
    Set<String> gateways = new TreeSet<>();
    AggregateId id = AggregateIds.parse(after.getAggregateId());
    switch (id.type()) {
      case GATEWAY -> gateways.add(after.getAggregateId());
      case TEMPLATE -> live(states, AggregateType.GATEWAY.prefix() + "/")
          .filter(s -> ((GatewayState) s.getResource()).getTemplate().equals(id.name()))
          .forEach(s -> gateways.add(s.getAggregateId()));
      case HTTP_ROUTE, TCP_ROUTE -> Stream.of(before, after).filter(s -> s != null)
          .forEach(s -> gateways.addAll(parents(s)));
      case ENDPOINT_SLICE -> {
        Set<String> services = new TreeSet<>();
        Stream.of(before, after).filter(s -> s != null).map(s -> (EndpointSliceState) s.getResource())
            .forEach(s -> services.add(s.getNamespace() + "/" + s.getServiceName()));
        String prefix = "/" + id.account() + "/";
        Stream.concat(live(states, AggregateType.HTTP_ROUTE.prefix() + prefix),
                live(states, AggregateType.TCP_ROUTE.prefix() + prefix))
            .filter(r -> backends(r).stream().anyMatch(services::contains))
            .forEach(r -> gateways.addAll(parents(r)));
      }
      case ACCOUNT, POOL -> { }
    }
    return gateways;
  }

  private static Stream<AggregateState> live(StateLookup states, String prefix) {
    return states.withPrefix(prefix).stream().filter(s -> !s.getDeleted())
        .sorted(Comparator.comparing(AggregateState::getAggregateId));
  }

  private static String service(String routeNamespace, BackendRef ref) {
    return (ref.getNamespace() == null ? routeNamespace : ref.getNamespace()) + "/" + ref.getName();
  }

  /** Gateway ids a route state names as parents. */
  private static List<String> parents(AggregateState route) {
    List<String> ids = new ArrayList<>();
    switch (route.getResource()) {
      case HttpRouteState r -> r.getParentRefs().forEach(p -> ids.add(AggregateIds.gateway(r.getAccount(),
          p.getNamespace() == null ? r.getNamespace() : p.getNamespace(), p.getName())));
      case TcpRouteState r -> r.getParentRefs().forEach(p -> ids.add(AggregateIds.gateway(r.getAccount(),
          p.getNamespace() == null ? r.getNamespace() : p.getNamespace(), p.getName())));
      default -> throw new IllegalArgumentException(route.getAggregateId() + " is not a route");
    }
    return ids;
  }

  /** "namespace/service" of every backend of a route state. */
  private static List<String> backends(AggregateState route) {
    List<String> services = new ArrayList<>();
    switch (route.getResource()) {
      case HttpRouteState r -> r.getRules().forEach(rule -> rule.getBackendRefs()
          .forEach(b -> services.add(service(r.getNamespace(), b))));
      case TcpRouteState r -> r.getRules().forEach(rule -> rule.getBackendRefs()
          .forEach(b -> services.add(service(r.getNamespace(), b))));
      default -> throw new IllegalArgumentException(route.getAggregateId() + " is not a route");
    }
    return services;
  }
}
