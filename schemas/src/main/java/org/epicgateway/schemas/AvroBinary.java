package org.epicgateway.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * The single place a generated record becomes Avro binary with its own schema: the serde frames these bytes and
 * {@link EventHashes} hashes them, so a hash computed before producing equals the hash of the bytes on the topic.
 */
public final class AvroBinary {
  /**
   * One writer per generated class: building it resolves the schema and the class's logical-type conversions
   * (timestamp-millis <-> Instant), which would otherwise cost on every record. Datum writers are stateless.
   */
  private static final ClassValue<SpecificDatumWriter<SpecificRecord>> WRITERS = new ClassValue<>() {
    @Override
    protected SpecificDatumWriter<SpecificRecord> computeValue(Class<?> type) {
      SpecificData model = SpecificData.getForClass(type);
      return new SpecificDatumWriter<>(model.getSchema(type), model);
    }
  };

  public static byte[] encode(SpecificRecord record) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    writeTo(record, out);
    return out.toByteArray();
  }

  public static void writeTo(SpecificRecord record, ByteArrayOutputStream out) {
    SpecificDatumWriter<SpecificRecord> writer = WRITERS.get(record.getClass());
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    try {
      writer.write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode " + record.getSchema().getFullName(), e);
    }
  }

  private AvroBinary() {}
}
