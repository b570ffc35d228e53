package org.epicgateway.schemas;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.epicgateway.schemas.avro.EventEnvelope;

/**
 * The tamper-evident chain of epic.events. The hash of an event is SHA-256 over the Avro binary encoding of its whole
 * envelope (previousHash included); the next event of the same aggregate carries it as {@code previousHash}, and the
 * first carries 32 zero bytes. Changing any stored event breaks every later link of its aggregate.
 *
 * <p>Verifiers should hash the stored bytes ({@link #hashOfDatum}), not a re-encoding of the decoded record: after a
 * schema evolution the reader's schema (new fields with defaults) would re-encode differently from what was written.
 */
public final class EventHashes {
  public static final int LENGTH = 32;

  /** The hash of an event about to be written with the current schema. */
  public static byte[] hash(EventEnvelope event) {
    return sha256(AvroBinary.encode(event));
  }

  /** The hash of an event's Avro datum as stored (the record value after the 5-byte Confluent wire header). */
  public static byte[] hashOfDatum(byte[] avroBinary, int offset, int length) {
    MessageDigest digest = sha256();
    digest.update(avroBinary, offset, length);
    return digest.digest();
  }

  /** {@code previousHash} of an aggregate's first event. */
  public static ByteBuffer genesis() {
    return ByteBuffer.wrap(new byte[LENGTH]);
  }

  private static byte[] sha256(byte[] data) {
    return sha256().digest(data);
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK ships SHA-256", e);
    }
  }

  private EventHashes() {}
}
