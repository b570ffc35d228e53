package org.epicgateway.provisioner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.epicgateway.provisioner.local.LocalProvider;
import org.epicgateway.provisioner.local.ReplicaNetwork;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.NodeKind;
import org.epicgateway.schemas.avro.NodeLost;
import org.epicgateway.schemas.avro.NodeState;
import org.epicgateway.schemas.avro.PlacementState;
import org.epicgateway.schemas.avro.ReplicaLost;
import org.epicgateway.schemas.avro.ReplicaPlaced;
import org.epicgateway.schemas.avro.ReplicaReady;
import org.epicgateway.schemas.avro.ReplicaState;
import org.epicgateway.schemas.avro.TunnelAllocated;
import org.epicgateway.schemas.avro.TunnelFreed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provisioner's loop against the real decider and the real local provider: what it reports becomes events, and
 * the next round starts from them. Without envoy the gateway's placement says so; with the stand-in (root, network
 * namespaces) replicas become ready, tunnels are required, and a silent node is lost and its replica re-placed.
 */
class ProvisionerTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(15);
  private static final Instant T0 = Instant.parse("2026-12-04T12:00:00Z");

  @TempDir
  Path work;

  private final DecidedWorld world = new DecidedWorld();
  private final List<CommandEnvelope> sent = new ArrayList<>();

  /** One reconcile at {@code now}, its reports decided (like the command path) before the next. */
  private void round(Instant now) {
    world.provisioner.reconcile(now);
    List<CommandEnvelope> batch = new ArrayList<>(sent);
    sent.clear();
    batch.forEach(world::decide);
  }

  private Provisioner provisioner(LocalProvider provider) {
    Provisioner p = new Provisioner(new Provisioner.Settings(TIMEOUT, "127.0.0.1", 18000), provider, sent::add, T0);
    world.attach(p);
    return p;
  }

  private PlacementState placement() {
    AggregateState s = world.states.get("placement/acme/default/web");
    return s == null ? null : (PlacementState) s.getResource();
  }

  @Test
  void withoutEnvoyTheReplicasAreRecordedAsUnableToRunAndNothingPretendsToServe() {
    world.gatewayWith(2);
    world.heartbeat("epic-a", NodeKind.EPIC, T0);
    world.heartbeat("epic-b", NodeKind.EPIC, T0);
    try (LocalProvider provider = new LocalProvider(new LocalProvider.Settings("", false, work), Optional.empty())) {
      provisioner(provider);
      int before = world.events.size();
      round(T0.plusSeconds(1));
      String reason = "no envoy binary on PATH: the local provider runs Envoy only"
          + " (set epic.provisioner.stand-in=true for the stand-in TCP proxy)";
      assertThat(world.payloadsSince(before)).containsExactly(
          new ReplicaPlaced(DecidedWorld.GATEWAY, "r0", "epic-a", "local", null),
          new ReplicaLost(DecidedWorld.GATEWAY, "r0", "epic-a", reason),
          new ReplicaPlaced(DecidedWorld.GATEWAY, "r1", "epic-b", "local", null),
          new ReplicaLost(DecidedWorld.GATEWAY, "r1", "epic-b", reason));
      assertThat(placement().getReplicas()).isEmpty();
      int quiet = world.events.size();
      round(T0.plusSeconds(2));
      round(T0.plusSeconds(3));
      // Past the resend interval too: the placement's problem says it already (before, every 10 s a new placed and
      // lost pair, under ids of the placement's new version).
      for (Instant later : List.of(T0.plusSeconds(1).plus(Provisioner.RESEND_AFTER).plusSeconds(1),
          T0.plusSeconds(1).plus(Provisioner.RESEND_AFTER.multipliedBy(3)))) {
        world.heartbeat("epic-a", NodeKind.EPIC, later);
        world.heartbeat("epic-b", NodeKind.EPIC, later);
        round(later);
      }
      assertThat(world.events).as("the same failure is on record once").hasSize(quiet);
      assertThat(world.rejected).isEmpty();
    }
  }

  @Test
  void aReportLostOnTheWayIsMadeAgainUnderTheSameIdOnceTheStateHasNotMovedOn() {
    world.gatewayWith(1);
    world.heartbeat("epic-a", NodeKind.EPIC, T0);
    try (LocalProvider provider = new LocalProvider(new LocalProvider.Settings("", false, work), Optional.empty())) {
      provisioner(provider);
      world.provisioner.reconcile(T0.plusSeconds(1));
      List<String> lost = sent.stream().map(CommandEnvelope::getCommandId).toList();
      assertThat(lost).hasSize(2); // placed, then lost for want of envoy: both dropped here, never decided
      sent.clear();

      world.provisioner.reconcile(T0.plusSeconds(1).plus(Provisioner.RESEND_AFTER).minusMillis(1));
      assertThat(sent).isEmpty();
      int before = world.events.size();
      round(T0.plusSeconds(1).plus(Provisioner.RESEND_AFTER));
      assertThat(world.commandIdsSince(before)).containsExactlyElementsOf(lost);
    }
  }

  @Test
  void standInReplicasBecomeReadyGetTunnelsAndMoveWhenTheirNodeFallsSilent() throws Exception {
    try (NetNamespaces ns = new NetNamespaces().add("epic-a").add("epic-b").add("epic-c");
        LocalProvider provider = new LocalProvider(new LocalProvider.Settings(ns.prefix, true, work),
            Optional.empty())) {
      world.gatewayWith(2);
      world.endpointsOn("client-1", "10.1.0.5");
      world.heartbeat("epic-a", NodeKind.EPIC, T0);
      world.heartbeat("epic-b", NodeKind.EPIC, T0);
      world.heartbeat("epic-c", NodeKind.EPIC, T0);
      world.heartbeat("client-1", NodeKind.CLIENT, T0);
      provisioner(provider);
      Instant now = T0;
      for (int i = 0; i < 40 && (placement() == null || placement().getReplicas().stream()
          .filter(ReplicaState::getReady).count() < 2); i++) {
        now = now.plusMillis(250);
        round(now);
        Thread.sleep(250);
      }
      ReplicaNetwork r0 = ReplicaNetwork.of(ns.prefix + "epic-a", DecidedWorld.GATEWAY, "r0", "192.0.2.1");
      ReplicaNetwork r1 = ReplicaNetwork.of(ns.prefix + "epic-b", DecidedWorld.GATEWAY, "r1", "192.0.2.1");
      assertThat(placement().getReplicas()).containsExactly(
          new ReplicaState("r0", "epic-a", "local-stand-in", r0.hostInterface(), true),
          new ReplicaState("r1", "epic-b", "local-stand-in", r1.hostInterface(), true));
      assertThat(world.events).extracting(e -> (Object) e.getPayload()).contains(
          new ReplicaReady(DecidedWorld.GATEWAY, "r0", "epic-a"),
          new TunnelAllocated("epic-a", "client-1", 1L), new TunnelAllocated("epic-b", "client-1", 2L));
      // Each stand-in listens on the gateway address in its own namespace, which its node routes the address to.
      String r0ns = r0.namespace().substring(ns.prefix.length()), r1ns = r1.namespace().substring(ns.prefix.length());
      assertThat(ns.exec(r0ns, "ip -brief addr show gw0")).contains("192.0.2.1/32");
      assertThat(ns.exec(r0ns, "ss -Htln")).contains("192.0.2.1]:8080");
      assertThat(ns.exec(r1ns, "ss -Htln")).contains("192.0.2.1]:8080");
      assertThat(ns.exec("epic-a", "ip route show 192.0.2.1")).contains("dev " + r0.hostInterface());
      assertThat(ns.exec("epic-a", "ss -Htln")).doesNotContain("192.0.2.1");

      // epic-b falls silent: past the timeout the watcher reports it lost, its replica moves to epic-c, the live
      // node without one (epic-a runs r0: never two replicas of a gateway on one node).
      int before = world.events.size();
      Instant later = now.plus(TIMEOUT).plusSeconds(1);
      world.heartbeat("epic-a", NodeKind.EPIC, later);
      world.heartbeat("epic-c", NodeKind.EPIC, later);
      world.heartbeat("client-1", NodeKind.CLIENT, later);
      for (int i = 0; i < 40 && placement().getReplicas().stream()
          .filter(r -> r.getNode().equals("epic-c") && r.getReady()).count() < 1; i++) {
        later = later.plusMillis(250);
        round(later);
        Thread.sleep(250);
      }
      List<Object> after = world.payloadsSince(before);
      assertThat(after).first().isInstanceOf(NodeLost.class);
      assertThat(after).contains(new ReplicaLost(DecidedWorld.GATEWAY, "r1", "epic-b", "node epic-b is lost"),
          new ReplicaPlaced(DecidedWorld.GATEWAY, "r1", "epic-c", "local-stand-in",
              ReplicaNetwork.of(ns.prefix + "epic-c", DecidedWorld.GATEWAY, "r1", "192.0.2.1").hostInterface()),
          new TunnelFreed("epic-b", "client-1", 2L));
      assertThat(placement().getReplicas()).extracting(r -> r.getInstance() + "@" + r.getNode())
          .containsExactly("r0@epic-a", "r1@epic-c");
      assertThat(((NodeState) world.states.get("node/epic-b").getResource()).getLost()).isTrue();
      assertThat(world.rejected).isEmpty();
    }
  }
}
