package org.epicgateway.provisioner;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.epicgateway.projections.decider.Decider;
import org.epicgateway.projections.decider.Decision;
import org.epicgateway.projections.decider.StateLookup;
import org.epicgateway.projections.view.GatewayViews;
import org.epicgateway.projections.view.MemoryViewStore;
import org.epicgateway.schemas.AggregateIds;
import org.epicgateway.schemas.EventHashes;
import org.epicgateway.schemas.avro.Actor;
import org.epicgateway.schemas.avro.ActorKind;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.BackendRef;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.CreateAccount;
import org.epicgateway.schemas.avro.CreateGateway;
import org.epicgateway.schemas.avro.DefineAddressPool;
import org.epicgateway.schemas.avro.DefineGatewayTemplate;
import org.epicgateway.schemas.avro.Endpoint;
import org.epicgateway.schemas.avro.EndpointConditions;
import org.epicgateway.schemas.avro.EndpointPort;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.HttpRouteRule;
import org.epicgateway.schemas.avro.Listener;
import org.epicgateway.schemas.avro.ListenerProtocol;
import org.epicgateway.schemas.avro.NodeHeartbeat;
import org.epicgateway.schemas.avro.NodeKind;
import org.epicgateway.schemas.avro.ParentRef;
import org.epicgateway.schemas.avro.TransportProtocol;
import org.epicgateway.schemas.avro.UpsertEndpointSlice;
import org.epicgateway.schemas.avro.UpsertHttpRoute;

/**
 * The control plane in memory, with nothing replaced: the real decider decides every command (the provisioner's
 * reports included), the real fold and gateway view assembly feed the provisioner what the topics would carry.
 */
final class DecidedWorld {
  static final String GATEWAY = "gateway/acme/default/web";
  private static final Actor ADMIN = new Actor(ActorKind.USER, "admin", null);
  private static final Actor AGENT = new Actor(ActorKind.AGENT, "agent", null);

  final TreeMap<String, AggregateState> states = new TreeMap<>();
  final MemoryViewStore views = new MemoryViewStore();
  final List<EventEnvelope> events = new ArrayList<>();
  final List<Decision> rejected = new ArrayList<>();
  private final java.util.Map<String, Decision> decided = new java.util.HashMap<>();
  Provisioner provisioner;
  private int next;

  /** A pool, a template wanting {@code replicas}, account acme, gateway web, a route to Service web:8080. */
  void gatewayWith(int replicas) {
    admin(AggregateIds.pool("public"), new DefineAddressPool("public", List.of("192.0.2.0/24"), null, null));
    admin(AggregateIds.template("small"), DefineGatewayTemplate.newBuilder().setTemplate("small").setPool("public")
        .setReplicas(replicas).setShareable(false).setEnvoyBaseConfig("{}").build());
    admin(AggregateIds.account("acme"), new CreateAccount("acme", "Acme"));
    admin(GATEWAY, new CreateGateway("acme", "default", "web", "small", List.of(Listener.newBuilder()
        .setName("web").setPort(8080).setProtocol(ListenerProtocol.HTTP).build())));
    admin(AggregateIds.httpRoute("acme", "default", "shop"), UpsertHttpRoute.newBuilder().setAccount("acme")
        .setNamespace("default").setName("shop").setParentRefs(List.of(ParentRef.newBuilder().setName("web").build()))
        .setRules(List.of(HttpRouteRule.newBuilder().setBackendRefs(List.of(BackendRef.newBuilder().setName("web")
            .setPort(8080).build())).build())).build());
  }

  void endpointsOn(String clientNode, String address) {
    admin(AggregateIds.endpointSlice("acme", "default", "web-1"), UpsertEndpointSlice.newBuilder().setAccount("acme")
        .setNamespace("default").setName("web-1").setServiceName("web")
        .setPorts(List.of(EndpointPort.newBuilder().setPort(8080).setProtocol(TransportProtocol.TCP).build()))
        .setEndpoints(List.of(Endpoint.newBuilder().setAddresses(List.of(address))
            .setConditions(EndpointConditions.newBuilder().setReady(true).build()).setNodeName(clientNode).build()))
        .build());
  }

  /** A heartbeat decided, and seen by the provisioner's liveness watcher at {@code at}. */
  void heartbeat(String node, NodeKind kind, Instant at) {
    CommandEnvelope c = envelope(AggregateIds.node(node), AGENT,
        new NodeHeartbeat(node, kind, List.of("172.16.0." + (node.hashCode() & 0x7f)), "eth0", null, null));
    decide(c);
    if (provisioner != null) {
      provisioner.heartbeat(node, at, c.getCommandId());
    }
  }

  void admin(String target, Object payload) {
    Decision d = decide(envelope(target, ADMIN, payload));
    assertThat(d.rejection()).isNull();
  }

  /**
   * Decides a command and feeds its events to the view store and the provisioner, as the topics would. A command id
   * decided before is answered with that decision and changes nothing, as the decider's decided-commands store does.
   */
  Decision decide(CommandEnvelope command) {
    Decision earlier = decided.get(command.getCommandId());
    if (earlier != null) {
      return earlier;
    }
    Decision d = Decider.decide(command, StateLookup.of(states));
    decided.put(command.getCommandId(), d);
    if (!d.accepted()) {
      rejected.add(d);
      return d;
    }
    states.putAll(d.states());
    for (EventEnvelope e : d.events()) {
      events.add(e);
      byte[] hash = EventHashes.hash(e);
      for (var change : GatewayViews.changes(views, GatewayViews.apply(views, e, hash))) {
        if (provisioner != null) {
          provisioner.view(change.gatewayId(), change.view());
        }
      }
    }
    // The node projection's store holds the same fold of the same events: what the provisioner reads.
    if (provisioner != null) {
      d.states().forEach((id, state) -> {
        if (nodeOrPlacement(id)) {
          provisioner.state(id, state);
        }
      });
    }
    return d;
  }

  /** Hands the provisioner what happened before it started, as its topic readers would from the beginning. */
  void attach(Provisioner p) {
    provisioner = p;
    GatewayViews.view(views, GATEWAY).ifPresent(v -> p.view(GATEWAY, v));
    states.forEach((id, state) -> {
      if (nodeOrPlacement(id)) {
        p.state(id, state);
      }
    });
  }

  private static boolean nodeOrPlacement(String aggregateId) {
    return aggregateId.startsWith("node/") || aggregateId.startsWith("placement/");
  }

  /** The commands (by id) the events since {@code from} were decided from. */
  List<String> commandIdsSince(int from) {
    return events.subList(from, events.size()).stream().map(EventEnvelope::getCorrelationId).toList();
  }

  List<Object> payloadsSince(int from) {
    return events.subList(from, events.size()).stream().map(e -> (Object) e.getPayload()).toList();
  }

  private CommandEnvelope envelope(String target, Actor actor, Object payload) {
    next++;
    return CommandEnvelope.newBuilder().setCommandId("world-" + next).setActor(actor).setTargetAggregateId(target)
        .setTimestamp(Instant.ofEpochMilli(1_700_000_000_000L + next)).setPayload(payload).build();
  }
}
