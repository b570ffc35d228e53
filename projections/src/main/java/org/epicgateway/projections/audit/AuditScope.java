package org.epicgateway.projections.audit;

import java.util.Set;
import java.util.TreeSet;
import org.epicgateway.schemas.AggregateIds;
import org.epicgateway.schemas.avro.TlsRouteState;
import org.epicgateway.schemas.avro.EndpointSliceState;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.GrpcRouteState;
import org.epicgateway.schemas.avro.HttpRouteState;
import org.epicgateway.schemas.avro.TcpRouteState;

/**
 * What an audit question is about: everything, one account, or one gateway (the gateway, its attached routes and
 * the endpoint slices of their backends, as its view had them at the instant asked about).
 *
 * @param account null for every account
 * @param gatewayId a gateway aggregate id, or null
 */
public record AuditScope(String account, String gatewayId) {

  public static final AuditScope ALL = new AuditScope(null, null);

  /**
   * @param gateway {@code account/namespace/name}, {@code account/name} (namespace "default") or a full
   *     {@code gateway/...} aggregate id
   */
  public static AuditScope of(String account, String gateway) {
    if (gateway == null) {
      return new AuditScope(account, null);
    }
    String id = gateway.startsWith("gateway/") ? gateway : "gateway/" + gateway;
    String[] parts = id.split("/");
    if (parts.length == 3) {
      id = AggregateIds.gateway(parts[1], "default", parts[2]);
    }
    try {
      AggregateIds.parse(id);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--gateway '" + gateway + "': expected account/namespace/name ("
          + e.getMessage() + ")", e);
    }
    return new AuditScope(account, id);
  }

  /** The aggregates a gateway scope covers in a given state of the world; null when the scope names no gateway. */
  public Set<String> members(StateAt world) {
    if (gatewayId == null) {
      return null;
    }
    Set<String> ids = new TreeSet<>();
    ids.add(gatewayId);
    world.gatewayView(gatewayId).ifPresent(view -> ids.addAll(viewMembers(view)));
    return ids;
  }

  /** True when an aggregate is in scope; {@code members} is the result of {@link #members} (null: no gateway). */
  public boolean covers(String aggregateId, Set<String> members) {
    if (members != null && !members.contains(aggregateId)) {
      return false;
    }
    return account == null || account.equals(AggregateIds.parse(aggregateId).account());
  }

  private static Set<String> viewMembers(GatewayView view) {
    Set<String> ids = new TreeSet<>();
    for (HttpRouteState r : view.getHttpRoutes()) {
      ids.add(AggregateIds.httpRoute(r.getAccount(), r.getNamespace(), r.getName()));
    }
    for (GrpcRouteState r : view.getGrpcRoutes()) {
      ids.add(AggregateIds.grpcRoute(r.getAccount(), r.getNamespace(), r.getName()));
    }
    for (TcpRouteState r : view.getTcpRoutes()) {
      ids.add(AggregateIds.tcpRoute(r.getAccount(), r.getNamespace(), r.getName()));
    }
    for (TlsRouteState r : view.getTlsRoutes()) {
      ids.add(AggregateIds.tlsRoute(r.getAccount(), r.getNamespace(), r.getName()));
    }
    for (EndpointSliceState s : view.getEndpointSlices()) {
      ids.add(AggregateIds.endpointSlice(s.getAccount(), s.getNamespace(), s.getName()));
    }
    return ids;
  }
}
