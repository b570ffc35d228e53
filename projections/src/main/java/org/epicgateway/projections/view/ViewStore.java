package org.epicgateway.projections.view;

import java.util.List;
import java.util.Optional;
import org.epicgateway.schemas.avro.AggregateState;

/**
 * What the gateway view projection keeps: the folded state of every aggregate a view is made of (gateways, templates,
 * routes, endpoint slices, Services, ReferenceGrants, nodes, namespaces; deleted ones too, so the next event of the aggregate still folds) and its indexes, so
 * one write reads only what it touches. Kafka state stores back it in the projection, maps in audit and route-check.
 */
public interface ViewStore {

  /** The indexes, each a set of (key, member) pairs. */
  enum Index {
    /** gateway id → ids of the live routes whose parentRefs name it. */
    ROUTES_BY_PARENT,
    /** service ({@code account/namespace/name}) → ids of the live routes with a backendRef on it. */
    ROUTES_BY_BACKEND,
    /** service ({@code account/namespace/name}) → ids of its live endpoint slices. */
    SLICES_BY_SERVICE,
    /** node name → ids of the live endpoint slices with an endpoint on it. */
    SLICES_BY_NODE,
    /** template name → ids of the live gateways made from it. */
    GATEWAYS_BY_TEMPLATE,
    /** namespace ({@code account/namespace}) → ids of its live ReferenceGrants. */
    GRANTS_BY_NAMESPACE,
    /**
     * namespace ({@code account/namespace}) → ids of the live routes with a backendRef into it and of the live
     * gateways with a certificateRef into it, from another namespace: whom a ReferenceGrant there may concern.
     */
    REFERRERS_BY_NAMESPACE,
    /** namespace ({@code account/namespace}) → ids of its live routes: whose parents a relabelling may concern. */
    ROUTES_BY_NAMESPACE,
    /** certificate id ({@code certificate/<account>/<namespace>/<name>}) → ids of the live gateways referencing it. */
    GATEWAYS_BY_CERTIFICATE
  }

  Optional<AggregateState> get(String aggregateId);

  void put(AggregateState state);

  void add(Index index, String key, String member);

  void remove(Index index, String key, String member);

  /** The members of {@code key}, in id order. */
  List<String> members(Index index, String key);
}
