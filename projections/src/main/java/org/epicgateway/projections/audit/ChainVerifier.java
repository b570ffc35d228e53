package org.epicgateway.projections.audit;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.epicgateway.schemas.EventHashes;
import org.epicgateway.schemas.avro.EventEnvelope;

/**
 * Walks epic.events and checks every aggregate's tamper-evident chain: sequences 1, 2, 3... without gap or repeat,
 * each event carrying the SHA-256 of the stored bytes of its aggregate's previous event, and each record keyed by its
 * aggregate. Stops at the first broken link, which it reports with its position.
 *
 * <p>An unkeyed hash chain cannot expose a forged event appended after an aggregate's last event; {@code audit
 * rebuild} does, because the decider's live state then disagrees with the log.
 */
public final class ChainVerifier {

  /** The first link that does not hold. */
  public record Break(String position, String aggregateId, long sequence, String reason) {}

  public record Result(long eventsChecked, int aggregates, Optional<Break> firstBreak) {
    public boolean intact() {
      return firstBreak.isEmpty();
    }
  }

  private record Head(long sequence, byte[] hash, String position) {}

  private final Map<String, Head> heads = new HashMap<>();
  private long checked;
  private Break firstBreak;

  /** Checks the next record in log order; after the first break, further records are not checked. */
  public void check(LoggedEvent record) {
    if (firstBreak != null) {
      return;
    }
    checked++;
    EventEnvelope event = record.event();
    if (event == null) {
      firstBreak = new Break(record.position(), record.key(), 0,
          "the record cannot be decoded as an event: " + record.undecodable());
      return;
    }
    String aggregate = event.getAggregateId();
    if (!aggregate.equals(record.key())) {
      firstBreak = new Break(record.position(), aggregate, event.getSequence(),
          "the record's key '" + record.key() + "' is not its aggregate id");
      return;
    }
    Head head = heads.get(aggregate);
    long expected = head == null ? 1 : head.sequence() + 1;
    if (event.getSequence() != expected) {
      firstBreak = new Break(record.position(), aggregate, event.getSequence(), sequenceProblem(head, event));
      return;
    }
    byte[] expectedHash = head == null ? new byte[EventHashes.LENGTH] : head.hash();
    byte[] carried = bytes(event.getPreviousHash());
    if (!Arrays.equals(expectedHash, carried)) {
      firstBreak = new Break(record.position(), aggregate, event.getSequence(), head == null
          ? "the aggregate's first event carries previousHash " + hex(carried) + " instead of zeros"
          : "previousHash " + hex(carried) + " is not the hash " + hex(expectedHash) + " of sequence "
              + head.sequence() + " at " + head.position() + ": one of the two events was altered");
      return;
    }
    heads.put(aggregate, new Head(event.getSequence(), record.storedHash(), record.position()));
  }

  public Result result() {
    return new Result(checked, heads.size(), Optional.ofNullable(firstBreak));
  }

  private static String sequenceProblem(Head head, EventEnvelope event) {
    long seq = event.getSequence();
    if (head == null) {
      return "the aggregate starts at sequence " + seq + ": sequences 1.." + (seq - 1) + " are missing";
    }
    if (seq <= head.sequence()) {
      return "sequence " + seq + " comes after sequence " + head.sequence() + " at " + head.position()
          + ": a duplicated or inserted event";
    }
    return "sequence " + seq + " follows sequence " + head.sequence() + " at " + head.position()
        + ": sequences " + (head.sequence() + 1) + ".." + (seq - 1) + " are missing";
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer b = buffer.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 8)) + "…";
  }
}
