package org.epicgateway.provisioner.provider;

import java.util.List;

/**
 * Runs gateway replicas somewhere (processes in network namespaces, Kubernetes pods). It decides nothing: it makes
 * what runs match the spec and says what it sees; the provisioner turns that into reports.
 */
public interface ReplicaProvider extends AutoCloseable {
  /** "local" or "kubernetes": recorded in ReplicaPlaced. */
  String name();

  /**
   * True when the provider places replicas itself (the Kubernetes scheduler spreads them): its instances are its
   * own names and the provisioner's placement is not used.
   */
  default boolean schedulesItself() {
    return false;
  }

  /** Makes the gateway's replicas match {@code spec}; returns what it observes of each replica now. */
  List<ReplicaStatus> apply(ReplicaSpec spec);

  /**
   * Whether a replica changed since this was last asked (became ready, exited), so the provisioner reconciles now
   * instead of on its next round: a replica's readiness reaches its node's advert without waiting out the period.
   */
  default boolean changed() {
    return false;
  }

  /** Stops and removes every replica of the gateway. */
  void remove(String gatewayId);

  @Override
  void close();
}
