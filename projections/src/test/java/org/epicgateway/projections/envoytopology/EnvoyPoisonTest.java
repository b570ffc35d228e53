package org.epicgateway.projections.envoytopology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.projections.routecheck.ManifestLoader;
import org.epicgateway.projections.streams.DeadLetters;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.TemplateState;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroSerializer;
import org.junit.jupiter.api.Test;

/**
 * The Envoy projection on the real broker and registry: a view it cannot derive goes to epic.dlq with the reason; the
 * next view is derived, also after a restart. (Garbage bytes are not written here: other tests of this JVM read
 * epic.gateway-state strictly. PoisonCommandTest shows the same handler dead-lettering garbage on epic.commands.)
 */
class EnvoyPoisonTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);

  private final EmbeddedPlatform platform = EmbeddedPlatform.sharedForTests();
  private final String run = UUID.randomUUID().toString().substring(0, 8);

  @Test
  void aViewThatCannotBeDerivedIsDeadLetteredAndTheProjectionGoesOnAlsoAfterARestart() throws Exception {
    AvroSerializer<GatewayView> views = new AvroSerializer<>(new SchemaRegistryClient(platform.schemaRegistryUrl()));
    EnvoyProjectionService projection = new EnvoyProjectionService();
    projection.start(platform.context());
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers()),
        new StringSerializer(), new ByteArraySerializer())) {
      GatewayView broken = view("broken");
      broken.setTemplate(TemplateState.newBuilder().setTemplate("t").setPool("p").setReplicas(1)
          .setShareable(false).setEnvoyBaseConfig("nonsense: {}").build());
      producer.send(new ProducerRecord<>(Topics.GATEWAY_STATE, broken.getGatewayId(),
          views.serialize(Topics.GATEWAY_STATE, broken))).get();
      GatewayView good = view("good");
      producer.send(new ProducerRecord<>(Topics.GATEWAY_STATE, good.getGatewayId(),
          views.serialize(Topics.GATEWAY_STATE, good))).get();

      awaitKey(Topics.ENVOY_CONFIG, good.getGatewayId());
      ConsumerRecord<String, byte[]> letter = awaitKey(Topics.DLQ, broken.getGatewayId());
      assertThat(code(letter)).isEqualTo("UNPROCESSABLE");
      assertThat(new String(letter.headers().lastHeader(DeadLetters.MESSAGE).value(), StandardCharsets.UTF_8))
          .contains("unknown section 'nonsense'");
      assertThat(readAll(Topics.ENVOY_CONFIG)).noneMatch(r -> r.key().equals(broken.getGatewayId()));
      assertThat(projection.health().up()).isTrue();

      projection.close();
      projection = new EnvoyProjectionService();
      projection.start(platform.context());
      GatewayView after = view("after-restart");
      producer.send(new ProducerRecord<>(Topics.GATEWAY_STATE, after.getGatewayId(),
          views.serialize(Topics.GATEWAY_STATE, after))).get();
      awaitKey(Topics.ENVOY_CONFIG, after.getGatewayId());
      assertThat(projection.health().up()).isTrue();
    } finally {
      projection.close();
    }
  }

  private GatewayView view(String name) {
    GatewayView view = ManifestLoader.parse("gw.yaml", """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: %s, namespace: ns}
        spec:
          gatewayClassName: epic
          listeners: [{name: http, port: 80, protocol: HTTP}]
        """.formatted(name)).get(0);
    return GatewayView.newBuilder(view).setGatewayId("gateway/poison-" + run + "/ns/" + name).build();
  }

  private static String code(ConsumerRecord<?, ?> record) {
    Header h = record.headers().lastHeader(DeadLetters.CODE);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private ConsumerRecord<String, byte[]> awaitKey(String topic, String key) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<String, byte[]> r : readAll(topic)) {
        if (key.equals(r.key())) {
          return r;
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no record with key " + key + " on " + topic + " within " + TIMEOUT);
  }

  private List<ConsumerRecord<String, byte[]>> readAll(String topic) {
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString(),
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.DLQ_MAX_MESSAGE_BYTES),
        new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      return records;
    }
  }
}
