package org.epicgateway.projections.envoy;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import java.nio.ByteBuffer;
import java.util.List;
import org.epicgateway.schemas.avro.EndpointAssignment;
import org.epicgateway.schemas.avro.EndpointSliceState;
import org.epicgateway.schemas.avro.EnvoyConfigSnapshot;
import org.epicgateway.schemas.avro.GatewayView;

/**
 * The derived Envoy configuration as the records of epic.envoy-config and epic.envoy-endpoints: resources as
 * {@code Any} in deterministic protobuf bytes, so equal derivations give byte-identical records.
 */
public final class EnvoyRecords {
  private EnvoyRecords() {}

  public static EnvoyConfigSnapshot config(EnvoyConfig config, List<String> sourceCommandIds) {
    return EnvoyConfigSnapshot.newBuilder()
        .setGatewayId(config.gatewayId())
        .setVersion(config.version())
        .setSourceCommandIds(List.copyOf(sourceCommandIds))
        .setListeners(config.listeners().stream().map(EnvoyRecords::any).toList())
        .setRouteConfigurations(config.routeConfigurations().stream().map(EnvoyRecords::any).toList())
        .setClusters(config.clusters().stream().map(EnvoyRecords::any).toList())
        .setSecretNames(List.copyOf(config.secretNames()))
        .build();
  }

  public static EndpointAssignment endpoints(ClusterLoadAssignment assignment, List<String> sourceCommandIds) {
    return EndpointAssignment.newBuilder()
        .setCluster(assignment.getClusterName())
        .setVersion(EnvoyConfig.resourceVersion(assignment))
        .setSourceCommandIds(List.copyOf(sourceCommandIds))
        .setClusterLoadAssignment(any(assignment))
        .build();
  }

  /**
   * What the listener/route/cluster derivation reads of a view: everything but the endpoint addresses (slices stay,
   * with their ports, because backends resolve through them). Equal for two views that differ only in endpoints,
   * which is how an endpoint change skips that derivation.
   */
  public static GatewayView withoutEndpointAddresses(GatewayView view) {
    return GatewayView.newBuilder(view)
        .setEndpointSlices(view.getEndpointSlices().stream()
            .map(s -> EndpointSliceState.newBuilder(s).setEndpoints(List.of()).build())
            .toList())
        .build();
  }

  /** One resource as the bytes of an {@code Any} holding its deterministic encoding. */
  public static ByteBuffer any(Message resource) {
    Any any = Any.newBuilder()
        .setTypeUrl("type.googleapis.com/" + resource.getDescriptorForType().getFullName())
        .setValue(com.google.protobuf.ByteString.copyFrom(EnvoyConfig.deterministicBytes(resource)))
        .build();
    return ByteBuffer.wrap(any.toByteArray());
  }
}
