package org.epicgateway.provisioner.reports;

import java.time.Instant;
import org.epicgateway.schemas.avro.Actor;
import org.epicgateway.schemas.avro.ActorKind;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.reports.Report;

/**
 * The provisioner's observations as commands: actor AGENT "provisioner", and a command id that is a hash of the
 * fact it reports, so a report resent after a crash or a retry is decided once.
 */
public final class Reports {
  public static final Actor PROVISIONER = new Actor(ActorKind.AGENT, "provisioner", null);

  private Reports() {}

  public static CommandEnvelope command(String target, String fact, Object payload, Instant now) {
    return Report.command(Report.id("provisioner", fact), PROVISIONER, target, now, payload);
  }
}
