package org.epicgateway.projections.decider;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.epicgateway.schemas.avro.Actor;
import org.epicgateway.schemas.avro.ActorKind;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.MarkNodeLost;
import org.epicgateway.schemas.avro.NodeHeartbeat;
import org.epicgateway.schemas.avro.NodeJoined;
import org.epicgateway.schemas.avro.NodeKind;
import org.epicgateway.schemas.avro.NodeLost;
import org.epicgateway.schemas.avro.NodeState;
import org.epicgateway.schemas.avro.NodeUpdated;
import org.epicgateway.schemas.avro.PlacementState;
import org.epicgateway.schemas.avro.RejectionCode;
import org.epicgateway.schemas.avro.ReplicaLost;
import org.epicgateway.schemas.avro.ReplicaPlaced;
import org.epicgateway.schemas.avro.ReplicaProblem;
import org.epicgateway.schemas.avro.ReplicaReady;
import org.epicgateway.schemas.avro.ReplicaState;
import org.epicgateway.schemas.avro.ReportAgentApplyFailed;
import org.epicgateway.schemas.avro.ReportReplicaLost;
import org.epicgateway.schemas.avro.ReportReplicaPlaced;
import org.epicgateway.schemas.avro.ReportReplicaReady;
import org.epicgateway.schemas.avro.ReportTunnelRemoteLearned;
import org.epicgateway.schemas.avro.RequireTunnels;
import org.epicgateway.schemas.avro.TunnelAllocated;
import org.epicgateway.schemas.avro.TunnelFreed;
import org.epicgateway.schemas.avro.TunnelRemoteLearned;
import org.epicgateway.schemas.avro.TunnelState;
import org.junit.jupiter.api.Test;

/** Nodes join by heartbeat, are lost by the watcher's command, host replicas, and get tunnel ids from one writer. */
class NodeDecisionsTest {
  private static final Actor AGENT = new Actor(ActorKind.AGENT, "agent", null);
  private static final String GATEWAY = "gateway/acme/default/web";
  private static final String PLACEMENT = "placement/acme/default/web";

  private final Commands c = new Commands();
  private final MapLookup store = new MapLookup();

  private Decision submit(String target, Object payload) {
    CommandEnvelope command = c.envelope(target, null, payload);
    command.setActor(AGENT);
    return store.submit(command);
  }

  private List<Object> payloads(Decision d) {
    assertThat(d.rejection()).isNull();
    return d.events().stream().map(EventEnvelope::getPayload).map(Object.class::cast).toList();
  }

  private void rejected(Decision d, RejectionCode code, String field, String messagePart) {
    assertThat(d.accepted()).isFalse();
    assertThat(d.rejection().getCode()).isEqualTo(code);
    assertThat(d.rejection().getField()).isEqualTo(field);
    assertThat(d.rejection().getMessage()).contains(messagePart);
    assertThat(d.events()).isEmpty();
  }

  private static NodeHeartbeat beat(String node, NodeKind kind, String address, Integer capacity) {
    return new NodeHeartbeat(node, kind, List.of(address), "eth0", null, capacity);
  }

  private NodeState node(String name) {
    return (NodeState) store.states.get("node/" + name).getResource();
  }

  @Test
  void heartbeatsEmitOnlyWhenSomethingChanges() {
    NodeHeartbeat first = beat("epic-a", NodeKind.EPIC, "192.0.2.1", null);
    assertThat(payloads(submit("node/epic-a", first))).containsExactly(
        new NodeJoined("epic-a", NodeKind.EPIC, List.of("192.0.2.1"), "eth0", null, null));
    assertThat(payloads(submit("node/epic-a", first))).isEmpty();
    assertThat(payloads(submit("node/epic-a", beat("epic-a", NodeKind.EPIC, "192.0.2.9", null)))).containsExactly(
        new NodeUpdated("epic-a", NodeKind.EPIC, List.of("192.0.2.9"), "eth0", null, null));
    assertThat(store.states.get("node/epic-a").getVersion()).isEqualTo(2);

    assertThat(payloads(submit("node/epic-a", new MarkNodeLost("epic-a", null, 15_000L))))
        .containsExactly(new NodeLost("epic-a", null, 15_000L));
    assertThat(node("epic-a").getLost()).isTrue();
    assertThat(payloads(submit("node/epic-a", new MarkNodeLost("epic-a", null, 30_000L)))).isEmpty();
    // The first heartbeat after a loss is a join again, even when nothing else changed.
    assertThat(payloads(submit("node/epic-a", beat("epic-a", NodeKind.EPIC, "192.0.2.9", null)))).containsExactly(
        new NodeJoined("epic-a", NodeKind.EPIC, List.of("192.0.2.9"), "eth0", null, null));
    assertThat(node("epic-a").getLost()).isFalse();
  }

