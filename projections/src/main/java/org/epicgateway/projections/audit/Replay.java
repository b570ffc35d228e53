package org.epicgateway.projections.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import org.apache.avro.generic.IndexedRecord;
import org.epicgateway.projections.envoy.EnvoyConfig;
import org.epicgateway.projections.envoy.EnvoyDerivation;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.json.AvroJson;

/**
 * {@code audit replay}: the world as it was at an instant, as JSON: every live aggregate in scope with its version and
 * resource, and for every gateway in scope the Envoy configuration the projections derive from its view then.
 */
public final class Replay {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Replay() {}

  public static ObjectNode snapshot(StateAt world, AuditScope scope) {
    Set<String> members = scope.members(world);
    ObjectNode out = NODES.objectNode();
    out.put("at", world.at().toString());
    out.put("eventsFolded", world.eventsFolded());
    ArrayNode aggregates = out.putArray("aggregates");
    ArrayNode gateways = out.putArray("gateways");
    for (Map.Entry<String, AggregateState> e : world.states().entrySet()) {
      AggregateState state = e.getValue();
      if (state.getDeleted() || !scope.covers(e.getKey(), members)) {
        continue;
      }
      aggregates.add(aggregate(state));
      if (e.getKey().startsWith(AggregateType.GATEWAY.prefix() + "/")) {
        gateways.add(envoy(e.getKey(), world));
      }
    }
    return out;
  }

  static ObjectNode aggregate(AggregateState state) {
    ObjectNode node = NODES.objectNode();
    node.put("aggregateId", state.getAggregateId());
    node.put("version", state.getVersion());
    node.put("updatedAt", state.getUpdatedAt().toString());
    node.set("resource", AvroJson.toJson((IndexedRecord) state.getResource()));
    return node;
  }

  /** The gateway's derived Envoy configuration, or the derivation's error (a replay must show a bad past too). */
  private static ObjectNode envoy(String gatewayId, StateAt world) {
    ObjectNode node = NODES.objectNode();
    node.put("gatewayId", gatewayId);
    world.gatewayView(gatewayId).ifPresent(view -> {
      try {
        EnvoyConfig config = EnvoyDerivation.derive(view);
        node.put("envoyVersion", config.version());
        node.set("envoy", parse(config.toJson()));
      } catch (RuntimeException e) {
        node.put("envoyError", String.valueOf(e.getMessage()));
      }
    });
    return node;
  }

  private static JsonNode parse(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
