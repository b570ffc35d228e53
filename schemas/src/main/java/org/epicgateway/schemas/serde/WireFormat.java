package org.epicgateway.schemas.serde;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.apache.avro.specific.SpecificRecord;
import org.epicgateway.schemas.AvroBinary;

/**
 * The Confluent wire format: magic byte 0, the schema id as a 4-byte big-endian signed int, then the Avro binary
 * datum. Any Confluent-compatible consumer (and our own tools) can decode records framed this way.
 */
public final class WireFormat {
  public static final byte MAGIC = 0;
  /** Bytes before the Avro datum. */
  public static final int HEADER_LENGTH = 5;

  public static byte[] frame(int schemaId, SpecificRecord record) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    out.write(MAGIC);
    out.write(schemaId >>> 24);
    out.write(schemaId >>> 16);
    out.write(schemaId >>> 8);
    out.write(schemaId);
    AvroBinary.writeTo(record, out);
    return out.toByteArray();
  }

  /** The schema id of a framed value; fails with what is wrong when the bytes are not in the wire format. */
  public static int schemaId(byte[] framed) {
    if (framed.length < HEADER_LENGTH) {
      throw new IllegalArgumentException("value of " + framed.length + " bytes is too short for the Confluent wire format "
          + "(magic byte 0 + 4-byte schema id + Avro)");
    }
    if (framed[0] != MAGIC) {
      throw new IllegalArgumentException(String.format("value starts with byte 0x%02x, not the Confluent wire format's "
          + "magic byte 0x00; was it written by a Confluent-compatible Avro serializer?", framed[0]));
    }
    return ByteBuffer.wrap(framed, 1, 4).getInt();
  }

  private WireFormat() {}
}
