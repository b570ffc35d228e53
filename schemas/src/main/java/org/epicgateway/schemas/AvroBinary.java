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
  public static byte[] encode(SpecificRecord record) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    writeTo(record, out);
    return out.toByteArray();
  }

  public static void writeTo(SpecificRecord record, ByteArrayOutputStream out) {
    // SpecificData.getForClass carries the generated class's logical-type conversions (timestamp-millis <-> Instant).
    SpecificDatumWriter<SpecificRecord> writer =
        new SpecificDatumWriter<>(record.getSchema(), SpecificData.getForClass(record.getClass()));
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
