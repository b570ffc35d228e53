package org.epicgateway.projections.streams;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.epicgateway.schemas.AvroBinary;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.RejectionCode;
import org.epicgateway.schemas.serde.WireFormat;

/**
 * The check every EPIC processor makes before it writes anything for an input record: each record it would write (to
 * a topic, or to a store, whose changelog is a topic) must encode with the Avro binary the serializer writes and fit
 * in {@link Topics#MAX_RECORD_BYTES}. Refusing here, before any write, is what keeps one input from failing the
 * exactly-once transaction again on every retry.
 */
public final class RecordLimit {

  private RecordLimit() {}

  /**
   * @param what the record in the product's words, for the message ("the event EndpointSliceUpserted")
   * @throws OutputRefused naming the record, its size, the limit and the part of it that holds most of the size
   */
  public static void check(String what, String key, SpecificRecord value) throws OutputRefused {
    long size = size(what, key, value);
    if (size > Topics.MAX_RECORD_BYTES) {
      throw new OutputRefused(RejectionCode.TOO_LARGE, what + " would be " + size + " bytes, above the limit of "
          + Topics.MAX_RECORD_BYTES + " bytes per record" + largestPart(value), null);
    }
  }

  /** Whether the record encodes and fits, for records whose refusal has nobody to tell (a rejection's own reply). */
  public static boolean fits(String key, SpecificRecord value) {
    try {
      return size("", key, value) <= Topics.MAX_RECORD_BYTES;
    } catch (OutputRefused e) {
      return false;
    }
  }

  /** Key plus framed value, as the producer sends them (a tombstone has no value). */
  private static long size(String what, String key, SpecificRecord value) throws OutputRefused {
    long keyBytes = key == null ? 0 : key.getBytes(StandardCharsets.UTF_8).length;
    if (value == null) {
      return keyBytes;
    }
    try {
      return keyBytes + WireFormat.HEADER_LENGTH + AvroBinary.encode(value).length;
    } catch (RuntimeException e) {
      throw new OutputRefused(RejectionCode.UNPROCESSABLE, what + " cannot be encoded: " + e, e);
    }
  }

  /**
   * "; most of it is payload.slice.endpoints[0].hostname (1048000 bytes)": from the record down, the child holding more
   * than half of its parent, as long as there is one. Sizes are estimated from strings, bytes and item counts, which
   * is enough to point at the culprit.
   */
  static String largestPart(SpecificRecord record) {
    StringBuilder path = new StringBuilder();
    Schema schema = record.getSchema();
    Object node = record;
    long size = weight(schema, node);
    while (true) {
      Part biggest = null;
      for (Part p : parts(schema, node)) {
        if (biggest == null || p.weight > biggest.weight) {
          biggest = p;
        }
      }
      if (biggest == null || biggest.weight * 2 <= size) {
        break;
      }
      if (!path.isEmpty() && !biggest.label.startsWith("[")) {
        path.append('.');
      }
      path.append(biggest.label);
      schema = biggest.schema;
      node = biggest.value;
      size = biggest.weight;
    }
    return path.isEmpty() ? "" : "; most of it is " + path + " (about " + size + " bytes)";
  }

  private record Part(String label, Schema schema, Object value, long weight) {}

  private static List<Part> parts(Schema schema, Object value) {
    if (value == null) {
      return List.of();
    }
    Schema s = branch(schema, value);
    return switch (s.getType()) {
      case RECORD -> s.getFields().stream().map(f -> {
        Object v = ((IndexedRecord) value).get(f.pos());
        return new Part(f.name(), f.schema(), v, weight(f.schema(), v));
      }).toList();
      case ARRAY -> {
        List<?> items = (List<?>) value;
        yield IntStream.range(0, items.size())
            .mapToObj(i -> new Part("[" + i + "]", s.getElementType(), items.get(i),
                weight(s.getElementType(), items.get(i))))
            .toList();
      }
      case MAP -> ((Map<?, ?>) value).entrySet().stream()
          .map(e -> new Part("[" + e.getKey() + "]", s.getValueType(), e.getValue(),
              weight(s.getValueType(), e.getValue()) + utf8(e.getKey())))
          .toList();
      default -> List.of();
    };
  }

  private static long weight(Schema schema, Object value) {
    if (value == null) {
      return 1;
    }
    Schema s = branch(schema, value);
    return switch (s.getType()) {
      case STRING -> utf8(value) + 1;
      case BYTES -> ((ByteBuffer) value).remaining() + 1;
      case FIXED -> ((GenericFixed) value).bytes().length;
      case RECORD, ARRAY, MAP -> 1 + parts(s, value).stream().mapToLong(Part::weight).sum();
      default -> 1;
    };
  }

  private static Schema branch(Schema schema, Object value) {
    return schema.getType() == Schema.Type.UNION
        ? schema.getTypes().get(SpecificData.get().resolveUnion(schema, value)) : schema;
  }

  private static long utf8(Object text) {
    return text.toString().getBytes(StandardCharsets.UTF_8).length;
  }
}
