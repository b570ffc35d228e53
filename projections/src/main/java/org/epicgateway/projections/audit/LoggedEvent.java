package org.epicgateway.projections.audit;

import org.epicgateway.schemas.EventHashes;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.serde.WireFormat;

/**
 * One record of epic.events as stored: where it sits, its raw value (the chain hashes the stored bytes, not a
 * re-encoding) and the decoded envelope, or why it could not be decoded.
 *
 * @param event null when the value could not be decoded; {@code undecodable} then says why
 */
public record LoggedEvent(int partition, long offset, String key, byte[] value, EventEnvelope event,
                          String undecodable) {

  /** Where the record is, as operators name it: {@code epic.events-0@1234}. */
  public String position() {
    return "epic.events-" + partition + "@" + offset;
  }

  /** Offset of the Avro datum inside {@link #value()}, after the Confluent wire header. */
  public static int datumOffset() {
    return WireFormat.HEADER_LENGTH;
  }

  /** The chain hash of this event: SHA-256 of its datum as stored, whatever schema reads it now. */
  public byte[] storedHash() {
    return EventHashes.hashOfDatum(value, datumOffset(), value.length - datumOffset());
  }
}
