package org.epicgateway.projections.audit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiPredicate;
import org.epicgateway.projections.envoy.EndpointDerivation;
import org.epicgateway.projections.envoy.EnvoyDerivation;
import org.epicgateway.projections.envoy.EnvoyRecords;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.AvroBinary;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.GatewayView;

/**
 * {@code audit rebuild}: every projection computed afresh from the log with the same pure functions, compared with
 * what the live projections hold. Aggregate states and gateway views are compared byte for byte (Avro binary, the
 * wire header aside); Envoy configuration and endpoints by their content-hash versions, which are SHA-256 over the
 * deterministic protobuf encoding. Any difference is a determinism bug, a lost or extra event, or a record forged
 * into the log after the decider wrote it.
 */
public final class Rebuild {

  /** A key whose rebuilt and live values differ, or that only one side has. */
  public record Mismatch(String projection, String key, String problem) {}

  /** Every projection rebuilt from one state of the world, each keyed as its live topic is. */
  public record Projections(Map<String, byte[]> aggregateStates, Map<String, byte[]> gatewayViews,
                            Map<String, String> envoyConfigVersions, Map<String, String> endpointVersions) {}

  private Rebuild() {}

  public static Projections project(StateAt world) {
    Map<String, byte[]> states = new TreeMap<>();
    Map<String, byte[]> views = new TreeMap<>();
    Map<String, String> configs = new TreeMap<>();
    Map<String, String> endpoints = new TreeMap<>();
    for (Map.Entry<String, AggregateState> e : world.states().entrySet()) {
      states.put(e.getKey(), AvroBinary.encode(e.getValue()));
      if (e.getKey().startsWith(AggregateType.GATEWAY.prefix() + "/")) {
        world.gatewayView(e.getKey()).ifPresent(view -> {
          views.put(e.getKey(), AvroBinary.encode(view));
          configs.put(e.getKey(), envoyVersion(view));
          EndpointDerivation.deriveEndpoints(view).forEach((cluster, assignment) ->
              endpoints.put(cluster, EnvoyRecords.endpoints(assignment, List.of()).getVersion()));
        });
      }
    }
    return new Projections(states, views, configs, endpoints);
  }

  /** A view the derivation refuses still has a rebuilt value: the refusal, which no live version equals. */
  private static String envoyVersion(GatewayView view) {
    try {
      return EnvoyDerivation.derive(view).version();
    } catch (RuntimeException e) {
      return "derivation refused: " + e.getMessage();
    }
  }

  /** Compares Avro datums with live values as stored on Kafka (Confluent wire format: 5-byte header, then the datum). */
  public static List<Mismatch> compareDatums(String projection, Map<String, byte[]> rebuilt,
                                             Map<String, byte[]> live) {
    int header = LoggedEvent.datumOffset();
    return compare(projection, rebuilt, live, (mine, theirs) ->
        theirs.length >= header && Arrays.equals(mine, 0, mine.length, theirs, header, theirs.length));
  }

  /** Compares content-hash versions. */
  public static List<Mismatch> compareVersions(String projection, Map<String, String> rebuilt,
                                               Map<String, String> live) {
    return compare(projection, rebuilt, live, Objects::equals);
  }

  private static <V> List<Mismatch> compare(String projection, Map<String, V> rebuilt, Map<String, V> live,
                                            BiPredicate<V, V> same) {
    List<Mismatch> out = new ArrayList<>();
    TreeSet<String> keys = new TreeSet<>(rebuilt.keySet());
    keys.addAll(live.keySet());
    for (String key : keys) {
      V mine = rebuilt.get(key);
      V theirs = live.get(key);
      if (mine == null) {
        out.add(new Mismatch(projection, key, "live only: the log does not produce it"));
      } else if (theirs == null) {
        out.add(new Mismatch(projection, key, "rebuilt only: missing from the live projection"));
      } else if (!same.test(mine, theirs)) {
        out.add(new Mismatch(projection, key, "values differ"));
      }
    }
    return out;
  }
}
