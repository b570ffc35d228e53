package org.epicgateway.projections.decider;

import java.util.Set;
import java.util.OptionalLong;

/**
 * Tunnel-id allocation for one (EPIC node, client node) pair. An id must be free on both nodes: the EPIC node's
 * encap looks tunnels up by id, and the client node's decap learns each flow's way back by id, so two EPIC nodes
 * must never reach one client node with the same id. The lowest free id is taken, as pools take the first free
 * address, so a replay allocates the same ids.
 */
public final class TunnelIds {
  /** The transport agent's tunnel map holds 65535 entries; a node may report fewer (NodeHeartbeat.tunnelCapacity). */
  public static final int DEFAULT_CAPACITY = 65_535;

  private TunnelIds() {}

  /**
   * @param capacity the smaller tunnel capacity of the two nodes
   * @param used every id either node already uses
   * @return the lowest id in 1..capacity not in {@code used}, or empty when all are taken
   */
  public static OptionalLong lowestFree(int capacity, Set<Long> used) {
    for (long id = 1; id <= capacity; id++) {
      if (!used.contains(id)) {
        return OptionalLong.of(id);
      }
    }
    return OptionalLong.empty();
  }

  public static int capacity(Integer reported) {
    return reported == null ? DEFAULT_CAPACITY : reported;
  }
}
