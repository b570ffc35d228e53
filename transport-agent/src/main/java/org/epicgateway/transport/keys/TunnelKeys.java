package org.epicgateway.transport.keys;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-tunnel control-packet keys, derived and never sent anywhere: key = HKDF-SHA256(salt "epic tunnel key v1",
 * ikm = cluster secret, info = EPIC node, client node and tunnel id). Both ends of a tunnel derive the same key from
 * the same secret; Kafka carries only the tunnel's identity.
 */
public final class TunnelKeys {
  public static final int KEY_BYTES = 32;
  private static final byte[] SALT = "epic tunnel key v1".getBytes(StandardCharsets.US_ASCII);

  /** What names a tunnel for its key: the EPIC node, the client (workload) node, the tunnel id on the EPIC node. */
  public record TunnelIdentity(String epicNode, String clientNode, long tunnelId) {
    public TunnelIdentity {
      checkName("epicNode", epicNode);
      checkName("clientNode", clientNode);
      if (tunnelId <= 0 || tunnelId > 0xffffffffL) throw new IllegalArgumentException("tunnelId: must be 1..4294967295, was " + tunnelId);
    }

    private static void checkName(String field, String name) {
      if (name == null || name.isEmpty()) throw new IllegalArgumentException(field + ": missing");
      if (name.indexOf('\0') >= 0) throw new IllegalArgumentException(field + ": contains a NUL character");
    }

    /** NUL-separated names then the id as 4 bytes big-endian: no two identities share an encoding. */
    byte[] info() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(epicNode.getBytes(StandardCharsets.UTF_8));
      out.write(0);
      out.writeBytes(clientNode.getBytes(StandardCharsets.UTF_8));
      out.write(0);
      for (int shift = 24; shift >= 0; shift -= 8) out.write((int) (tunnelId >>> shift) & 0xff);
      return out.toByteArray();
    }
  }

  private final List<byte[]> prks;

  /** Extracts once per secret; each tunnel's keys are then one HMAC per secret. */
  public TunnelKeys(ClusterSecret secret) {
    List<byte[]> p = new ArrayList<>();
    for (byte[] s : secret.secrets()) p.add(Hkdf.extract(SALT, s));
    this.prks = List.copyOf(p);
  }

  /** The tunnel's keys, one per secret: the first signs, each of them verifies. */
  public List<byte[]> keys(TunnelIdentity tunnel) {
    byte[] info = tunnel.info();
    List<byte[]> keys = new ArrayList<>(prks.size());
    for (byte[] prk : prks) keys.add(Hkdf.expand(prk, info, KEY_BYTES));
    return keys;
  }
}
