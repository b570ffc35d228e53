package org.epicgateway.transport.control;

import static org.epicgateway.transport.maps.EpicMaps.CTRL_CTYPE_KEEPALIVE;
import static org.epicgateway.transport.maps.EpicMaps.CTRL_FIRST_BYTE;
import static org.epicgateway.transport.maps.EpicMaps.CTRL_LEN;
import static org.epicgateway.transport.maps.EpicMaps.CTRL_MAC_LEN;
import static org.epicgateway.transport.maps.EpicMaps.CTRL_SIGNED_LEN;

import java.nio.ByteBuffer;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A GUE control packet (struct epic_gue_control, the UDP payload to port 6080): GUE base header 0x21 0x01 0x0000
 * (variant 0, C=1, Hlen 1, ctype keepalive), tunnel id (u32 BE), counter (u64 BE, sender's Unix ms, increasing)
 * and the first 16 bytes of HMAC-SHA256 under the tunnel's key over the 16 bytes before the MAC.
 */
public record ControlPacket(int tunnelId, long counter, byte[] mac) {

  /** Builds and signs the packet bytes for {@code tunnelId} and {@code counter} under {@code key}. */
  public static byte[] encode(int tunnelId, long counter, byte[] key) {
    byte[] signed = signedPart(tunnelId, counter);
    return ByteBuffer.allocate(CTRL_LEN).put(signed).put(mac(signed, key)).array();
  }

  /** Parses the fields without checking the MAC; null when the bytes are not an EPIC control packet. */
  public static ControlPacket parse(byte[] data, int length) {
    if (length != CTRL_LEN || data.length < CTRL_LEN || data[0] != CTRL_FIRST_BYTE || data[1] != CTRL_CTYPE_KEEPALIVE
        || data[2] != 0 || data[3] != 0) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(data, 0, length);
    return new ControlPacket(b.getInt(4), b.getLong(8), Arrays.copyOfRange(data, CTRL_SIGNED_LEN, CTRL_LEN));
  }

  /** True when {@code mac} is the truncated HMAC of this packet's signed part under {@code key} (constant time). */
  public boolean macValid(byte[] key) {
    return MessageDigest.isEqual(mac(signedPart(tunnelId, counter), key), mac);
  }

  private static byte[] signedPart(int tunnelId, long counter) {
    return ByteBuffer.allocate(CTRL_SIGNED_LEN).put(CTRL_FIRST_BYTE).put(CTRL_CTYPE_KEEPALIVE).putShort((short) 0)
        .putInt(tunnelId).putLong(counter).array();
  }

  private static byte[] mac(byte[] signed, byte[] key) {
    try {
      Mac hmac = Mac.getInstance("HmacSHA256");
      hmac.init(new SecretKeySpec(key, "HmacSHA256"));
      return Arrays.copyOf(hmac.doFinal(signed), CTRL_MAC_LEN);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable or key rejected", e);
    }
  }
}
