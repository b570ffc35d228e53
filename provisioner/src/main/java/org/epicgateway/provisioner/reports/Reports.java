package org.epicgateway.provisioner.reports;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import org.epicgateway.schemas.avro.Actor;
import org.epicgateway.schemas.avro.ActorKind;
import org.epicgateway.schemas.avro.CommandEnvelope;

/**
 * The provisioner's observations as commands: actor AGENT "provisioner", and a command id that is a hash of the
 * fact it reports, so a report resent after a crash or a retry is decided once.
 */
public final class Reports {
  public static final Actor PROVISIONER = new Actor(ActorKind.AGENT, "provisioner", null);

  private Reports() {}

  public static CommandEnvelope command(String target, String fact, Object payload, Instant now) {
    return CommandEnvelope.newBuilder()
        .setCommandId("provisioner-" + sha256(fact))
        .setActor(PROVISIONER)
        .setAccount(null)
        .setTargetAggregateId(target)
        .setTimestamp(Instant.ofEpochMilli(now.toEpochMilli()))
        .setPayload(payload)
        .build();
  }

  static String sha256(String fact) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(fact.getBytes(StandardCharsets.UTF_8))).substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
