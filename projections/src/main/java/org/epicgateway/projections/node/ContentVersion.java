package org.epicgateway.projections.node;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.avro.specific.SpecificRecord;
import org.epicgateway.schemas.AvroBinary;

/** A derived record's version: SHA-256 of its Avro encoding while its version field is still empty. */
final class ContentVersion {
  private ContentVersion() {}

  static String of(SpecificRecord withEmptyVersion) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(AvroBinary.encode(withEmptyVersion)))
          .substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
