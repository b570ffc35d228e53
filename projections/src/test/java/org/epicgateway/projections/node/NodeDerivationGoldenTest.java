package org.epicgateway.projections.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.epicgateway.projections.envoy.GoldenFiles;
import org.epicgateway.schemas.avro.MarkNodeLost;
import org.epicgateway.schemas.avro.NodeAdverts;
import org.epicgateway.schemas.avro.NodeBpf;
import org.epicgateway.schemas.avro.ReportReplicaLost;
import org.epicgateway.schemas.avro.ReportReplicaReady;
import org.epicgateway.schemas.json.AvroJson;
import org.junit.jupiter.api.Test;

/**
 * Golden in/out of the per-node derivations over {@link NodeScenario} (inputs decided by the real decider); the
 * expected records are under src/test/resources/golden/node (regenerate with -Dgolden.update=true, review the diff).
 */
class NodeDerivationGoldenTest {
  private static final Path GOLDEN = Path.of("src/test/resources/golden/node");

  private final NodeScenario s = new NodeScenario();

  private static void golden(String name, Object record) throws Exception {
    GoldenFiles.assertMatches(GOLDEN.resolve(name + ".json"),
        AvroJson.toJson((org.apache.avro.generic.IndexedRecord) record).toPrettyString() + "\n");
  }

  @Test
  void epicNodeGetsItsReplicasTunnelsAndTheEndpointsBehindThem() throws Exception {
    NodeBpf a = NodeBpfDerivation.derive(s.node("epic-a"), s.nodes(), s.hosted("epic-a"));
    golden("bpf-epic-a", a);
    // Only ready IPv4 endpoints on client nodes the EPIC node has a tunnel to; no key anywhere.
    assertThat(a.getEndpoints()).extracting(e -> e.getAddress() + "->" + e.getTunnelId())
        .containsExactly("10.1.0.5->1", "10.1.0.6->2");
    golden("bpf-epic-b", NodeBpfDerivation.derive(s.node("epic-b"), s.nodes(), s.hosted("epic-b")));
  }

  @Test
  void clientNodeGetsOneFixedTunnelPerEpicNodeToItsPublicAddress() throws Exception {
    NodeBpf client = NodeBpfDerivation.derive(s.node("client-1"), s.nodes(), s.hosted("client-1"));
    golden("bpf-client-1", client);
    assertThat(client.getTunnels()).extracting(t -> t.getTunnelId() + "@" + t.getRemoteAddress())
        .containsExactly("1@172.16.0.1", "2@203.0.113.2");
  }

  @Test
  void advertsFollowReadyReplicasAndWithdrawWhenTheReplicaOrNodeIsLost() throws Exception {
    NodeAdverts a = NodeAdvertsDerivation.derive(s.node("epic-a"), s.hosted("epic-a"));
    golden("adverts-epic-a", a);
    assertThat(NodeAdvertsDerivation.derive(s.node("epic-b"), s.hosted("epic-b")).getAdverts())
        .as("placed, not ready").isEmpty();

    s.agent(NodeScenario.PLACEMENT, new ReportReplicaReady(NodeScenario.GATEWAY, "r1", "epic-b"));
    assertThat(NodeAdvertsDerivation.derive(s.node("epic-b"), s.hosted("epic-b")).getAdverts())
        .isEqualTo(a.getAdverts());
    s.agent(NodeScenario.PLACEMENT, new ReportReplicaLost(NodeScenario.GATEWAY, "r1", "epic-b", "stopped"));
    assertThat(NodeAdvertsDerivation.derive(s.node("epic-b"), s.hosted("epic-b")).getAdverts()).isEmpty();

    s.agent("node/epic-a", new MarkNodeLost("epic-a", null, 20_000L));
    NodeAdverts lost = NodeAdvertsDerivation.derive(s.node("epic-a"), s.hosted("epic-a"));
    assertThat(lost.getAdverts()).isEmpty();
    assertThat(lost.getVersion()).isNotEqualTo(a.getVersion());
    assertThat(NodeBpfDerivation.derive(s.node("epic-a"), s.nodes(), s.hosted("epic-a"))).as("tombstone").isNull();
  }

  @Test
  void equalInputsGiveTheSameVersionAndAnyChangeAnother() {
    NodeBpf first = NodeBpfDerivation.derive(s.node("epic-a"), s.nodes(), s.hosted("epic-a"));
    assertThat(NodeBpfDerivation.derive(s.node("epic-a"), s.nodes(), s.hosted("epic-a"))).isEqualTo(first);
    s.admin(s.c.upsertSlice("acme", "web-1", "web", NodeScenario.endpoint("10.1.0.9", "client-1", true)));
    NodeBpf moved = NodeBpfDerivation.derive(s.node("epic-a"), s.nodes(), s.hosted("epic-a"));
    assertThat(moved.getVersion()).isNotEqualTo(first.getVersion());
    assertThat(moved.getEndpoints()).extracting(e -> e.getAddress()).containsExactly("10.1.0.9");
  }
}
