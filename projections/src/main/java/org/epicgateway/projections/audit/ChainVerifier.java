package org.epicgateway.projections.audit;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.epicgateway.schemas.EventHashes;
import org.epicgateway.schemas.EventSeals;
import org.epicgateway.schemas.avro.EventEnvelope;

/**
 * Walks epic.events and checks every aggregate's tamper-evident chain: sequences 1, 2, 3... without gap or repeat,
 * each event carrying the SHA-256 of the stored bytes of its aggregate's previous event, each record keyed by its
 * aggregate, and each event sealed with the audit chain key ({@link EventSeals}): a valid seal over its stored bytes,
 * required from the key's cut-over on and after any sealed event of the same aggregate. Stops at the first broken link,
 * which it reports with its position.
 *
 * <p>Without the key, anyone who can write the topic could recompute every SHA-256 link; with it, an altered, forged
 * or appended event fails at exactly that event. Unsealed events from before the cut-over are checked by their
 * SHA-256 links only.
 */
public final class ChainVerifier {

  /** The first link that does not hold. */
  public record Break(String position, String aggregateId, long sequence, String reason) {}

  public record Result(long eventsChecked, int aggregates, Optional<Break> firstBreak) {
    public boolean intact() {
      return firstBreak.isEmpty();
    }
  }

  private record Head(long sequence, byte[] hash, String position, boolean sealed) {}

  private final EventSeals seals;
  private final Map<String, Head> heads = new HashMap<>();
  private long checked;
  private Break firstBreak;

  public ChainVerifier(EventSeals seals) {
    this.seals = seals;
  }

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
    boolean sealed = event.getSeal() != null;
    if (sealed && !seals.verifies(event, record.value(), LoggedEvent.datumOffset(),
        record.value().length - LoggedEvent.datumOffset())) {
      firstBreak = new Break(record.position(), aggregate, event.getSequence(),
          "the seal does not verify with the audit chain key: the event was altered or forged");
      return;
    }
    if (!sealed && (head != null && head.sealed() || !event.getTimestamp().isBefore(seals.since()))) {
      firstBreak = new Break(record.position(), aggregate, event.getSequence(), "the event is not sealed, but "
          + (head != null && head.sealed() ? "sequence " + head.sequence() + " at " + head.position() + " was"
              : "it is stamped " + event.getTimestamp() + ", after the audit chain key's cut-over " + seals.since())
          + ": it was forged or rewritten without the key");
      return;
    }
    heads.put(aggregate, new Head(event.getSequence(), record.storedHash(), record.position(), sealed));
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
