package org.epicgateway.provisioner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.projections.nodetopology.NodeProjectionService;
import org.epicgateway.projections.nodetopology.NodeTopology;
import org.epicgateway.projections.topology.DeciderService;
import org.epicgateway.projections.viewtopology.GatewayViewService;
import org.epicgateway.provisioner.local.LocalProvider;
import org.epicgateway.schemas.AggregateIds;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.Actor;
import org.epicgateway.schemas.avro.ActorKind;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.CreateAccount;
import org.epicgateway.schemas.avro.CreateGateway;
import org.epicgateway.schemas.avro.DefineAddressPool;
import org.epicgateway.schemas.avro.DefineGatewayTemplate;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.Listener;
import org.epicgateway.schemas.avro.ListenerProtocol;
import org.epicgateway.schemas.avro.NodeBpf;
import org.epicgateway.schemas.avro.NodeHeartbeat;
import org.epicgateway.schemas.avro.NodeKind;
import org.epicgateway.schemas.avro.MarkNodeLost;
import org.epicgateway.schemas.avro.NodeLost;
import org.epicgateway.schemas.avro.ReplicaLost;
import org.epicgateway.schemas.avro.ReplicaPlaced;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.epicgateway.schemas.serde.AvroSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control plane on the real broker and registry: decider, gateway view and node projections, and the
 * provisioner with the local provider on a machine without envoy. Commands go in on epic.commands; what comes out on
 * epic.events and epic.node-bpf is read back: the replica recorded as unable to run with the plain reason, the nodes'
 * BPF records, and a node that stops sending heartbeats reported lost and taken off the data path.
 */
class ProvisionerServiceTest {
  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir
  Path work;

  private final EmbeddedPlatform platform = EmbeddedPlatform.sharedForTests();
  private final String run = UUID.randomUUID().toString().substring(0, 6);
  private int next;

