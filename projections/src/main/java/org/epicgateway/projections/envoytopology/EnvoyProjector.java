package org.epicgateway.projections.envoytopology;

import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.epicgateway.projections.envoy.EndpointDerivation;
import org.epicgateway.projections.envoy.EnvoyConfig;
import org.epicgateway.projections.envoy.EnvoyDerivation;
import org.epicgateway.projections.viewtopology.GatewayViewTopology;
import org.epicgateway.schemas.AvroBinary;
import org.epicgateway.schemas.avro.GatewayView;

/** Wiring only: calls the pure derivations, skips what did not change (by the stores), routes to the two sinks. */
final class EnvoyProjector implements Processor<String, GatewayView, String, SpecificRecord> {
  private ProcessorContext<String, SpecificRecord> context;
  private KeyValueStore<String, String> configInputs;
  private KeyValueStore<String, String> endpointVersions;

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    this.configInputs = context.getStateStore(EnvoyTopology.CONFIG_INPUTS);
    this.endpointVersions = context.getStateStore(EnvoyTopology.ENDPOINT_VERSIONS);
  }

  @Override
  public void process(Record<String, GatewayView> record) {
    String gatewayId = record.key();
    GatewayView view = record.value();
    if (view == null) {
      configInputs.delete(gatewayId);
      context.forward(record.withValue((SpecificRecord) null), EnvoyTopology.CONFIG_SINK);
      return;
    }
    List<String> commandIds = commandIds(record);
    String input = sha256(AvroBinary.encode(EnvoyRecords.withoutEndpointAddresses(view)));
    if (!input.equals(configInputs.get(gatewayId))) {
      EnvoyConfig config = EnvoyDerivation.derive(view);
      context.forward(record.withValue(EnvoyRecords.config(config, commandIds)), EnvoyTopology.CONFIG_SINK);
      configInputs.put(gatewayId, input);
    }
    for (Map.Entry<String, ClusterLoadAssignment> e : EndpointDerivation.deriveEndpoints(view).entrySet()) {
      var assignment = EnvoyRecords.endpoints(e.getValue(), commandIds);
      if (!assignment.getVersion().equals(endpointVersions.get(e.getKey()))) {
        context.forward(record.withKey(e.getKey()).withValue(assignment), EnvoyTopology.ENDPOINTS_SINK);
        endpointVersions.put(e.getKey(), assignment.getVersion());
      }
    }
  }

  private static List<String> commandIds(Record<String, GatewayView> record) {
    Header header = record.headers().lastHeader(GatewayViewTopology.COMMAND_ID_HEADER);
    return header == null ? List.of() : List.of(new String(header.value(), StandardCharsets.UTF_8));
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
