package org.epicgateway.schemas;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.epicgateway.schemas.avro.EventEnvelope;

/**
 * The keyed half of the audit chain. {@link EventHashes} links each event to its predecessor with a plain SHA-256,
 * which anyone who can write the topic can recompute; the seal is an HMAC-SHA256, with a key that never goes to Kafka,
 * over the Avro encoding of every envelope field before {@code seal} (its last field), previousHash included. So an
 * event cannot be altered, forged or appended without the key, and since the seal covers previousHash, neither can
 * the history before it. (A link MACed into the <em>next</em> event would leave each aggregate's newest event
 * vouched for by nothing.)
 *
 * <p>The key file ({@code <dataDir>/audit/chain.key} under {@code epic up}, owner-only) holds the key and the instant
 * it was created, the cut-over: events stamped at or after it must be sealed, and so must every event that follows a
 * sealed one in its aggregate. Events of a log written before the key existed stay verifiable by their SHA-256 chain
 * only, as strong as they were. Deleting the key file makes every seal unverifiable: keep it with the other secrets
 * of var/ (backups included).
 */
public final class EventSeals {
  public static final int LENGTH = 32;
  /** Bytes the sealed {@code seal} field adds after the sealed prefix: union branch 1 (0x02), length 32 (0x40), MAC. */
  private static final int SEAL_FIELD_LENGTH = 2 + LENGTH;

  private final byte[] key;
  private final Instant since;

  public EventSeals(byte[] key, Instant since) {
    if (key.length < 32) {
      throw new IllegalArgumentException("the audit chain key must have at least 32 bytes, has " + key.length);
    }
    this.key = key.clone();
    this.since = since;
  }

  /** Loads the key from {@code file}, creating a random 256-bit one stamped now (owner-only) on first start. */
  public static EventSeals fromKeyFile(Path file, Clock clock) {
    try {
      if (!Files.exists(file)) {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        byte[] fresh = new byte[32];
        new SecureRandom().nextBytes(fresh);
        Path tmp = Files.createTempFile(dir, "chain-key", ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, "key=" + HexFormat.of().formatHex(fresh) + "\nsince=" + clock.instant() + "\n",
            StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      }
      Map<String, String> entries = new LinkedHashMap<>();
      for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          entries.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
        }
      }
      if (!entries.containsKey("key") || !entries.containsKey("since")) {
        throw new IllegalStateException("audit chain key file " + file + " must have the lines key=<hex> and since=<instant>");
      }
      return new EventSeals(HexFormat.of().parseHex(entries.get("key")), Instant.parse(entries.get("since")));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the audit chain key " + file, e);
    }
  }

  /** An event about to be written, sealed, with its chain hash (what the next event's previousHash must be). */
  public record Sealed(EventEnvelope event, byte[] hash) {}

  /** Seals {@code unsealed} (its seal field is ignored) without encoding it twice. */
  public Sealed seal(EventEnvelope unsealed) {
    EventEnvelope event = EventEnvelope.newBuilder(unsealed).setSeal(null).build();
    byte[] withNull = AvroBinary.encode(event);
    int prefix = withNull.length - 1; // the null branch of seal is the single byte 0x00
    byte[] mac = mac(withNull, 0, prefix);
    MessageDigest sha = EventHashes.sha256();
    sha.update(withNull, 0, prefix);
    sha.update(new byte[] {2, 2 * LENGTH});
    sha.update(mac);
    event.setSeal(ByteBuffer.wrap(mac));
    return new Sealed(event, sha.digest());
  }

  /** Whether an event read back from the log carries a valid seal over its datum as stored. */
  public boolean verifies(EventEnvelope decoded, byte[] datum, int offset, int length) {
    if (decoded.getSeal() == null || decoded.getSeal().remaining() != LENGTH || length < SEAL_FIELD_LENGTH) {
      return false;
    }
    int prefix = length - SEAL_FIELD_LENGTH;
    if (datum[offset + prefix] != 2 || datum[offset + prefix + 1] != 2 * LENGTH) {
      return false;
    }
    byte[] carried = Arrays.copyOfRange(datum, offset + prefix + 2, offset + length);
    return MessageDigest.isEqual(mac(datum, offset, prefix), carried);
  }

  /** Events stamped at or after this instant must be sealed (the key's creation; earlier events may predate it). */
  public Instant since() {
    return since;
  }

  private byte[] mac(byte[] data, int offset, int length) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update(data, offset, length);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required by every JDK", e);
    }
  }
}
