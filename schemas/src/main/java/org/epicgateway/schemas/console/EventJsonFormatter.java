package org.epicgateway.schemas.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.MessageFormatter;
import org.apache.kafka.common.config.ConfigException;
import org.epicgateway.schemas.json.AvroJson;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.registry.SchemaRegistryException;
import org.epicgateway.schemas.serde.SerdeConfig;
import org.epicgateway.schemas.serde.WireFormat;

/**
 * Makes {@code kafka-console-consumer} print EPIC topics readably (Confluent's Avro console consumer is not
 * available): one line per record, the UTF-8 key, a tab, and the value as JSON ({@link AvroJson}), decoded with the
 * writer schema fetched from the registry by the id in the value, so records of any schema version print.
 *
 * <pre>
 * kafka-console-consumer.sh --bootstrap-server 127.0.0.1:9092 --topic epic.events --from-beginning \
 *   --formatter org.epicgateway.schemas.console.EventJsonFormatter \
 *   --formatter-property schema.registry.url=http://127.0.0.1:8081/apis/ccompat/v7
 * </pre>
 *
 * Properties: {@code schema.registry.url} (required), {@code print.key} (default true), {@code key.separator}
 * (default tab). A tombstone prints {@code null}; a value that cannot be decoded prints a JSON object with
 * {@code @error}, partition and offset instead of stopping the consumer.
 */
public final class EventJsonFormatter implements MessageFormatter {
  public static final String PRINT_KEY = "print.key";
  public static final String KEY_SEPARATOR = "key.separator";

  private static final ObjectMapper JSON = new ObjectMapper();

  private SchemaRegistryClient registry;
  private boolean printKey = true;
  private String keySeparator = "\t";
  private final Map<Integer, GenericDatumReader<GenericRecord>> readers = new ConcurrentHashMap<>();

  @Override
  public void configure(Map<String, ?> configs) {
    Object url = configs.get(SerdeConfig.SCHEMA_REGISTRY_URL);
    if (url == null || url.toString().isBlank()) {
      throw new ConfigException(SerdeConfig.SCHEMA_REGISTRY_URL + " is not set: pass --formatter-property "
          + SerdeConfig.SCHEMA_REGISTRY_URL + "=<registry URL>");
    }
    // A console tool reports a registry that is down on the record's line rather than wait the client's default 30 s.
    registry = new SchemaRegistryClient(url.toString(), Duration.ofSeconds(5));
    if (configs.containsKey(PRINT_KEY)) {
      String value = configs.get(PRINT_KEY).toString().trim();
      if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
        throw new ConfigException(PRINT_KEY, value, "must be true or false");
      }
      printKey = Boolean.parseBoolean(value);
    }
    if (configs.containsKey(KEY_SEPARATOR)) {
      keySeparator = configs.get(KEY_SEPARATOR).toString();
    }
  }

  @Override
  public void writeTo(ConsumerRecord<byte[], byte[]> record, PrintStream output) {
    if (registry == null) {
      throw new IllegalStateException("EventJsonFormatter is not configured: set " + SerdeConfig.SCHEMA_REGISTRY_URL);
    }
    StringBuilder line = new StringBuilder();
    if (printKey) {
      line.append(record.key() == null ? "null" : new String(record.key(), StandardCharsets.UTF_8)).append(keySeparator);
    }
    line.append(record.value() == null ? "null" : render(record));
    output.println(line);
  }

  private String render(ConsumerRecord<byte[], byte[]> record) {
    byte[] value = record.value();
    try {
      int id = WireFormat.schemaId(value);
      GenericDatumReader<GenericRecord> reader =
          readers.computeIfAbsent(id, i -> new GenericDatumReader<>(registry.schemaById(i)));
      GenericRecord decoded = reader.read(null, DecoderFactory.get()
          .binaryDecoder(value, WireFormat.HEADER_LENGTH, value.length - WireFormat.HEADER_LENGTH, null));
      return AvroJson.toJsonLine(decoded);
    } catch (IllegalArgumentException | SchemaRegistryException | IOException | AvroRuntimeException
        | IndexOutOfBoundsException e) {
      return JSON.createObjectNode().put("@error", e.getMessage()).put("topic", record.topic())
          .put("partition", record.partition()).put("offset", record.offset()).toString();
    }
  }
}
