package org.epicgateway.schemas.serde;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroTypeException;
import org.apache.avro.Schema;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.registry.SchemaRegistryException;

/**
 * Reads Confluent-wire-format values into a generated class. The writer schema comes from the registry by the id in
 * the value; Avro schema resolution maps it onto the class's schema, so records written by older (or, for added
 * union branches and fields, newer) schema versions still decode.
 */
public final class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {
  private final Class<T> type;
  private final Schema readerSchema;
  private final SpecificData model;
  private final Map<Integer, SpecificDatumReader<T>> readersByWriterId = new ConcurrentHashMap<>();
  private SchemaRegistryClient registry;

  /** {@link #configure} must supply {@code schema.registry.url}. */
  public AvroDeserializer(Class<T> type) {
    this.type = type;
    this.model = SpecificData.getForClass(type);
    this.readerSchema = model.getSchema(type);
  }

  /** Shares a registry client (and its cache); usable without {@link #configure}. */
  public AvroDeserializer(Class<T> type, SchemaRegistryClient registry) {
    this(type);
    this.registry = registry;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    if (registry == null) {
      registry = SerdeConfig.client(configs);
    }
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    if (registry == null) {
      throw new SerializationException("AvroDeserializer is not configured: set " + SerdeConfig.SCHEMA_REGISTRY_URL);
    }
    int id;
    try {
      id = WireFormat.schemaId(data);
    } catch (IllegalArgumentException e) {
      throw new SerializationException("cannot read a record of topic " + topic + ": " + e.getMessage(), e);
    }
    try {
      return readerFor(id).read(null, DecoderFactory.get()
          .binaryDecoder(data, WireFormat.HEADER_LENGTH, data.length - WireFormat.HEADER_LENGTH, null));
    } catch (SchemaRegistryException e) {
      throw new SerializationException("cannot read a record of topic " + topic + ": " + e.getMessage(), e);
    } catch (IOException | AvroTypeException | IndexOutOfBoundsException e) {
      throw new SerializationException("cannot decode a record of topic " + topic + " written with schema id " + id
          + " as " + type.getName() + ": " + e.getMessage(), e);
    }
  }

  private SpecificDatumReader<T> readerFor(int writerId) {
    return readersByWriterId.computeIfAbsent(writerId,
        id -> new SpecificDatumReader<>(registry.schemaById(id), readerSchema, model));
  }
}
