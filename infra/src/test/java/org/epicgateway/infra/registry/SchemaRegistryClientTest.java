package org.epicgateway.infra.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.schemas.AggregateIds;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.EventHashes;
import org.epicgateway.schemas.avro.Actor;
import org.epicgateway.schemas.avro.ActorKind;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.GatewayRequested;
import org.epicgateway.schemas.avro.Listener;
import org.epicgateway.schemas.avro.ListenerProtocol;
import org.epicgateway.schemas.console.EventJsonFormatter;
import org.epicgateway.schemas.json.AvroJson;
import org.epicgateway.schemas.registry.Compatibility;
import org.epicgateway.schemas.registry.RegisteredSchema;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.registry.SchemaRegistryException;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.epicgateway.schemas.serde.AvroSerializer;
import org.epicgateway.schemas.serde.SerdeConfig;
import org.epicgateway.schemas.serde.WireFormat;
import org.junit.jupiter.api.Test;

/**
 * The schemas module's registry client and Confluent-wire-format serde against the real Apicurio server (through its
 * Confluent-compatible API) and the real embedded broker. Lives here because schemas/ cannot depend on infra/.
 */
class SchemaRegistryClientTest {
  private static final Schema PROBE_V1 = new Schema.Parser().parse("""
      {"type":"record","name":"Probe","namespace":"test","fields":[{"name":"n","type":"int"}]}""");
  private static final Schema PROBE_V2 = new Schema.Parser().parse("""
      {"type":"record","name":"Probe","namespace":"test","fields":[{"name":"n","type":"int"},
       {"name":"label","type":"string","default":""}]}""");
  private static final Schema PROBE_INCOMPATIBLE = new Schema.Parser().parse("""
      {"type":"record","name":"Probe","namespace":"test","fields":[{"name":"n","type":"string"}]}""");

  private final EmbeddedPlatform platform = EmbeddedPlatform.sharedForTests();
  private final SchemaRegistryClient client = new SchemaRegistryClient(platform.schemaRegistryUrl());

  @Test
  void registersLooksUpAndFetchesSchemas() {
    String subject = unique("probe") + "-value";
    assertThat(client.lookup(subject, PROBE_V1)).as("unknown subject").isEmpty();

    int v1 = client.register(subject, PROBE_V1);
    assertThat(new SchemaRegistryClient(platform.schemaRegistryUrl()).register(subject, PROBE_V1))
        .as("registering the same schema again (uncached) returns the same id").isEqualTo(v1);
    assertThat(client.lookup(subject, PROBE_V1)).hasValueSatisfying(r -> {
      assertThat(r.id()).isEqualTo(v1);
      assertThat(r.version()).isEqualTo(1);
    });
    assertThat(client.lookup(subject, PROBE_V2)).as("registered subject, unknown schema").isEmpty();
    assertThat(new SchemaRegistryClient(platform.schemaRegistryUrl()).schemaById(v1)).isEqualTo(PROBE_V1);

    int v2 = client.register(subject, PROBE_V2);
    RegisteredSchema latest = new SchemaRegistryClient(platform.schemaRegistryUrl()).version(subject, "latest");
    assertThat(latest).isEqualTo(new RegisteredSchema(subject, 2, v2, PROBE_V2));
    assertThat(client.version(subject, "1").schema()).isEqualTo(PROBE_V1);
  }