  @Test
  void badHeartbeatsNameTheField() {
    rejected(submit("node/epic-a", new NodeHeartbeat("epic-a", NodeKind.EPIC, List.of(), "eth0", null, null)),
        RejectionCode.VALIDATION, "addresses", "at least one IPv4");
    rejected(submit("node/epic-a", beat("epic-a", NodeKind.EPIC, "2001:db8::1", null)),
        RejectionCode.VALIDATION, "addresses[0]", "must be IPv4");
    rejected(submit("node/epic-a", new NodeHeartbeat("epic-a", NodeKind.EPIC, List.of("192.0.2.1"),
        "a-very-long-interface", null, null)), RejectionCode.VALIDATION, "uplinkInterface", "Linux interface name");
    rejected(submit("node/epic-a", beat("epic-a", NodeKind.EPIC, "192.0.2.1", 0)),
        RejectionCode.VALIDATION, "tunnelCapacity", "must be 1..65535");
    rejected(submit("node/other", beat("epic-a", NodeKind.EPIC, "192.0.2.1", null)),
        RejectionCode.VALIDATION, "targetAggregateId", "does not match");
    rejected(submit("node/epic-a", new MarkNodeLost("epic-a", null, 1L)),
        RejectionCode.NOT_FOUND, "node", "node 'epic-a' is unknown (it never sent a heartbeat)");
    CommandEnvelope byUser = c.envelope("node/epic-a", null, beat("epic-a", NodeKind.EPIC, "192.0.2.1", null));
    rejected(store.submit(byUser), RejectionCode.FORBIDDEN, "actor", "only an agent reports heartbeats");
    assertThat(store.states).isEmpty();
  }

  @Test
  void replicasArePlacedOnEpicNodesBecomeReadyAndAreLostOnce() {
    submit("node/epic-a", beat("epic-a", NodeKind.EPIC, "192.0.2.1", null));
    submit("node/client-1", beat("client-1", NodeKind.CLIENT, "198.51.100.1", null));

    assertThat(payloads(submit(PLACEMENT, new ReportReplicaPlaced(GATEWAY, "r0", "epic-a", "local", "veth-r0"))))
        .containsExactly(new ReplicaPlaced(GATEWAY, "r0", "epic-a", "local", "veth-r0"));
    assertThat(payloads(submit(PLACEMENT, new ReportReplicaPlaced(GATEWAY, "r0", "epic-a", "local", "veth-r0"))))
        .isEmpty();
    assertThat(payloads(submit(PLACEMENT, new ReportReplicaReady(GATEWAY, "r0", "epic-a"))))
        .containsExactly(new ReplicaReady(GATEWAY, "r0", "epic-a"));
    assertThat(store.states.get(PLACEMENT).getResource()).isEqualTo(new PlacementState(GATEWAY,
        List.of(new ReplicaState("r0", "epic-a", "local", "veth-r0", true)), null));
    assertThat(payloads(submit(PLACEMENT, new ReportReplicaLost(GATEWAY, "r0", "epic-a", "node lost"))))
        .containsExactly(new ReplicaLost(GATEWAY, "r0", "epic-a", "node lost"));
    assertThat(payloads(submit(PLACEMENT, new ReportReplicaLost(GATEWAY, "r0", "epic-a", "node lost")))).isEmpty();
    assertThat(((PlacementState) store.states.get(PLACEMENT).getResource()).getReplicas()).isEmpty();
    // What the gateway's status shows until that replica is ready again.
    assertThat(((PlacementState) store.states.get(PLACEMENT).getResource()).getProblem())
        .isEqualTo(new ReplicaProblem("r0", "epic-a", "node lost"));
    submit(PLACEMENT, new ReportReplicaPlaced(GATEWAY, "r0", "epic-a", "local", null));
    submit(PLACEMENT, new ReportReplicaReady(GATEWAY, "r0", "epic-a"));
    assertThat(((PlacementState) store.states.get(PLACEMENT).getResource()).getProblem()).isNull();

    rejected(submit(PLACEMENT, new ReportReplicaPlaced(GATEWAY, "r1", "client-1", "local", null)),
        RejectionCode.VALIDATION, "node", "replicas run on EPIC nodes");
    rejected(submit(PLACEMENT, new ReportReplicaPlaced(GATEWAY, "r1", "nowhere", "local", null)),
        RejectionCode.NOT_FOUND, "node", "node 'nowhere' is unknown");
    rejected(submit(PLACEMENT, new ReportReplicaReady(GATEWAY, "r1", "epic-a")),
        RejectionCode.NOT_FOUND, "instance", "is not placed on node 'epic-a'");
    rejected(submit("placement/acme/default/other", new ReportReplicaPlaced(GATEWAY, "r1", "epic-a", "local", null)),
        RejectionCode.VALIDATION, "targetAggregateId", "does not match");
  }

