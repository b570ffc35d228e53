package org.epicgateway.xds.revisions;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.junit.jupiter.api.Test;

/** The archive is read at every start of the projector: a record it cannot decode is skipped, never fatal. */
class KafkaRevisionArchiveTest {

  @Test
  void anUndecodableRevisionIsSkipped() throws Exception {
    EmbeddedPlatform platform = EmbeddedPlatform.sharedForTests();
    SchemaRegistryClient registry = new SchemaRegistryClient(platform.schemaRegistryUrl());
    String key = "gateway/garbage/default/" + UUID.randomUUID() + "@v1";
    try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers()),
        new StringSerializer(), new ByteArraySerializer())) {
      raw.send(new ProducerRecord<>(Topics.ENVOY_REVISIONS, key,
          "not a revision".getBytes(StandardCharsets.UTF_8))).get();
    }
    List<KafkaRevisionArchive.Archived> archived =
        KafkaRevisionArchive.readAll(platform.kafkaClient(), registry);
    assertThat(archived).noneMatch(a -> key.startsWith(a.config().gatewayId() + "@"));
  }
}
