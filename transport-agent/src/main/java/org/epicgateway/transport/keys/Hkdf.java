package org.epicgateway.transport.keys;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HKDF-SHA256 (RFC 5869) on the JDK's HMAC: extract a pseudorandom key, expand it into output keying material. */
public final class Hkdf {
  static final int HASH_LEN = 32;

  private Hkdf() {}

  /** Extract: PRK = HMAC-SHA256(salt, ikm); an empty salt stands for HashLen zero bytes, as the RFC says. */
  public static byte[] extract(byte[] salt, byte[] ikm) {
    return hmac(salt.length == 0 ? new byte[HASH_LEN] : salt, ikm);
  }

  /** Expand: T(1) | T(2) | ... with T(i) = HMAC-SHA256(PRK, T(i-1) | info | i), cut to {@code length} bytes. */
  public static byte[] expand(byte[] prk, byte[] info, int length) {
    if (length <= 0 || length > 255 * HASH_LEN) throw new IllegalArgumentException("HKDF length must be 1.." + 255 * HASH_LEN + ": " + length);
    if (prk.length < HASH_LEN) throw new IllegalArgumentException("HKDF PRK needs at least " + HASH_LEN + " bytes");
    byte[] out = new byte[length];
    byte[] t = new byte[0];
    Mac mac = mac(prk);
    for (int i = 1, done = 0; done < length; i++) {
      mac.update(t);
      mac.update(info);
      mac.update((byte) i);
      t = mac.doFinal();
      int n = Math.min(t.length, length - done);
      System.arraycopy(t, 0, out, done, n);
      done += n;
    }
    return out;
  }

  public static byte[] derive(byte[] salt, byte[] ikm, byte[] info, int length) {
    return expand(extract(salt, ikm), info, length);
  }

  private static byte[] hmac(byte[] key, byte[] data) {
    return mac(key).doFinal(data);
  }

  private static Mac mac(byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (InvalidKeyException e) {
      throw new IllegalArgumentException("HMAC-SHA256 key rejected: " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