  @Test
  void compatibilityIsTestedAndEnforcedWithClearErrors() {
    String subject = unique("compat") + "-value";
    client.register(subject, PROBE_V1);
    client.setCompatibility(subject, Compatibility.BACKWARD);
    assertThat(client.testCompatibility(subject, PROBE_V2)).isTrue();
    assertThat(client.testCompatibility(subject, PROBE_INCOMPATIBLE)).isFalse();

    assertThatThrownBy(() -> client.register(subject, PROBE_INCOMPATIBLE))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.status()).isEqualTo(409))
        .hasMessageContaining("POST " + platform.schemaRegistryUrl() + "/subjects/" + subject + "/versions")
        .hasMessageContaining("(subject " + subject + ")")
        .hasMessageContaining("HTTP 409");

    client.setCompatibility(subject, Compatibility.NONE);
    assertThat(client.testCompatibility(subject, PROBE_INCOMPATIBLE)).as("NONE allows anything").isTrue();
  }

  @Test
  void missingSchemaIdIsANamedError() {
    assertThatThrownBy(() -> client.schemaById(987_654))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.status()).isEqualTo(404))
        .hasMessageContaining("GET " + platform.schemaRegistryUrl() + "/schemas/ids/987654 returned HTTP 404");
  }

  @Test
  void eventsRoundTripThroughKafkaInTheConfluentWireFormat() throws Exception {
    String topic = unique("serde-events");
    try (Admin admin = platform.kafka().admin()) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }
    EventEnvelope event = gatewayRequested();

    Properties producerProps = new Properties();
    producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers());
    producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    // Kafka instantiates the serializer by class and configures it from the producer's properties.
    producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, AvroSerializer.class);
    producerProps.put(SerdeConfig.SCHEMA_REGISTRY_URL, platform.schemaRegistryUrl());
    try (var producer = new KafkaProducer<String, EventEnvelope>(producerProps)) {
      producer.send(new ProducerRecord<>(topic, event.getAggregateId(), event)).get();
    }

    ConsumerRecord<String, byte[]> stored = readOne(topic);
    int id = WireFormat.schemaId(stored.value());
    assertThat(client.version(topic + "-value", "latest").id()).as("auto-registered under TopicNameStrategy")
        .isEqualTo(id);
    assertThat(EventHashes.hashOfDatum(stored.value(), WireFormat.HEADER_LENGTH,
        stored.value().length - WireFormat.HEADER_LENGTH)).isEqualTo(EventHashes.hash(event));

    var deserializer = new AvroDeserializer<>(EventEnvelope.class);
    deserializer.configure(Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, platform.schemaRegistryUrl()), false);
    assertThat(deserializer.deserialize(topic, stored.value())).isEqualTo(event);
  }

  @Test
  void oldWriterSchemaIsResolvedOntoTheGeneratedClass() {
    // Listener as an older producer wrote it: no tlsCertificateRef and no allowedRoutes yet.
    Schema oldListener = new Schema.Parser().parse("""
        {"type":"record","name":"Listener","namespace":"org.epicgateway.schemas.avro","fields":[
          {"name":"name","type":"string"},{"name":"port","type":"int"},
          {"name":"protocol","type":{"type":"enum","name":"ListenerProtocol","symbols":["HTTP","HTTPS","TLS","TCP"]}},
          {"name":"hostname","type":["null","string"],"default":null}]}""");
    String topic = unique("serde-evolution");
    int id = client.register(topic + "-value", oldListener);
    GenericRecord old = new GenericData.Record(oldListener);
    old.put("name", "https");
    old.put("port", 443);
    old.put("protocol", new GenericData.EnumSymbol(oldListener.getField("protocol").schema(), "HTTPS"));
    old.put("hostname", "shop.example.com");

    Listener read = new AvroDeserializer<>(Listener.class, client).deserialize(topic, frame(id, old));

    assertThat(read).isEqualTo(Listener.newBuilder().setName("https").setPort(443).setProtocol(ListenerProtocol.HTTPS)
        .setHostname("shop.example.com").build());
  }

  @Test
  void withoutAutoRegisterAnUnregisteredSchemaIsRefusedByName() {
    String topic = unique("serde-no-register");
    var serializer = new AvroSerializer<EventEnvelope>();
    serializer.configure(Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, platform.schemaRegistryUrl(),
        SerdeConfig.AUTO_REGISTER_SCHEMAS, "false"), false);
    assertThatThrownBy(() -> serializer.serialize(topic, gatewayRequested()))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("org.epicgateway.schemas.avro.EventEnvelope is not registered under subject " + topic
            + "-value").hasMessageContaining("auto.register.schemas=false");

    client.register(topic + "-value", EventEnvelope.getClassSchema());
    assertThat(WireFormat.schemaId(serializer.serialize(topic, gatewayRequested())))
        .isEqualTo(client.version(topic + "-value", "latest").id());
  }

  @Test
  void consoleFormatterPrintsAStoredEventAsJson() {
    String topic = unique("formatter");
    EventEnvelope event = gatewayRequested();
    byte[] value = new AvroSerializer<EventEnvelope>(client).serialize(topic, event);
    var formatter = new EventJsonFormatter();
    formatter.configure(Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, platform.schemaRegistryUrl()));

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    formatter.writeTo(new ConsumerRecord<>(topic, 0, 0, event.getAggregateId().getBytes(StandardCharsets.UTF_8), value),
        new PrintStream(out, true, StandardCharsets.UTF_8));

    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("gateway/acme/default/web\t"
        + AvroJson.toJsonLine(event) + "\n");
  }

  private ConsumerRecord<String, byte[]> readOne(String topic) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, topic + "-reader");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      List<ConsumerRecord<String, byte[]>> got = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (got.isEmpty() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(got::add);
      }
      assertThat(got).as("records on " + topic).hasSize(1);
      return got.getFirst();
    }
  }

  private static byte[] frame(int id, GenericRecord record) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(ByteBuffer.allocate(5).put(WireFormat.MAGIC).putInt(id).array());
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    try {
      new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
      encoder.flush();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static EventEnvelope gatewayRequested() {
    return EventEnvelope.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setAggregateType(AggregateType.GATEWAY.prefix())
        .setAggregateId(AggregateIds.gateway("acme", "default", "web"))
        .setSequence(1)
        .setTimestamp(Instant.parse("2026-11-22T04:00:00Z"))
        .setAccount("acme")
        .setActor(Actor.newBuilder().setKind(ActorKind.USER).setId("alice").setAccount("acme").build())
        .setCorrelationId("cmd-1")
        .setPreviousHash(EventHashes.genesis())
        .setPayload(GatewayRequested.newBuilder().setAccount("acme").setNamespace("default").setName("web")
            .setTemplate("public").setListeners(List.of(Listener.newBuilder().setName("http").setPort(80)
                .setProtocol(ListenerProtocol.HTTP).build())).build())
        .build();
  }

  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
