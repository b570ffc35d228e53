package org.epicgateway.xds.snapshots;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.epicgateway.projections.envoy.EnvoyRecords;
import org.epicgateway.schemas.avro.EnvoyConfigSnapshot;

/** Reads the records of epic.envoy-config and epic.envoy-endpoints back into Envoy resources, and archives revisions. */
public final class EnvoyRecordCodec {
  private EnvoyRecordCodec() {}

  /** The revision; SDS secrets are not on Kafka, only their names (served from the certificate store). */
  public static GatewayConfig config(EnvoyConfigSnapshot record) {
    String where = "epic.envoy-config record of " + record.getGatewayId();
    return new GatewayConfig(record.getGatewayId(), record.getVersion(), record.getSourceCommandIds(),
        unpack(record.getListeners(), Listener.class, where),
        unpack(record.getRouteConfigurations(), RouteConfiguration.class, where),
        unpack(record.getClusters(), Cluster.class, where),
        record.getSecretNames());
  }

  /** A revision as the record it came in (for the revision archive). */
  public static EnvoyConfigSnapshot record(GatewayConfig config) {
    return EnvoyConfigSnapshot.newBuilder()
        .setGatewayId(config.gatewayId())
        .setVersion(config.version())
        .setSourceCommandIds(config.sourceCommandIds())
        .setListeners(config.listeners().stream().map(EnvoyRecords::any).toList())
        .setRouteConfigurations(config.routes().stream().map(EnvoyRecords::any).toList())
        .setClusters(config.clusters().stream().map(EnvoyRecords::any).toList())
        .setSecretNames(config.secretNames())
        .build();
  }

  public static EndpointAssignment endpoints(org.epicgateway.schemas.avro.EndpointAssignment record) {
    String where = "epic.envoy-endpoints record of " + record.getCluster();
    ClusterLoadAssignment cla = unpack(List.of(record.getClusterLoadAssignment()), ClusterLoadAssignment.class, where)
        .get(0);
    return new EndpointAssignment(record.getCluster(), record.getVersion(), record.getSourceCommandIds(), cla);
  }

  private static <T extends Message> List<T> unpack(List<ByteBuffer> resources, Class<T> type, String where) {
    List<T> out = new ArrayList<>(resources.size());
    for (ByteBuffer b : resources) {
      try {
        out.add(Any.parseFrom(b.duplicate()).unpack(type));
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalArgumentException(where + ": not an Any(" + type.getSimpleName() + "): " + e.getMessage(), e);
      }
    }
    return out;
  }
}
