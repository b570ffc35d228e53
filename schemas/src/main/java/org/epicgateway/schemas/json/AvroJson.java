package org.epicgateway.schemas.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;

/**
 * Avro records as JSON for people: the console formatter, {@code ./epic events tail} and the audit commands all print
 * through this one rendering. Unlike Avro's own JSON encoding, union values are not wrapped in their branch name; a
 * record chosen from a union of several records (an event payload, a command) says which one in {@code "@type"};
 * timestamps are ISO-8601 instants and bytes (hashes) are hex.
 */
public final class AvroJson {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final GenericData DATA = new GenericData();

  static {
    // Generated classes hold timestamp-millis as Instant; union resolution must know that type.
    DATA.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
  }

  private AvroJson() {}

  /** Any Avro record (specific or generic) as a JSON tree. */
  public static ObjectNode toJson(IndexedRecord record) {
    return (ObjectNode) toJson(record, record.getSchema());
  }

  /** One compact line of JSON. */
  public static String toJsonLine(IndexedRecord record) {
    try {
      return MAPPER.writeValueAsString(toJson(record));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render " + record.getSchema().getFullName() + " as JSON", e);
    }
  }

  private static JsonNode toJson(Object datum, Schema schema) {
    return switch (schema.getType()) {
      case NULL -> NODES.nullNode();
      case BOOLEAN -> NODES.booleanNode((Boolean) datum);
      case INT -> NODES.numberNode(((Number) datum).intValue());
      case LONG -> timestamp(datum, schema);
      case FLOAT -> NODES.numberNode(((Number) datum).floatValue());
      case DOUBLE -> NODES.numberNode(((Number) datum).doubleValue());
      case STRING, ENUM -> NODES.textNode(datum.toString());
      case BYTES -> NODES.textNode(hex((ByteBuffer) datum));
      case FIXED -> NODES.textNode(HexFormat.of().formatHex(((GenericFixed) datum).bytes()));
      case ARRAY -> {
        ArrayNode array = NODES.arrayNode();
        for (Object item : (Iterable<?>) datum) {
          array.add(toJson(item, schema.getElementType()));
        }
        yield array;
      }
      case MAP -> {
        ObjectNode map = NODES.objectNode();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) datum).entrySet()) {
          map.set(e.getKey().toString(), toJson(e.getValue(), schema.getValueType()));
        }
        yield map;
      }
      case UNION -> {
        Schema branch = schema.getTypes().get(DATA.resolveUnion(schema, datum));
        JsonNode value = toJson(datum, branch);
        long records = schema.getTypes().stream().filter(s -> s.getType() == Schema.Type.RECORD).count();
        if (records > 1 && value instanceof ObjectNode object) {
          ObjectNode typed = NODES.objectNode().put("@type", branch.getName());
          typed.setAll(object);
          yield typed;
        }
        yield value;
      }
      case RECORD -> {
        IndexedRecord record = (IndexedRecord) datum;
        ObjectNode object = NODES.objectNode();
        for (Schema.Field field : schema.getFields()) {
          Object value = record.get(field.pos());
          object.set(field.name(), value == null ? NODES.nullNode() : toJson(value, field.schema()));
        }
        yield object;
      }
    };
  }

  /** Generated classes hold timestamp-millis as {@link Instant}, generic records as a plain long. */
  private static JsonNode timestamp(Object datum, Schema schema) {
    if (datum instanceof Instant instant) {
      return NODES.textNode(instant.toString());
    }
    long value = ((Number) datum).longValue();
    if (schema.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
      return NODES.textNode(Instant.ofEpochMilli(value).toString());
    }
    return NODES.numberNode(value);
  }

  private static String hex(ByteBuffer buffer) {
    ByteBuffer b = buffer.duplicate();
    byte[] bytes = new byte[b.remaining()];
    b.get(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
