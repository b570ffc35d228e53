package org.epicgateway.provisioner;

import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
import org.epicgateway.provisioner.provider.ReplicaProvider;
import org.epicgateway.schemas.EventHashes;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.NodeHeartbeat;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.reports.ReportSender;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.epicgateway.schemas.serde.WireFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link Provisioner} on the platform: one thread reads epic.gateway-state and the node and placement events
 * of epic.events from the beginning (read_committed; it keeps no state of its own, so a restart rebuilds it) and
 * the heartbeats arriving on epic.commands from now on, and reconciles twice a second. Reports go back through
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
    List<TopicPartition> fromStart = new ArrayList<>();
    List<TopicPartition> fromNow = new ArrayList<>();
    for (String topic : List.of(Topics.GATEWAY_STATE, Topics.EVENTS)) {
      consumer.partitionsFor(topic).forEach(p -> fromStart.add(new TopicPartition(topic, p.partition())));
    }
    consumer.partitionsFor(Topics.COMMANDS).forEach(p -> fromNow.add(new TopicPartition(Topics.COMMANDS,
        p.partition())));
    List<TopicPartition> all = new ArrayList<>(fromStart);
    all.addAll(fromNow);
    consumer.assign(all);
    consumer.seekToBeginning(fromStart);
    consumer.seekToEnd(fromNow);
    AvroDeserializer<GatewayView> views = new AvroDeserializer<>(GatewayView.class, registry);
    AvroDeserializer<EventEnvelope> events = new AvroDeserializer<>(EventEnvelope.class, registry);
    AvroDeserializer<CommandEnvelope> commands = new AvroDeserializer<>(CommandEnvelope.class, registry);
    // Nothing is reconciled before the state that existed at start is read back: a placement whose gateway view has
    // not arrived yet would look unwanted and every running replica would be reported lost.
    Map<TopicPartition, Long> startState = consumer.endOffsets(fromStart);
    loop = Thread.ofPlatform().name("provisioner").start(() -> {
      Instant next = clock.instant();
      boolean caughtUp = false;
      try (consumer) {
        while (!stopping) {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            feed(provisioner, r, views, events, commands);
          }
          caughtUp = caughtUp || startState.entrySet().stream()
              .allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
          if (caughtUp && !clock.instant().isBefore(next)) {
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

  private void feed(Provisioner provisioner, ConsumerRecord<String, byte[]> r, AvroDeserializer<GatewayView> views,
      AvroDeserializer<EventEnvelope> events, AvroDeserializer<CommandEnvelope> commands) {
    String key = r.key();
    try {
      switch (r.topic()) {
        case Topics.GATEWAY_STATE -> provisioner.view(key, r.value() == null ? null
            : views.deserialize(r.topic(), r.value()));
        case Topics.EVENTS -> {
          if (key != null && r.value() != null && (key.startsWith("node/") || key.startsWith("placement/"))) {
            byte[] stored = r.value();
            provisioner.event(events.deserialize(r.topic(), stored), EventHashes.hashOfDatum(stored,
                WireFormat.HEADER_LENGTH, stored.length - WireFormat.HEADER_LENGTH));
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
  }

  /** Reads the gateway views, the event log and the heartbeats (assigned partitions, no group); writes reports. */
  @Override
  public KafkaAccess kafkaAccess() {
    return KafkaAccess.reads(Topics.GATEWAY_STATE, Topics.EVENTS, Topics.COMMANDS)
        .plus(KafkaAccess.writes(Topics.COMMANDS));
  }

  @Override
  public Health health() {
    if (failure != null) {
      return Health.down("FAILED: " + failure);
    }
    return loop != null && loop.isAlive() ? Health.up("RUNNING") : Health.down("NOT_RUNNING");
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
