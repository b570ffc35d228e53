package org.epicgateway.xds.snapshots;

import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import java.util.List;
import java.util.Objects;

/** EDS for one cluster, as published per cluster on the endpoints topic; {@code version} is its content hash. */
public record EndpointAssignment(String cluster, String version, List<String> sourceCommandIds,
                                 ClusterLoadAssignment assignment) {
  public EndpointAssignment {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(version, "version");
    sourceCommandIds = List.copyOf(sourceCommandIds);
  }

  public static EndpointAssignment of(ClusterLoadAssignment assignment, List<String> sourceCommandIds) {
    return new EndpointAssignment(assignment.getClusterName(), ContentHash.of(assignment), sourceCommandIds,
        assignment);
  }

  /** What a cluster gets before its first endpoints arrive: no hosts, so ADS never waits on a missing name. */
  public static EndpointAssignment empty(String cluster) {
    return of(ClusterLoadAssignment.newBuilder().setClusterName(cluster).build(), List.of());
  }
}
