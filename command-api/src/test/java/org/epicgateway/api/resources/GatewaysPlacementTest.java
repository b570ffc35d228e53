package org.epicgateway.api.resources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.PlacementState;
import org.epicgateway.schemas.avro.ReplicaProblem;
import org.epicgateway.schemas.avro.ReplicaState;
import org.junit.jupiter.api.Test;

/** Golden in/out pairs of a gateway's {@code placement} answer: how many of how many are placed, and why. */
class GatewaysPlacementTest {
    private static final String GATEWAY = "gateway/acme/default/web";

    private static Optional<AggregateState> placed(ReplicaProblem problem, ReplicaState... replicas) {
        return Optional.of(AggregateState.newBuilder().setAggregateId("placement/acme/default/web")
            .setAggregateType("placement").setVersion(1L).setLastHash(ByteBuffer.allocate(0))
            .setUpdatedAt(Instant.EPOCH).setDeleted(false)
            .setResource(new PlacementState(GATEWAY, List.of(replicas), problem)).build());
    }

    private static String json(String single) throws Exception {
        return new ObjectMapper().readTree(single.replace('\'', '"')).toString();
    }

    @Test
    void allPlaced() throws Exception {
        assertThat(Gateways.placement(placed(null, new ReplicaState("r0", "a", "local", null, true),
            new ReplicaState("r1", "b", "local", null, false)), 2, () -> {
                throw new AssertionError("nodes are counted only when replicas are missing");
            }).toString()).isEqualTo(json("""
                {'replicas':[{'instance':'r0','node':'a','provider':'local','ready':true},
                {'instance':'r1','node':'b','provider':'local','ready':false}],
                'readyReplicas':1,'placedReplicas':2,'wantedReplicas':2,'unplaced':null,'problem':null}"""));
    }

    @Test
    void fewerLiveEpicNodesThanWantedReplicas() throws Exception {
        assertThat(Gateways.placement(placed(null, new ReplicaState("r0", "a", "local", null, true)), 2, () -> 1)
            .toString()).isEqualTo(json("""
                {'replicas':[{'instance':'r0','node':'a','provider':'local','ready':true}],
                'readyReplicas':1,'placedReplicas':1,'wantedReplicas':2,
                'unplaced':'1 of 2 replicas placed: 1 live EPIC node and at most one replica of a gateway per node; the others are placed as EPIC nodes join',
                'problem':null}"""));
        assertThat(Gateways.placement(Optional.empty(), 3, () -> 0).get("unplaced").asText())
            .as("no replica tells the provider: the node rule is the local provider's, not a known cause")
            .isEqualTo("0 of 3 replicas placed: 0 live EPIC nodes; the local provider places at most one replica of"
                + " a gateway per node, the others as EPIC nodes join (the Kubernetes provider leaves placement to the"
                + " cluster's scheduler)");
    }

    @Test
    void theKubernetesProviderLeavesPlacementToTheScheduler() throws Exception {
        assertThat(Gateways.placement(placed(null, new ReplicaState("r0", "epic-web-7d9f", "kubernetes", null, true)),
            3, () -> 1).get("unplaced").asText())
            .as("EPIC nodes do not bound a Deployment's replicas")
            .isEqualTo("1 of 3 replicas placed: the kubernetes provider leaves placement to the cluster's scheduler,"
                + " which has not placed the others yet");
    }

    @Test
    void enoughNodesButNotPlacedYetOrFailing() throws Exception {
        assertThat(Gateways.placement(Optional.empty(), 1, () -> 2).get("unplaced").asText())
            .isEqualTo("0 of 1 replicas placed: the provisioner has not placed the others yet");
        assertThat(Gateways.placement(placed(new ReplicaProblem("r0", "a", "no envoy binary on PATH")), 1, () -> 2)
            .toString()).isEqualTo(json("""
                {'replicas':[],'readyReplicas':0,'placedReplicas':0,'wantedReplicas':1,
                'unplaced':'0 of 1 replicas placed: the provisioner has not placed the others yet (see problem)',
                'problem':{'instance':'r0','node':'a','reason':'no envoy binary on PATH'}}"""));
    }
}
