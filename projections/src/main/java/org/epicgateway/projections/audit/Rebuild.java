package org.epicgateway.projections.audit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.epicgateway.projections.state.GatewayViews;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.AvroBinary;
import org.epicgateway.schemas.avro.AggregateState;

/**
 * {@code audit rebuild}: every projection computed afresh from the log with the same pure functions, compared byte for
 * byte (Avro binary, the wire header aside) with what the live projections hold. Any difference is a determinism bug,
 * a lost or extra event, or a record forged into the log after the decider wrote it.
 */
public final class Rebuild {

  /** A key whose rebuilt and live values differ, or that only one side has. */
  public record Mismatch(String projection, String key, String problem) {}

  private Rebuild() {}

  /** Rebuilt projections by name: the aggregate states and the gateway views, each keyed as its live topic is. */
  public static Map<String, Map<String, byte[]>> project(StateAt world) {
    Map<String, byte[]> states = new TreeMap<>();
    Map<String, byte[]> views = new TreeMap<>();
    for (Map.Entry<String, AggregateState> e : world.states().entrySet()) {
      states.put(e.getKey(), AvroBinary.encode(e.getValue()));
      if (e.getKey().startsWith(AggregateType.GATEWAY.prefix() + "/")) {
        GatewayViews.view(e.getKey(), world).ifPresent(v -> views.put(e.getKey(), AvroBinary.encode(v)));
      }
    }
    return Map.of("aggregate-state", states, "gateway-state", views);
  }

  /**
   * Compares one projection. {@code live} values are as stored on Kafka (Confluent wire format); the comparison is on
   * the Avro datum after the 5-byte header, since the schema id is the registry's, not the projection's.
   */
  public static List<Mismatch> compare(String projection, Map<String, byte[]> rebuilt, Map<String, byte[]> live) {
    List<Mismatch> out = new ArrayList<>();
    TreeSet<String> keys = new TreeSet<>(rebuilt.keySet());
    keys.addAll(live.keySet());
    int header = LoggedEvent.datumOffset();
    for (String key : keys) {
      byte[] mine = rebuilt.get(key);
      byte[] theirs = live.get(key);
      if (mine == null) {
        out.add(new Mismatch(projection, key, "live only: the log does not produce it"));
      } else if (theirs == null) {
        out.add(new Mismatch(projection, key, "rebuilt only: missing from the live projection"));
      } else if (theirs.length < header
          || !Arrays.equals(mine, 0, mine.length, theirs, header, theirs.length)) {
        out.add(new Mismatch(projection, key, "values differ (" + mine.length + " bytes rebuilt, "
            + Math.max(theirs.length - header, 0) + " bytes live)"));
      }
    }
    return out;
  }
}