  @Test
  void aGatewaysReplicaIsRecordedAsUnableToRunNodesGetBpfRecordsAndASilentNodeIsLost() throws Exception {
    SchemaRegistryClient registry = new SchemaRegistryClient(platform.schemaRegistryUrl());
    String epic = "epic-" + run;
    String client = "client-" + run;
    String gateway = AggregateIds.gateway("prov" + run, "default", "web");
    System.setProperty("epic.provisioner.node-timeout", "PT3S");
    DeciderService decider = new DeciderService();
    GatewayViewService views = new GatewayViewService();
    NodeProjectionService nodes = new NodeProjectionService();
    ProvisionerService provisioner = new ProvisionerService();
    ProvisionerService again = new ProvisionerService();
    AtomicBoolean beating = new AtomicBoolean(true);
    try (KafkaProducer<String, CommandEnvelope> commands = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers()), new StringSerializer(),
        new AvroSerializer<>(registry))) {
      decider.start(platform.context());
      views.start(platform.context());
      nodes.start(platform.context());
      provisioner.start(platform.context(), new LocalProvider(new LocalProvider.Settings("", false, work),
          Optional.empty()));

      Actor admin = new Actor(ActorKind.USER, "admin", null);
      Actor agent = new Actor(ActorKind.AGENT, "agent", null);
      int octet = Math.floorMod(run.hashCode(), 200) + 20;
      send(commands, admin, AggregateIds.pool("p" + run), new DefineAddressPool("p" + run,
          List.of("10." + octet + ".7.0/28"), null, null));
      send(commands, admin, AggregateIds.template("t" + run), DefineGatewayTemplate.newBuilder()
          .setTemplate("t" + run).setPool("p" + run).setReplicas(1).setShareable(false).setEnvoyBaseConfig("{}")
          .build());
      send(commands, admin, AggregateIds.account("prov" + run), new CreateAccount("prov" + run, "Provisioner"));
      send(commands, admin, gateway, new CreateGateway("prov" + run, "default", "web", "t" + run,
          List.of(Listener.newBuilder().setName("web").setPort(8080).setProtocol(ListenerProtocol.HTTP).build())));
      Thread heartbeats = Thread.ofVirtual().start(() -> {
        while (beating.get()) {
          send(commands, agent, AggregateIds.node(epic), new NodeHeartbeat(epic, NodeKind.EPIC,
              List.of("172.16.9.1"), "eth0", null, null));
          send(commands, agent, AggregateIds.node(client), new NodeHeartbeat(client, NodeKind.CLIENT,
              List.of("172.16.9.2"), "eth0", null, null));
          try {
            Thread.sleep(500);
          } catch (InterruptedException e) {
            return;
          }
        }
      });

      AvroDeserializer<EventEnvelope> events = new AvroDeserializer<>(EventEnvelope.class, registry);
      EventEnvelope lost = await(Topics.EVENTS, r -> r.key().equals(AggregateIds.placement("prov" + run, "default",
          "web")) && events.deserialize(Topics.EVENTS, r.value()).getPayload() instanceof ReplicaLost,
          r -> events.deserialize(Topics.EVENTS, r.value()));
      assertThat(lost.getPayload()).isEqualTo(new ReplicaLost(gateway, "r0", epic,
          "no envoy binary on PATH: the local provider runs Envoy only"
              + " (set epic.provisioner.stand-in=true for the stand-in TCP proxy)"));
      assertThat(lost.getActor().getId()).isEqualTo("provisioner");

      AvroDeserializer<NodeBpf> bpf = new AvroDeserializer<>(NodeBpf.class, registry);
      NodeBpf epicBpf = await(Topics.NODE_BPF, r -> r.key().equals(epic) && r.value() != null,
          r -> bpf.deserialize(Topics.NODE_BPF, r.value()));
      assertThat(epicBpf.getKind()).isEqualTo(NodeKind.EPIC);
      assertThat(epicBpf.getUplinks()).extracting(u -> u.getName()).containsExactly("eth0");
      assertThat(provisioner.health().up()).isTrue();

      beating.set(false);
      heartbeats.join();
      EventEnvelope nodeLost = await(Topics.EVENTS, r -> r.key().equals(AggregateIds.node(epic))
          && events.deserialize(Topics.EVENTS, r.value()).getPayload() instanceof NodeLost,
          r -> events.deserialize(Topics.EVENTS, r.value()));
      assertThat(((NodeLost) nodeLost.getPayload()).getSilentForMillis()).isGreaterThan(3000);
      await(Topics.NODE_BPF, r -> r.key().equals(epic) && r.value() == null, r -> r);

      // A restart with this history on epic.events starts from compacted state, never from the log: the new
      // provisioner reads the node projection's states and comes to know what the first one knew.
      String known = settled(provisioner);
      assertThat(known).contains("lost").doesNotContain(" 0 placements");
      provisioner.close();
      assertThat(again.kafkaAccess().readTopics()).doesNotContain(Topics.EVENTS)
          .contains(NodeTopology.STATES_CHANGELOG, Topics.GATEWAY_STATE);
      again.start(platform.context(), new LocalProvider(new LocalProvider.Settings("", false, work), Optional.empty()));
      long restarted = System.nanoTime();
      while (!again.health().state().equals("RUNNING: " + known)) {
        assertThat(System.nanoTime() - restarted).as("restarted provisioner knows %s, has %s", known,
            again.health().state()).isLessThan(Duration.ofSeconds(30).toNanos());
        Thread.sleep(100);
      }
    } finally {
      beating.set(false);
      System.clearProperty("epic.provisioner.node-timeout");
      provisioner.close();
      again.close();
      nodes.close();
      views.close();
      decider.close();
    }
  }

  /**
   * A gateway whose template wants two replicas while one EPIC node is live gets one (never two on that node), and
   * the second is placed on the next EPIC node when it joins.
   */
  @Test
  void theMissingReplicaIsPlacedOnAnEpicNodeThatJoinsLater() throws Exception {
    SchemaRegistryClient registry = new SchemaRegistryClient(platform.schemaRegistryUrl());
    String first = "epic-a-" + run, later = "epic-b-" + run, account = "join" + run;
    String gateway = AggregateIds.gateway(account, "default", "web");
    String placement = AggregateIds.placement(account, "default", "web");
    DeciderService decider = new DeciderService();
    GatewayViewService views = new GatewayViewService();
    NodeProjectionService nodes = new NodeProjectionService();
    ProvisionerService provisioner = new ProvisionerService();
    List<String> beating = new java.util.concurrent.CopyOnWriteArrayList<>(List.of(first));
    AtomicBoolean on = new AtomicBoolean(true);
    try (KafkaProducer<String, CommandEnvelope> commands = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers()), new StringSerializer(),
        new AvroSerializer<>(registry))) {
      decider.start(platform.context());
      views.start(platform.context());
      nodes.start(platform.context());
      provisioner.start(platform.context(), new LocalProvider(new LocalProvider.Settings("", false, work),
          Optional.empty()));
      Actor admin = new Actor(ActorKind.USER, "admin", null);
      Actor agent = new Actor(ActorKind.AGENT, "agent", null);
      int octet = Math.floorMod(run.hashCode(), 200) + 20;
      send(commands, admin, AggregateIds.pool("pj" + run), new DefineAddressPool("pj" + run,
          List.of("10." + octet + ".8.0/28"), null, null));
      send(commands, admin, AggregateIds.template("tj" + run), DefineGatewayTemplate.newBuilder()
          .setTemplate("tj" + run).setPool("pj" + run).setReplicas(2).setShareable(false).setEnvoyBaseConfig("{}")
          .build());
      send(commands, admin, AggregateIds.account(account), new CreateAccount(account, "Join"));
      Thread heartbeats = Thread.ofVirtual().start(() -> {
        while (on.get()) {
          beating.forEach(n -> send(commands, agent, AggregateIds.node(n), new NodeHeartbeat(n, NodeKind.EPIC,
              List.of("172.16.10.1"), "eth0", null, null)));
          try {
            Thread.sleep(500);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      await(Topics.EVENTS, r -> r.key().equals(AggregateIds.node(first)), r -> r);
      send(commands, admin, gateway, new CreateGateway(account, "default", "web", "tj" + run,
          List.of(Listener.newBuilder().setName("web").setPort(8080).setProtocol(ListenerProtocol.HTTP).build())));

      // One live node: r0 there, and nothing else however long it waits (no replica keeps r1's place on it).
      AvroDeserializer<EventEnvelope> events = new AvroDeserializer<>(EventEnvelope.class, registry);
      java.util.function.Function<ConsumerRecord<String, byte[]>, Object> payload =
          r -> events.deserialize(Topics.EVENTS, r.value()).getPayload();
      assertThat(await(Topics.EVENTS, r -> r.key().equals(placement) && payload.apply(r) instanceof ReplicaPlaced,
          payload)).isEqualTo(new ReplicaPlaced(gateway, "r0", first, "local", null));
      Thread.sleep(3_000);
      beating.add(later);
      ReplicaPlaced onLater = (ReplicaPlaced) await(Topics.EVENTS, r -> r.key().equals(placement)
          && payload.apply(r) instanceof ReplicaPlaced p && p.getNode().equals(later), payload);
      List<ReplicaPlaced> all = new ArrayList<>();
      await(Topics.EVENTS, r -> {
        if (r.key().equals(placement) && payload.apply(r) instanceof ReplicaPlaced p) {
          all.add(p);
        }
        return r.key().equals(placement) && payload.apply(r).equals(onLater);
      }, r -> r);
      assertThat(all).as("before %s joined only r0 was placed, on %s; then one replica on %s", later, first, later)
          .extracting(p -> p.getInstance() + "@" + p.getNode()).startsWith("r0@" + first).last().isIn(
              "r1@" + later, "r0@" + later);
      assertThat(all.subList(0, all.size() - 1)).extracting(ReplicaPlaced::getInstance).containsOnly("r0");
      on.set(false);
      heartbeats.join();
    } finally {
      on.set(false);
      provisioner.close();
      nodes.close();
      views.close();
      decider.close();
    }
  }

  /**
   * A replica whose process starts and exits at once (the envoy binary is /bin/false, in a real node namespace):
   * started again after a backoff that doubles, so its placed/lost events stay few, and the last loss says why and
   * when it is tried again. Before, it was started again on every round (each exit triggers one), two events each.
   */
  @Test
  void aReplicaThatKeepsExitingIsStartedAgainAfterABackoffAndItsEventsStayFew() throws Exception {
    SchemaRegistryClient registry = new SchemaRegistryClient(platform.schemaRegistryUrl());
    String node = "epic-" + run, account = "exit" + run;
    String gateway = AggregateIds.gateway(account, "default", "web");
    String placement = AggregateIds.placement(account, "default", "web");
    DeciderService decider = new DeciderService();
    GatewayViewService views = new GatewayViewService();
    NodeProjectionService nodes = new NodeProjectionService();
    ProvisionerService provisioner = new ProvisionerService();
    AtomicBoolean on = new AtomicBoolean(true);
    try (NetNamespaces ns = new NetNamespaces().add(node);
         KafkaProducer<String, CommandEnvelope> commands = new KafkaProducer<>(Map.of(
             ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers()), new StringSerializer(),
             new AvroSerializer<>(registry))) {
      decider.start(platform.context());
      views.start(platform.context());
      nodes.start(platform.context());
      provisioner.start(platform.context(), new LocalProvider(new LocalProvider.Settings(ns.prefix, false, work),
          Optional.of(Path.of("/bin/false"))));
      Actor admin = new Actor(ActorKind.USER, "admin", null);
      Actor agent = new Actor(ActorKind.AGENT, "agent", null);
      int octet = Math.floorMod(run.hashCode(), 200) + 20;
      send(commands, admin, AggregateIds.pool("px" + run), new DefineAddressPool("px" + run,
          List.of("10." + octet + ".9.0/28"), null, null));
      send(commands, admin, AggregateIds.template("tx" + run), DefineGatewayTemplate.newBuilder()
          .setTemplate("tx" + run).setPool("px" + run).setReplicas(1).setShareable(false).setEnvoyBaseConfig("{}")
          .build());
      send(commands, admin, AggregateIds.account(account), new CreateAccount(account, "Exit"));
      Thread heartbeats = Thread.ofVirtual().start(() -> {
        while (on.get()) {
          send(commands, agent, AggregateIds.node(node), new NodeHeartbeat(node, NodeKind.EPIC,
              List.of("172.16.11.1"), "eth0", null, null));
          try {
            Thread.sleep(500);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      await(Topics.EVENTS, r -> r.key().equals(AggregateIds.node(node)), r -> r);
      // The nodes earlier tests of this class left stay live until the liveness timeout, and the replica would be
      // placed on them too, each node with a backoff of its own: lost, they leave this node the only one.
      AvroDeserializer<EventEnvelope> events = new AvroDeserializer<>(EventEnvelope.class, registry);
      List<String> others = upToNow(Topics.EVENTS).stream().map(ConsumerRecord::key)
          .filter(k -> k.startsWith("node/") && !k.equals(AggregateIds.node(node))).distinct().toList();
      others.forEach(k -> send(commands, agent, k, new MarkNodeLost(k.substring("node/".length()), null, 0L)));
      for (String other : others) {
        await(Topics.EVENTS, r -> r.key().equals(other)
            && events.deserialize(Topics.EVENTS, r.value()).getPayload() instanceof NodeLost, r -> r);
      }
      send(commands, admin, gateway, new CreateGateway(account, "default", "web", "tx" + run,
          List.of(Listener.newBuilder().setName("web").setPort(8080).setProtocol(ListenerProtocol.HTTP).build())));

      java.util.function.Function<ConsumerRecord<String, byte[]>, Object> payload =
          r -> events.deserialize(Topics.EVENTS, r.value()).getPayload();
      await(Topics.EVENTS, r -> r.key().equals(placement) && payload.apply(r) instanceof ReplicaLost, payload);
      // 20 s from the first loss: starts at about 0, 1, 3, 7 and 15 s with the backoff (at most 5 placed/lost
      // pairs with the first), one every round or so without it.
      Thread.sleep(20_000);
      List<Object> placements = upToNow(Topics.EVENTS).stream().filter(r -> placement.equals(r.key()))
          .map(payload).toList();
      System.out.println("placement events of a replica that keeps exiting, 20 s after its first loss: "
          + placements.size() + " " + placements);
      assertThat(placements).hasSizeBetween(4, 10);
      assertThat(placements.reversed().stream().filter(ReplicaLost.class::isInstance).findFirst().orElseThrow())
          .isInstanceOfSatisfying(ReplicaLost.class, lost -> assertThat(lost.getReason())
          .startsWith("envoy exited with code 1 (log ").contains("without getting ready")
          .containsPattern(", [2-5] times in a row; started again in (2|4|8|16) s$"));
      on.set(false);
      heartbeats.join();
    } finally {
      on.set(false);
      provisioner.close();
      nodes.close();
      views.close();
      decider.close();
    }
  }

  /** What the provisioner knows once that has stopped changing for 2 s (nothing else runs on the platform now). */
  private static String settled(ProvisionerService provisioner) throws InterruptedException {
    String last = provisioner.health().state();
    long stableSince = System.nanoTime(), deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() - stableSince < Duration.ofSeconds(2).toNanos()) {
      assertThat(System.nanoTime()).as("provisioner state settles").isLessThan(deadline);
      Thread.sleep(100);
      String now = provisioner.health().state();
      if (!now.equals(last)) {
        last = now;
        stableSince = System.nanoTime();
      }
    }
    return last.substring("RUNNING: ".length());
  }

  private void send(KafkaProducer<String, CommandEnvelope> producer, Actor actor, String target, Object payload) {
    CommandEnvelope c = CommandEnvelope.newBuilder().setCommandId("prov-" + run + "-" + (++next)).setActor(actor)
        .setTargetAggregateId(target).setTimestamp(Instant.ofEpochMilli(System.currentTimeMillis()))
        .setPayload(payload).build();
    producer.send(new ProducerRecord<>(Topics.COMMANDS, target, c));
  }

  /** The committed records of {@code topic} up to its end now, in order per partition. */
  private List<ConsumerRecord<String, byte[]>> upToNow(String topic) {
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      List<org.apache.kafka.common.TopicPartition> parts = new ArrayList<>();
      consumer.partitionsFor(topic).forEach(p -> parts.add(new org.apache.kafka.common.TopicPartition(topic,
          p.partition())));
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(parts);
      List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
      while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      return records;
    }
  }

  private <T> T await(String topic, Predicate<ConsumerRecord<String, byte[]>> match,
      java.util.function.Function<ConsumerRecord<String, byte[]>, T> read) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      List<org.apache.kafka.common.TopicPartition> parts = new ArrayList<>();
      consumer.partitionsFor(topic).forEach(p -> parts.add(new org.apache.kafka.common.TopicPartition(topic,
          p.partition())));
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.key() != null && match.test(r)) {
            return read.apply(r);
          }
        }
      }
    }
    throw new AssertionError("no matching record on " + topic + " within " + WAIT);
  }
}
