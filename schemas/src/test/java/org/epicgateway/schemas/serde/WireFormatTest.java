package org.epicgateway.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.epicgateway.schemas.EventHashes;
import org.epicgateway.schemas.SampleEvents;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.junit.jupiter.api.Test;

class WireFormatTest {
  @Test
  void framesMagicByteBigEndianIdAndAvroBinary() throws IOException {
    EventEnvelope event = SampleEvents.requested(EventHashes.genesis());
    byte[] framed = WireFormat.frame(0x01020304, event);

    assertThat(Arrays.copyOf(framed, 5)).containsExactly(0, 1, 2, 3, 4);
    assertThat(WireFormat.schemaId(framed)).isEqualTo(0x01020304);
    GenericRecord decoded = new GenericDatumReader<GenericRecord>(EventEnvelope.getClassSchema()).read(null,
        DecoderFactory.get().binaryDecoder(framed, 5, framed.length - 5, null));
    assertThat(decoded.get("aggregateId").toString()).isEqualTo("gateway/acme/default/web");
    assertThat(EventHashes.hashOfDatum(framed, WireFormat.HEADER_LENGTH, framed.length - WireFormat.HEADER_LENGTH))
        .as("the stored datum hashes to the event's chain hash").isEqualTo(EventHashes.hash(event));
  }

  @Test
  void idIsSignedBigEndian() {
    byte[] framed = WireFormat.frame(-2, SampleEvents.requested(EventHashes.genesis()));
    assertThat(Arrays.copyOf(framed, 5)).containsExactly(0, 0xff, 0xff, 0xff, 0xfe);
    assertThat(WireFormat.schemaId(framed)).isEqualTo(-2);
  }

  @Test
  void rejectsValuesThatAreNotWireFormat() {
    assertThatThrownBy(() -> WireFormat.schemaId(new byte[] {0, 0, 1})).hasMessageContaining("3 bytes is too short");
    assertThatThrownBy(() -> WireFormat.schemaId(new byte[] {'{', '"', 'a', '"', ':'}))
        .hasMessageContaining("starts with byte 0x7b");
  }

  @Test
  void deserializerNamesTopicWhenMagicByteIsWrong() {
    // The registry is never contacted: the framing is checked first.
    var deserializer = new AvroDeserializer<>(EventEnvelope.class, new SchemaRegistryClient("http://127.0.0.1:9"));
    assertThatThrownBy(() -> deserializer.deserialize("epic.events", "plain text".getBytes()))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("topic epic.events").hasMessageContaining("magic byte 0x00");
    assertThat(deserializer.deserialize("epic.events", null)).isNull();
  }

  @Test
  void serializerKeepsTombstonesAndRequiresRegistryUrl() {
    AvroSerializer<EventEnvelope> serializer = new AvroSerializer<>();
    assertThatThrownBy(() -> serializer.configure(Map.of(), false)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("schema.registry.url is not set");
    assertThatThrownBy(() -> serializer.configure(
        Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, "http://x", SerdeConfig.AUTO_REGISTER_SCHEMAS, "yes"), false))
        .isInstanceOf(ConfigException.class).hasMessageContaining("auto.register.schemas");
    serializer.configure(Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, "http://127.0.0.1:9"), false);
    assertThat(serializer.serialize("epic.gateway-state", null)).isNull();
  }

  @Test
  void unreachableRegistryFailsNamingUrlAndSubject() {
    var serializer = new AvroSerializer<EventEnvelope>(new SchemaRegistryClient("http://127.0.0.1:9/apis/ccompat/v7",
        Duration.ofMillis(200)));
    assertThatThrownBy(() -> serializer.serialize("epic.events", SampleEvents.requested(EventHashes.genesis())))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("POST http://127.0.0.1:9/apis/ccompat/v7/subjects/epic.events-value/versions")
        .hasMessageContaining("subject epic.events-value");
  }
}