  @Test
  void tunnelIdsAreUniqueOnBothNodesFreedWhenUnusedAndExhaustionIsAClearRejection() {
    submit("node/epic-a", beat("epic-a", NodeKind.EPIC, "192.0.2.1", null));
    submit("node/epic-b", beat("epic-b", NodeKind.EPIC, "192.0.2.2", null));
    submit("node/client-1", beat("client-1", NodeKind.CLIENT, "198.51.100.1", null));
    submit("node/client-2", beat("client-2", NodeKind.CLIENT, "198.51.100.2", 2));

    assertThat(payloads(submit("node/epic-a", new RequireTunnels("epic-a", List.of("client-2", "client-1")))))
        .containsExactly(new TunnelAllocated("epic-a", "client-1", 1L), new TunnelAllocated("epic-a", "client-2", 2L));
    // epic-b's first free id is 1, but client-1 already reaches epic-a through tunnel 1.
    assertThat(payloads(submit("node/epic-b", new RequireTunnels("epic-b", List.of("client-1")))))
        .containsExactly(new TunnelAllocated("epic-b", "client-1", 2L));
    assertThat(payloads(submit("node/epic-b", new RequireTunnels("epic-b", List.of("client-1"))))).isEmpty();
    // epic-b uses 2 (to client-1) and client-2 uses 2 (from epic-a): 1 is the lowest id free on both.
    assertThat(payloads(submit("node/epic-b", new RequireTunnels("epic-b", List.of("client-1", "client-2")))))
        .containsExactly(new TunnelAllocated("epic-b", "client-2", 1L));

    submit("node/epic-c", beat("epic-c", NodeKind.EPIC, "192.0.2.3", null));
    rejected(submit("node/epic-c", new RequireTunnels("epic-c", List.of("client-2"))),
        RejectionCode.TUNNELS_EXHAUSTED, "clientNodes",
        "no tunnel id in 1..2 is free on both EPIC node 'epic-c' and client node 'client-2'");
    assertThat(node("epic-c").getTunnels()).isEmpty();

    assertThat(payloads(submit("node/epic-a", new ReportTunnelRemoteLearned("epic-a", 1L, "203.0.113.7", 40000))))
        .containsExactly(new TunnelRemoteLearned("epic-a", 1L, "203.0.113.7", 40000));
    assertThat(payloads(submit("node/epic-a", new ReportTunnelRemoteLearned("epic-a", 1L, "203.0.113.7", 40000))))
        .isEmpty();
    assertThat(payloads(submit("node/epic-a", new RequireTunnels("epic-a", List.of("client-1")))))
        .containsExactly(new TunnelFreed("epic-a", "client-2", 2L));
    assertThat(node("epic-a").getTunnels()).containsExactly(new TunnelState(1L, "client-1", "203.0.113.7", 40000));
    // The freed id is free again for the exhausted pair.
    assertThat(payloads(submit("node/epic-c", new RequireTunnels("epic-c", List.of("client-2")))))
        .containsExactly(new TunnelAllocated("epic-c", "client-2", 2L));

    rejected(submit("node/epic-a", new RequireTunnels("epic-a", List.of("ghost"))),
        RejectionCode.NOT_FOUND, "clientNodes[0]", "node 'ghost' is unknown");
    rejected(submit("node/epic-a", new RequireTunnels("epic-a", List.of("epic-b"))),
        RejectionCode.VALIDATION, "clientNodes[0]", "'epic-b' is an EPIC node");
    rejected(submit("node/epic-a", new ReportTunnelRemoteLearned("epic-a", 9L, "203.0.113.7", 1)),
        RejectionCode.NOT_FOUND, "tunnelId", "node 'epic-a' has no tunnel 9");
    rejected(submit("node/epic-a", new ReportAgentApplyFailed("epic-a", "dns", null, "x")),
        RejectionCode.VALIDATION, "what", "'dns' is not one of");
    assertThat(Map.of("a", node("epic-a").getTunnels().size(), "b", node("epic-b").getTunnels().size()))
        .isEqualTo(Map.of("a", 1, "b", 2));
  }
}
