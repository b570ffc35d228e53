package org.epicgateway.provisioner.placement;

import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Where a gateway's replicas run: a pure function of the wanted count, the live EPIC nodes, the replicas already
 * placed and how loaded each node is. Rules, in order:
 * <ol>
 *   <li>At most one replica of a gateway per node. A node announces the gateway's address once and routes it to
 *   one replica, so a second replica there adds no next hop and receives no traffic; with fewer live nodes than
 *   wanted replicas, fewer are placed, and the missing ones are placed as nodes join.</li>
 *   <li>A replica stays where it is while its node is live and the count still wants it (no churn: moving a replica
 *   drops its connections and its node's advert).</li>
 *   <li>Instances are named {@code r0, r1, ...}; the lowest free names are used first, the highest are removed first
 *   when the count shrinks.</li>
 *   <li>A new replica goes to a node without a replica of this gateway (every node announcing the address is one
 *   more ECMP next hop and one less shared failure): the node with the fewest replicas of all gateways, then by
 *   name.</li>
 * </ol>
 * Deterministic: equal inputs give equal outputs, whichever order maps iterate in.
 */
public final class Placement {
  private Placement() {}

  /**
   * @param replicas  how many replicas the template wants (0 when the gateway is gone)
   * @param liveNodes the EPIC nodes that are not lost
   * @param current   instance → node of the replicas already placed (on live or lost nodes)
   * @param load      node → replicas of all gateways on it (a node missing here has none)
   * @return instance → node: {@code min(replicas, liveNodes)} entries, each on a node of its own
   */
  public static Map<String, String> place(int replicas, Set<String> liveNodes, Map<String, String> current,
      Map<String, Integer> load) {
    Map<String, String> result = new TreeMap<>(Comparator.comparingInt(Placement::index)
        .thenComparing(Comparator.naturalOrder()));
    int placeable = Math.min(replicas, liveNodes.size());
    Set<String> used = new HashSet<>();
    // Keep the lowest-numbered replicas that sit on live nodes, one per node, up to the count.
    current.entrySet().stream()
        .filter(e -> liveNodes.contains(e.getValue()) && index(e.getKey()) >= 0)
        .sorted(Comparator.comparingInt((Map.Entry<String, String> e) -> index(e.getKey())))
        .forEach(e -> {
          if (result.size() < placeable && used.add(e.getValue())) {
            result.put(e.getKey(), e.getValue());
          }
        });
    Map<String, Integer> all = new HashMap<>(load);
    Comparator<String> preference = Comparator.comparingInt((String n) -> all.getOrDefault(n, 0))
        .thenComparing(Comparator.naturalOrder());
    TreeSet<String> free = new TreeSet<>(liveNodes);
    free.removeAll(used);
    for (int i = 0; result.size() < placeable; i++) {
      String instance = "r" + i;
      if (result.containsKey(instance)) {
        continue;
      }
      String node = free.stream().min(preference).orElseThrow();
      result.put(instance, node);
      free.remove(node);
      all.merge(node, 1, Integer::sum);
    }
    return result;
  }

  /** The number of an instance name {@code r<n>}; -1 for any other name (such a replica is replaced). */
  static int index(String instance) {
    if (instance.length() < 2 || instance.charAt(0) != 'r') {
      return -1;
    }
    try {
      return Integer.parseInt(instance.substring(1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
