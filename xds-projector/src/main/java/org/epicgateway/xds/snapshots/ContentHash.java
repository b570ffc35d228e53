package org.epicgateway.xds.snapshots;

import com.google.protobuf.Message;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import org.epicgateway.projections.envoy.EnvoyConfig;

/**
 * Deterministic versions, so a replay or a restart produces the same version strings and a reconnecting Envoy that
 * already runs them gets nothing resent. A resource's version is the derivation's content hash of its bytes.
 */
public final class ContentHash {
  private ContentHash() {}

  public static String of(Message message) {
    return EnvoyConfig.resourceVersion(message);
  }

  /** Version of a set of named resources (name -> version); independent of iteration order. */
  public static String ofVersions(SortedMap<String, String> versionsByName) {
    MessageDigest d = sha256();
    for (Map.Entry<String, String> e : versionsByName.entrySet()) {
      d.update(e.getKey().getBytes(StandardCharsets.UTF_8));
      d.update((byte) 0);
      d.update(e.getValue().getBytes(StandardCharsets.UTF_8));
      d.update((byte) '\n');
    }
    // 128 bits tell type versions apart and keep them short in Envoy's logs.
    return HexFormat.of().formatHex(d.digest(), 0, 16);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
