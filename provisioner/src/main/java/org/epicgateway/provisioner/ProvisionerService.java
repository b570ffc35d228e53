package org.epicgateway.provisioner;

import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.epicgateway.platform.Health;
import org.epicgateway.platform.KafkaAccess;
import org.epicgateway.platform.KafkaConnection;
import org.epicgateway.platform.PlatformContext;
import org.epicgateway.platform.PlatformService;
import org.epicgateway.provisioner.kubernetes.KubernetesProvider;
import org.epicgateway.provisioner.local.LocalProvider;
import org.epicgateway.projections.nodetopology.NodeTopology;
import org.epicgateway.provisioner.provider.ReplicaProvider;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.NodeHeartbeat;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.reports.ReportSender;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link Provisioner} on the platform: one thread reads two compacted topics from the beginning,
 * epic.gateway-state and the node projection's folded node and placement states
 * ({@link NodeTopology#STATES_CHANGELOG}), read_committed (it keeps no state of its own, so a restart rebuilds it
 * from state, never from the whole of epic.events), and the heartbeats arriving on epic.commands from now on, and
 * reconciles twice a second. Until the node projection has created its changelog, the thread looks for it every
 * second and does not reconcile. Reports go back through
 * epic.commands. Settings (system properties): {@code epic.provisioner.provider} local (default) or kubernetes,
 * {@code epic.provisioner.node-timeout} (ISO-8601, default PT15S), {@code epic.xds.host}/{@code epic.xds.port}
 * (where replicas fetch their configuration), and the providers' own ({@link LocalProvider.Settings},
 * {@code epic.provisioner.k8s.namespace|image|network-namespace}).
 */
public final class ProvisionerService implements PlatformService {
  private static final Logger LOG = LoggerFactory.getLogger(ProvisionerService.class);
  private static final Duration RECONCILE_EVERY = Duration.ofMillis(500);

  private final Clock clock;
  private ReplicaProvider provider;
  private ReportSender sender;
  private Thread loop;
  private volatile boolean stopping;
  private volatile String failure;
  private volatile String known = "starting";

  public ProvisionerService() {
    this(Clock.systemUTC());
  }

  ProvisionerService(Clock clock) {
    this.clock = clock;
  }

  @Override
  public String name() {
    return "provisioner";
  }

  @Override
  public void start(PlatformContext context) {
    provider = "kubernetes".equals(System.getProperty("epic.provisioner.provider", "local"))
        ? new KubernetesProvider(new KubernetesClientBuilder().build(), new KubernetesProvider.Settings(
            System.getProperty("epic.provisioner.k8s.namespace", "epic"),
            System.getProperty("epic.provisioner.k8s.image", "envoyproxy/envoy:v1.31.1"),
            System.getProperty("epic.provisioner.k8s.network-namespace", "epic")))
        : new LocalProvider(LocalProvider.Settings.fromSystemProperties(context.stateDir(name())));
    start(context, provider);
  }

