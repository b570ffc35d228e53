package org.epicgateway.xds.snapshots;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;

/**
 * Deterministic versions: SHA-256 over deterministic protobuf bytes, so a replay or a restart produces the same
 * version strings and a reconnecting Envoy that already runs them gets no resend.
 */
public final class ContentHash {
  private ContentHash() {}

  /** Version of one resource: hash of its deterministic serialization (map fields sorted). */
  public static String of(Message message) {
    return hex(digest().digest(deterministicBytes(message)));
  }

  /** Version of a set of named resources (name -> version); independent of iteration order. */
  public static String ofVersions(SortedMap<String, String> versionsByName) {
    MessageDigest d = digest();
    for (Map.Entry<String, String> e : versionsByName.entrySet()) {
      d.update(e.getKey().getBytes(StandardCharsets.UTF_8));
      d.update((byte) 0);
      d.update(e.getValue().getBytes(StandardCharsets.UTF_8));
      d.update((byte) '\n');
    }
    return hex(d.digest());
  }

  public static byte[] deterministicBytes(Message message) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream(message.getSerializedSize());
      CodedOutputStream coded = CodedOutputStream.newInstance(out);
      coded.useDeterministicSerialization();
      message.writeTo(coded);
      coded.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String hex(byte[] digest) {
    // 128 bits are plenty to tell revisions apart and keep version strings short in Envoy's logs.
    return HexFormat.of().formatHex(digest, 0, 16);
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
