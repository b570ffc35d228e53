package org.epicgateway.projections.nodetopology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.epicgateway.projections.node.NodeAdvertsDerivation;
import org.epicgateway.projections.node.NodeBpfDerivation;
import org.epicgateway.projections.node.NodeScenario;
import org.epicgateway.projections.streams.TestDrivers;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.MarkNodeLost;
import org.epicgateway.schemas.avro.NodeAdverts;
import org.epicgateway.schemas.avro.NodeBpf;
import org.epicgateway.schemas.avro.ReportReplicaLost;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.epicgateway.schemas.serde.AvroSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The node projection's wiring (TopologyTestDriver, RocksDB stores, both repartitions, real registry serdes): events
 * the real decider produced and the gateway's view go in; what comes out equals the pure derivations' results, is
 * written only when it changed, and withdraws on loss.
 */
class NodeTopologyTest {
  private final NodeScenario s = new NodeScenario();
  private TestDrivers run;
  private TestInputTopic<String, byte[]> events;
  private TestInputTopic<String, byte[]> views;
  private TestOutputTopic<String, NodeBpf> bpf;
  private TestOutputTopic<String, NodeAdverts> adverts;
  private AvroSerializer<EventEnvelope> eventBytes;
  private AvroSerializer<GatewayView> viewBytes;
  private int piped;

  @BeforeEach
  void start() throws Exception {
    SchemaRegistryClient registry = TestDrivers.registry();
    run = TestDrivers.start(NodeTopology.build(registry), NodeTopology.APPLICATION_ID);
    TopologyTestDriver driver = run.driver();
    eventBytes = new AvroSerializer<>(registry);
    viewBytes = new AvroSerializer<>(registry);
    events = driver.createInputTopic(Topics.EVENTS, new StringSerializer(), new ByteArraySerializer());
    views = driver.createInputTopic(Topics.GATEWAY_STATE, new StringSerializer(), new ByteArraySerializer());
    bpf = driver.createOutputTopic(Topics.NODE_BPF, new StringDeserializer(),
        new AvroDeserializer<>(NodeBpf.class, registry));
    adverts = driver.createOutputTopic(Topics.NODE_ADVERTS, new StringDeserializer(),
        new AvroDeserializer<>(NodeAdverts.class, registry));
  }

  @AfterEach
  void stop() throws Exception {
    run.close();
  }

  /** Pipes the events decided since the last call, as the decider writes them (key aggregate id). */
  private void pipeEvents() {
    for (; piped < s.events.size(); piped++) {
      EventEnvelope e = s.events.get(piped);
      events.pipeInput(e.getAggregateId(), eventBytes.serialize(Topics.EVENTS, e));
    }
  }

  private void pipeView() {
    GatewayView view = s.view();
    views.pipeInput(NodeScenario.GATEWAY, view == null ? null : viewBytes.serialize(Topics.GATEWAY_STATE, view));
  }

  @Test
  void writesWhatThePureDerivationsGiveOnlyWhenItChangesAndWithdrawsOnLoss() {
    pipeEvents();
    pipeView();
    Map<String, NodeBpf> bpfs = bpf.readKeyValuesToMap();
    assertThat(bpfs).containsOnlyKeys("epic-a", "epic-b", "client-1", "client-2");
    for (String node : bpfs.keySet()) {
      assertThat(bpfs.get(node)).as(node)
          .isEqualTo(NodeBpfDerivation.derive(s.node(node), s.nodes(), s.hosted(node)));
    }
    Map<String, NodeAdverts> advertised = adverts.readKeyValuesToMap();
    assertThat(advertised.get("epic-a")).isEqualTo(NodeAdvertsDerivation.derive(s.node("epic-a"), s.hosted("epic-a")));
    assertThat(advertised.get("epic-a").getAdverts()).extracting(a -> a.getPrefix()).containsExactly("192.0.2.1/32");
    assertThat(advertised.get("epic-b").getAdverts()).isEmpty();

    pipeView();
    assertThat(bpf.isEmpty()).as("the same view again changes nothing").isTrue();
    assertThat(adverts.isEmpty()).isTrue();

    s.agent(NodeScenario.PLACEMENT, new ReportReplicaLost(NodeScenario.GATEWAY, "r0", "epic-a", "stopped"));
    s.agent("node/epic-b", new MarkNodeLost("epic-b", null, 20_000L));
    pipeEvents();
    assertThat(adverts.readKeyValuesToMap().get("epic-a").getAdverts()).isEmpty();
    Map<String, NodeBpf> after = bpf.readKeyValuesToMap();
    assertThat(after).containsEntry("epic-b", null);
    assertThat(after.get("epic-a").getInstances()).isEmpty();
    assertThat(after.get("epic-a").getEndpoints()).isEmpty();

    s.admin(s.c.deleteGateway("acme", "web"));
    pipeEvents();
    pipeView();
    assertThat(bpf.isEmpty()).as("no replica runs it any more").isTrue();
  }
}
