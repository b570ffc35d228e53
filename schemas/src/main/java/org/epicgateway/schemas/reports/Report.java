package org.epicgateway.schemas.reports;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import org.epicgateway.schemas.avro.Actor;
import org.epicgateway.schemas.avro.CommandEnvelope;

/**
 * A report as a command: what a reporter (xds-projector, provisioner, agent) observed, with an id derived from the
 * fact itself, so the same fact reported twice (after a crash, by two replicas, on a retry) is decided once.
 */
public final class Report {

  private Report() {
  }

  /**
   * {@code <kind>-<sha256 of the parts, 32 hex digits>}: stable across restarts and JVMs; the parts are separated by
   * a byte no part contains, so ("a","bc") and ("ab","c") differ.
   */
  public static String id(String kind, String... parts) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String part : parts) {
        sha.update(part.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      return kind + "-" + HexFormat.of().formatHex(sha.digest(), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /** The command of a report: no account (reporters act for the platform) and no expected version. */
  public static CommandEnvelope command(String commandId, Actor reporter, String targetAggregateId, Instant at,
      Object payload) {
    return CommandEnvelope.newBuilder()
        .setCommandId(commandId)
        .setActor(reporter)
        .setAccount(null)
        .setTargetAggregateId(targetAggregateId)
        .setExpectedVersion(null)
        .setTimestamp(Instant.ofEpochMilli(at.toEpochMilli()))
        .setPayload(payload)
        .build();
  }
}
