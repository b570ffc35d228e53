package org.epicgateway.projections.nodetopology;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.epicgateway.projections.node.Hosted;
import org.epicgateway.projections.node.NodeAdvertsDerivation;
import org.epicgateway.projections.node.NodeBpfDerivation;
import org.epicgateway.projections.state.Fold;
import org.epicgateway.projections.streams.DeadLetters;
import org.epicgateway.projections.streams.OutputRefused;
import org.epicgateway.projections.streams.RecordLimit;
import org.epicgateway.schemas.AggregateIds;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.NodeAdverts;
import org.epicgateway.schemas.avro.NodeBpf;
import org.epicgateway.schemas.avro.NodeKind;
import org.epicgateway.schemas.avro.NodeState;
import org.epicgateway.schemas.avro.PlacementState;
import org.epicgateway.schemas.avro.ReplicaState;
import org.epicgateway.schemas.avro.TunnelState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wiring only: keeps the node projection's stores (folded node and placement states, gateway views, the
 * node → hosted gateways index), works out which nodes an input affects, and writes their derived records when
 * their version changed. Shared by the two processors of {@link NodeTopology}.
 */
final class NodeProjector {
  private static final Logger LOG = LoggerFactory.getLogger(NodeProjector.class);
  private static final StringSerializer KEYS = new StringSerializer();
  private static final char SEPARATOR = '|';

  private final ProcessorContext<String, Object> context;
  private final KeyValueStore<String, AggregateState> states;
  private final KeyValueStore<String, GatewayView> views;
  private final KeyValueStore<String, String> hosted;
  private final KeyValueStore<String, String> outputs;

  NodeProjector(ProcessorContext<String, Object> context) {
    this.context = context;
    this.states = context.getStateStore(NodeTopology.STATES);
    this.views = context.getStateStore(NodeTopology.VIEWS);
    this.hosted = context.getStateStore(NodeTopology.HOSTED);
    this.outputs = context.getStateStore(NodeTopology.OUTPUTS);
  }

  /** Folds a node or placement event and rewrites the records of every node it touches. */
  void event(EventEnvelope event, byte[] hash, Record<String, byte[]> input) {
    AggregateState before = states.get(event.getAggregateId());
    AggregateState after = Fold.apply(before, event, hash);
    states.put(event.getAggregateId(), after);
    Set<String> affected = new TreeSet<>();
    if (after.getResource() instanceof PlacementState placement) {
      Set<String> old = replicaNodes(before);
      Set<String> now = replicaNodes(after);
      old.stream().filter(n -> !now.contains(n)).forEach(n -> hosted.delete(n + SEPARATOR + placement.getGatewayId()));
      now.forEach(n -> hosted.put(n + SEPARATOR + placement.getGatewayId(), placement.getGatewayId()));
      affected.addAll(old);
      affected.addAll(now);
    } else {
      NodeState node = (NodeState) after.getResource();
      affected.add(node.getNode());
      // A client node's records list its EPIC peers' addresses and tunnel ids, and the other way round.
      for (NodeState n : nodes()) {
        boolean peer = n.getTunnels().stream().anyMatch(t -> t.getClientNode().equals(node.getNode()));
        if (peer || tunnelPeers(before).contains(n.getNode()) || tunnelPeers(after).contains(n.getNode())) {
          affected.add(n.getNode());
        }
      }
    }
    write(affected, input);
  }

  /** Keeps a gateway's latest view and rewrites the records of the nodes that run it. */
  void view(String gatewayId, GatewayView view, Record<String, byte[]> input) {
    if (view == null) {
      views.delete(gatewayId);
    } else {
      views.put(gatewayId, view);
    }
    write(replicaNodes(states.get(NodeTopology.placementOf(gatewayId))), input);
  }

  private void write(Set<String> nodes, Record<String, byte[]> input) {
    List<NodeState> all = nodes();
    for (String name : nodes) {
      AggregateState state = states.get(AggregateIds.node(name));
      if (state == null) {
        continue; // a replica was placed before its node's first heartbeat was folded; the join writes it
      }
      NodeState node = (NodeState) state.getResource();
      List<Hosted> mine = node.getKind() == NodeKind.EPIC ? hostedOn(name) : List.of();
      NodeBpf bpf = NodeBpfDerivation.derive(node, all, mine);
      forward("bpf", name, bpf, bpf == null ? null : bpf.getVersion(), NodeTopology.BPF_SINK, input);
      NodeAdverts adverts = NodeAdvertsDerivation.derive(node, mine);
      forward("adverts", name, adverts, adverts.getVersion(), NodeTopology.ADVERTS_SINK, input);
    }
  }

  private void forward(String kind, String node, SpecificRecord value, String version, String sink,
      Record<String, byte[]> input) {
    String key = kind + SEPARATOR + node;
    String last = outputs.get(key);
    if (version == null ? last == null : version.equals(last)) {
      return;
    }
    if (value != null) {
      try {
        RecordLimit.check("the " + kind + " record of node " + node, node, value);
      } catch (OutputRefused e) {
        String reason = e.getMessage() + "; node " + node + " keeps its last " + kind + " record";
        LOG.error("node projection: {}", reason);
        context.forward(input.withHeaders(DeadLetters.headers(input.headers(), context, e.code().name(), e, reason)),
            NodeTopology.DLQ_SINK);
        return;
      }
      outputs.put(key, version);
    } else {
      outputs.delete(key);
    }
    context.forward(new Record<String, Object>(node, value, input.timestamp()), sink);
  }

  private List<Hosted> hostedOn(String node) {
    List<Hosted> result = new ArrayList<>();
    try (KeyValueIterator<String, String> it = hosted.prefixScan(node + SEPARATOR, KEYS)) {
      it.forEachRemaining(kv -> {
        AggregateState placement = states.get(NodeTopology.placementOf(kv.value));
        List<ReplicaState> replicas = placement == null ? List.of() : ((PlacementState) placement.getResource())
            .getReplicas().stream().filter(r -> r.getNode().equals(node)).toList();
        if (!replicas.isEmpty()) {
          result.add(new Hosted(kv.value, views.get(kv.value), replicas));
        }
      });
    }
    return result;
  }

  private List<NodeState> nodes() {
    List<NodeState> result = new ArrayList<>();
    try (KeyValueIterator<String, AggregateState> it = states.prefixScan("node/", KEYS)) {
      it.forEachRemaining(kv -> result.add((NodeState) kv.value.getResource()));
    }
    return result;
  }

  private static Set<String> replicaNodes(AggregateState placement) {
    Set<String> nodes = new TreeSet<>();
    if (placement != null) {
      ((PlacementState) placement.getResource()).getReplicas().forEach(r -> nodes.add(r.getNode()));
    }
    return nodes;
  }

  private static Set<String> tunnelPeers(AggregateState node) {
    Set<String> peers = new TreeSet<>();
    if (node != null) {
      ((NodeState) node.getResource()).getTunnels().stream().map(TunnelState::getClientNode).forEach(peers::add);
    }
    return peers;
  }
}
