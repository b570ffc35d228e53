package org.epicgateway.transport.reconcile;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** The writes that turn one map's current entries into the desired ones: entries to put, keys to delete. */
public record Changes<K, V>(Map<K, V> puts, Set<K> deletes) {
  public Changes {
    puts = Map.copyOf(puts);
    deletes = Set.copyOf(deletes);
  }

  /** Puts for new or different values, deletes for keys that are no longer desired; equal entries are not touched. */
  public static <K, V> Changes<K, V> between(Map<K, V> desired, Map<K, V> current) {
    Map<K, V> puts = new HashMap<>();
    desired.forEach((k, v) -> {
      if (!Objects.equals(current.get(k), v)) puts.put(k, v);
    });
    Set<K> deletes = new HashSet<>(current.keySet());
    deletes.removeAll(desired.keySet());
    return new Changes<>(puts, deletes);
  }

  public boolean isEmpty() {
    return puts.isEmpty() && deletes.isEmpty();
  }
}
