package org.epicgateway.schemas.serde;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.epicgateway.schemas.registry.SchemaRegistryClient;

/**
 * Confluent-wire-format Avro serde for one generated class, for Kafka Streams' {@code Consumed}/{@code Produced}.
 * Configure with {@code schema.registry.url} (and optionally {@code auto.register.schemas}), or pass a shared
 * {@link SchemaRegistryClient}.
 */
public final class AvroSerde<T extends SpecificRecord> extends Serdes.WrapperSerde<T> {
  public AvroSerde(Class<T> type) {
    super(new AvroSerializer<>(), new AvroDeserializer<>(type));
  }

  public AvroSerde(Class<T> type, SchemaRegistryClient registry) {
    super(new AvroSerializer<>(registry), new AvroDeserializer<>(type, registry));
  }
}
