package org.epicgateway.schemas.serde;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.epicgateway.schemas.registry.SchemaRegistryClient;

/** Config keys of the Avro serde; the names are Confluent's so existing client configs carry over. */
public final class SerdeConfig {
  /** Base URL of the Confluent-compatible registry API (for Apicurio: {@code http://host:port/apis/ccompat/v7}). */
  public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
  /** Register the record's schema on first serialize (default true); when false it must already be registered. */
  public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";

  static SchemaRegistryClient client(Map<String, ?> configs) {
    Object url = configs.get(SCHEMA_REGISTRY_URL);
    if (url == null || url.toString().isBlank()) {
      throw new ConfigException(SCHEMA_REGISTRY_URL + " is not set; the Avro serde needs the schema registry URL");
    }
    return new SchemaRegistryClient(url.toString());
  }

  static boolean autoRegister(Map<String, ?> configs) {
    Object value = configs.get(AUTO_REGISTER_SCHEMAS);
    if (value == null) {
      return true;
    }
    String text = value.toString().trim();
    if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
      throw new ConfigException(AUTO_REGISTER_SCHEMAS, value, "must be true or false");
    }
    return Boolean.parseBoolean(text);
  }

  /** TopicNameStrategy: one subject per topic and record part. */
  static String subject(String topic, boolean isKey) {
    return topic + (isKey ? "-key" : "-value");
  }

  private SerdeConfig() {}
}
