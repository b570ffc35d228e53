package org.epicgateway.schemas.serde;

import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.avro.specific.SpecificRecord;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.registry.SchemaRegistryException;

/**
 * Writes generated Avro records in the Confluent wire format under the subject {@code <topic>-value} (or
 * {@code -key}), registering the record's schema on first use unless {@code auto.register.schemas=false}.
 * A null record stays null so compacted topics get tombstones.
 */
public final class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {
  private SchemaRegistryClient registry;
  private boolean isKey;
  private boolean autoRegister = true;

  /** For Kafka's config-driven construction; {@link #configure} must supply {@code schema.registry.url}. */
  public AvroSerializer() {}

  /** Shares a registry client (and its cache); usable without {@link #configure} as a value serializer. */
  public AvroSerializer(SchemaRegistryClient registry) {
    this.registry = registry;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    if (registry == null) {
      registry = SerdeConfig.client(configs);
    }
    this.isKey = isKey;
    this.autoRegister = SerdeConfig.autoRegister(configs);
  }

  @Override
  public byte[] serialize(String topic, T record) {
    if (record == null) {
      return null;
    }
    if (registry == null) {
      throw new SerializationException("AvroSerializer is not configured: set " + SerdeConfig.SCHEMA_REGISTRY_URL);
    }
    return WireFormat.frame(schemaId(SerdeConfig.subject(topic, isKey), record.getSchema()), record);
  }

  private int schemaId(String subject, Schema schema) {
    try {
      if (autoRegister) {
        return registry.register(subject, schema);
      }
      return registry.lookup(subject, schema).orElseThrow(() -> new SerializationException("schema "
          + schema.getFullName() + " is not registered under subject " + subject + " at " + registry.baseUrl()
          + " and " + SerdeConfig.AUTO_REGISTER_SCHEMAS + "=false")).id();
    } catch (SchemaRegistryException e) {
      throw new SerializationException("cannot get a schema id for " + schema.getFullName() + ": " + e.getMessage(), e);
    }
  }
}
