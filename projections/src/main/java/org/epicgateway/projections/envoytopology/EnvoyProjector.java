package org.epicgateway.projections.envoytopology;

import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.epicgateway.projections.envoy.EndpointDerivation;
import org.epicgateway.projections.envoy.EnvoyDerivation;
import org.epicgateway.projections.envoy.EnvoyRecords;
import org.epicgateway.projections.streams.DeadLetters;
import org.epicgateway.projections.streams.OutputRefused;
import org.epicgateway.projections.streams.RecordLimit;
import org.epicgateway.projections.viewtopology.GatewayViewTopology;
import org.epicgateway.schemas.AvroBinary;
import org.epicgateway.schemas.avro.EndpointAssignment;
import org.epicgateway.schemas.avro.EnvoyConfigSnapshot;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.RejectionCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wiring only: calls the pure derivations, skips what did not change (by the stores), routes to the two sinks.
 * Everything is derived and checked against {@link RecordLimit} before anything is written: a view whose derivation
 * fails or is too large goes to epic.dlq with the reason and the gateway keeps its last configuration.
 */
final class EnvoyProjector implements Processor<String, GatewayView, String, SpecificRecord> {
  private static final Logger LOG = LoggerFactory.getLogger(EnvoyProjector.class);

  private ProcessorContext<String, SpecificRecord> context;
  private KeyValueStore<String, String> configInputs;
  private KeyValueStore<String, String> endpointVersions;

  /** What one view writes: the config when its input changed (else null), and the changed endpoint assignments. */
  private record Plan(String input, EnvoyConfigSnapshot config, Map<String, EndpointAssignment> endpoints) {}

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
    Plan plan;
    try {
      plan = plan(gatewayId, view, commandIds(record));
    } catch (OutputRefused e) {
      refuse(record, e.code(), e.getMessage(), e);
      return;
    } catch (RuntimeException e) {
      refuse(record, RejectionCode.UNPROCESSABLE, "the Envoy derivation failed on this view (" + e + ")", e);
      return;
    }
    if (plan.config() != null) {
      context.forward(record.withValue(plan.config()), EnvoyTopology.CONFIG_SINK);
      configInputs.put(gatewayId, plan.input());
    }
    plan.endpoints().forEach((cluster, assignment) -> {
      context.forward(record.withKey(cluster).withValue(assignment), EnvoyTopology.ENDPOINTS_SINK);
      endpointVersions.put(cluster, assignment.getVersion());
    });
  }

  private Plan plan(String gatewayId, GatewayView view, List<String> commandIds) throws OutputRefused {
    String input = sha256(AvroBinary.encode(EnvoyRecords.withoutEndpointAddresses(view)));
    EnvoyConfigSnapshot config = null;
    if (!input.equals(configInputs.get(gatewayId))) {
      config = EnvoyRecords.config(EnvoyDerivation.derive(view), commandIds);
      RecordLimit.check("the Envoy configuration of " + gatewayId, gatewayId, config);
    }
    Map<String, EndpointAssignment> endpoints = new LinkedHashMap<>();
    for (Map.Entry<String, ClusterLoadAssignment> e : EndpointDerivation.deriveEndpoints(view).entrySet()) {
      EndpointAssignment assignment = EnvoyRecords.endpoints(e.getValue(), commandIds);
      if (!assignment.getVersion().equals(endpointVersions.get(e.getKey()))) {
        RecordLimit.check("the endpoints of cluster " + e.getKey(), e.getKey(), assignment);
        endpoints.put(e.getKey(), assignment);
      }
    }
    return new Plan(input, config, endpoints);
  }

  private void refuse(Record<String, GatewayView> record, RejectionCode code, String reason, Exception cause) {
    String message = DeadLetters.cut(reason + "; the gateway keeps its last Envoy configuration");
    LOG.error("envoy projection refused the view of {} ({}): {}", record.key(), code, message, cause);
    context.forward(record.withHeaders(DeadLetters.headers(record.headers(), context, code.name(), cause, message)),
        EnvoyTopology.DLQ_SINK);
  }

  /** Every command the view covers: several when the view projection coalesced their events. */
  private static List<String> commandIds(Record<String, GatewayView> record) {
    List<String> ids = new ArrayList<>();
    for (Header header : record.headers().headers(GatewayViewTopology.COMMAND_ID_HEADER)) {
      ids.add(new String(header.value(), StandardCharsets.UTF_8));
    }
    return ids;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
