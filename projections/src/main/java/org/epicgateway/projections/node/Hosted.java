package org.epicgateway.projections.node;

import java.util.List;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.ReplicaState;

/**
 * A gateway with replicas on one node: its view (null when the gateway is deleted or its view not seen yet) and
 * the replicas of it that this node runs.
 */
public record Hosted(String gatewayId, GatewayView view, List<ReplicaState> replicas) {
  public Hosted {
    replicas = List.copyOf(replicas);
  }
}