  /** Starts with a given provider (tests). */
  void start(PlatformContext context, ReplicaProvider replicas) {
    this.provider = replicas;
    SchemaRegistryClient registry = new SchemaRegistryClient(context.schemaRegistryUrl());
    sender = new ReportSender(context.kafkaClient(this), registry);
    Provisioner.Settings settings = new Provisioner.Settings(
        Duration.parse(System.getProperty("epic.provisioner.node-timeout", "PT15S")),
        System.getProperty("epic.xds.host", "127.0.0.1"), Integer.getInteger("epic.xds.port", 18000));
    Provisioner provisioner = new Provisioner(settings, replicas, sender::send, clock.instant());
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaConnection.with(context.kafkaClient(this),
        Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)), new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> fromStart = partitions(consumer, Topics.GATEWAY_STATE);
    List<TopicPartition> fromNow = partitions(consumer, Topics.COMMANDS);
    List<TopicPartition> all = new ArrayList<>(fromStart);
    all.addAll(fromNow);
    consumer.assign(all);
    consumer.seekToBeginning(fromStart);
    consumer.seekToEnd(fromNow);
    AvroDeserializer<GatewayView> views = new AvroDeserializer<>(GatewayView.class, registry);
    AvroDeserializer<AggregateState> states = new AvroDeserializer<>(AggregateState.class, registry);
    AvroDeserializer<CommandEnvelope> commands = new AvroDeserializer<>(CommandEnvelope.class, registry);
    // Nothing is reconciled before the state that existed at start is read back: a placement whose gateway view has
    // not arrived yet would look unwanted and every running replica would be reported lost.
    Map<TopicPartition, Long> startState = new HashMap<>(consumer.endOffsets(fromStart));
    loop = Thread.ofPlatform().name("provisioner").start(() -> {
      Instant started = clock.instant(), next = started;
      boolean statesAssigned = false, caughtUp = false;
      try (consumer) {
        while (!stopping) {
          if (!statesAssigned && !clock.instant().isBefore(next)) {
            // assign() keeps the positions of the partitions already assigned.
            List<TopicPartition> nodeStates = partitions(consumer, NodeTopology.STATES_CHANGELOG);
            statesAssigned = !nodeStates.isEmpty();
            if (statesAssigned) {
              List<TopicPartition> more = new ArrayList<>(consumer.assignment());
              more.addAll(nodeStates);
              consumer.assign(more);
              consumer.seekToBeginning(nodeStates);
              startState.putAll(consumer.endOffsets(nodeStates));
            } else {
              if (next.equals(started)) {
                LOG.info("provisioner: waiting for {} (the node projection creates it)", NodeTopology.STATES_CHANGELOG);
              }
              next = clock.instant().plusSeconds(1);
            }
          }
          boolean changed = false;
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            changed |= feed(provisioner, r, views, states, commands);
          }
          known = provisioner.known();
          caughtUp = caughtUp || statesAssigned && startState.entrySet().stream()
              .allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
          // At once on a new view or state (a created gateway, a decided report) or a replica's change, else every
          // RECONCILE_EVERY: waiting for the round cost a gateway up to two periods on its way to being announced.
          if (caughtUp && (changed || provider.changed() || !clock.instant().isBefore(next))) {
            provisioner.reconcile(clock.instant());
            next = clock.instant().plus(RECONCILE_EVERY);
          }
        }
      } catch (RuntimeException e) {
        failure = e.toString();
        LOG.error("provisioner stopped", e);
      }
    });
  }

  private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
    List<TopicPartition> parts = new ArrayList<>();
    consumer.partitionsFor(topic).forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
    return parts;
  }

  /** Feeds one record; true when it is a view or a state (a heartbeat only moves liveness, checked each round). */
  private boolean feed(Provisioner provisioner, ConsumerRecord<String, byte[]> r, AvroDeserializer<GatewayView> views,
      AvroDeserializer<AggregateState> states, AvroDeserializer<CommandEnvelope> commands) {
    String key = r.key();
    try {
      switch (r.topic()) {
        case Topics.GATEWAY_STATE -> {
          provisioner.view(key, r.value() == null ? null : views.deserialize(r.topic(), r.value()));
          return true;
        }
        case NodeTopology.STATES_CHANGELOG -> {
          if (key != null) {
            provisioner.state(key, r.value() == null ? null : states.deserialize(r.topic(), r.value()));
            return true;
          }
        }
        default -> {
          if (key != null && key.startsWith("node/") && r.value() != null) {
            CommandEnvelope c = commands.deserialize(r.topic(), r.value());
            if (c.getPayload() instanceof NodeHeartbeat h) {
              provisioner.heartbeat(h.getNode(), clock.instant(), c.getCommandId());
            }
          }
        }
      }
    } catch (RuntimeException e) {
      // A record this reader cannot decode is skipped, as the platform's other plain readers do.
      LOG.error("provisioner: skipping {}@{}/{}: {}", r.topic(), r.partition(), r.offset(), e.toString());
    }
    return false;
  }

  /**
   * Reads the gateway views, the node projection's node and placement states and the heartbeats (assigned
   * partitions, no group; never epic.events); writes reports.
   */
  @Override
  public KafkaAccess kafkaAccess() {
    return KafkaAccess.reads(Topics.GATEWAY_STATE, NodeTopology.STATES_CHANGELOG, Topics.COMMANDS)
        .plus(KafkaAccess.writes(Topics.COMMANDS));
  }

  @Override
  public Health health() {
    if (failure != null) {
      return Health.down("FAILED: " + failure);
    }
    return loop != null && loop.isAlive() ? Health.up("RUNNING: " + known) : Health.down("NOT_RUNNING");
  }

  @Override
  public void close() {
    stopping = true;
    if (loop != null) {
      try {
        loop.join(Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (provider != null) {
      provider.close();
    }
    if (sender != null) {
      sender.close();
    }
  }
}
