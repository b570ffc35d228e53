package org.epicgateway.provisioner.placement;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Golden in/out pairs of the pure placement: each case states the inputs and the exact expected assignment. */
class PlacementTest {

  private static Map<String, String> map(String... pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }

  @Test
  void spreadsOnePerNodeWherePossible() {
    assertThat(Placement.place(2, Set.of("b", "a", "c"), Map.of(), Map.of()))
        .isEqualTo(map("r0", "a", "r1", "b"));
  }

  @Test
  void neverTwoReplicasOfAGatewayOnOneNode() {
    assertThat(Placement.place(3, Set.of("a", "b"), Map.of(), Map.of()))
        .as("more replicas than nodes: one per node, the rest unplaced").isEqualTo(map("r0", "a", "r1", "b"));
    assertThat(Placement.place(2, Set.of("a", "b"), map("r0", "a", "r1", "a"), Map.of("a", 2)))
        .as("a second replica on a node (placed before this rule) moves to a node without one")
        .isEqualTo(map("r0", "a", "r1", "b"));
    assertThat(Placement.place(2, Set.of("a"), map("r0", "a", "r1", "a"), Map.of("a", 2)))
        .as("and is dropped while there is none").isEqualTo(map("r0", "a"));
  }

  @Test
  void placesTheMissingReplicasOnNodesThatJoinLater() {
    Map<String, String> alone = Placement.place(2, Set.of("a"), Map.of(), Map.of());
    assertThat(alone).as("one live node: one of two placed").isEqualTo(map("r0", "a"));
    assertThat(Placement.place(2, Set.of("a", "b"), alone, Map.of("a", 1)))
        .as("b joins: r1 goes there, r0 stays").isEqualTo(map("r0", "a", "r1", "b"));
    assertThat(Placement.place(3, Set.of("a", "b", "c"), map("r0", "a", "r1", "b"), Map.of("a", 1, "b", 1)))
        .as("a third node joins: the third replica").isEqualTo(map("r0", "a", "r1", "b", "r2", "c"));
  }

  @Test
  void prefersTheLeastLoadedNodeForANewReplica() {
    assertThat(Placement.place(2, Set.of("a", "b", "c"), Map.of(), Map.of("a", 5, "b", 1)))
        .isEqualTo(map("r0", "c", "r1", "b"));
  }

  @Test
  void keepsReplicasOnLiveNodesAndReplacesOnlyTheLostOnes() {
    assertThat(Placement.place(2, Set.of("a", "c"), map("r0", "a", "r1", "b"), Map.of("a", 1)))
        .as("b is lost: r1 moves to c, r0 stays").isEqualTo(map("r0", "a", "r1", "c"));
    assertThat(Placement.place(2, Set.of("a", "b", "c"), map("r0", "c", "r1", "a"), Map.of()))
        .as("no churn when nothing changed").isEqualTo(map("r0", "c", "r1", "a"));
  }

  @Test
  void scalesDownFromTheHighestAndUpWithTheLowestFreeNames() {
    assertThat(Placement.place(1, Set.of("a", "b"), map("r0", "a", "r1", "b"), Map.of()))
        .isEqualTo(map("r0", "a"));
    assertThat(Placement.place(3, Set.of("a", "b", "c"), map("r1", "b"), Map.of()))
        .isEqualTo(map("r0", "a", "r1", "b", "r2", "c"));
    assertThat(Placement.place(1, Set.of("a"), map("envoy-x", "a"), Map.of()))
        .as("an unknown instance name is replaced by r0").isEqualTo(map("r0", "a"));
  }

  @Test
  void nothingWithoutLiveNodesOrWantedReplicas() {
    assertThat(Placement.place(2, Set.of(), map("r0", "a"), Map.of())).isEmpty();
    assertThat(Placement.place(0, Set.of("a"), map("r0", "a"), Map.of())).isEmpty();
  }
}
