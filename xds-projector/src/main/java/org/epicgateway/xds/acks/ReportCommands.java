package org.epicgateway.xds.acks;

import java.time.Instant;
import java.util.List;
import org.epicgateway.schemas.AggregateId;
import org.epicgateway.schemas.AggregateIds;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.avro.Actor;
import org.epicgateway.schemas.avro.ActorKind;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.ReportConfigApplied;
import org.epicgateway.schemas.avro.ReportConfigRejected;
import org.epicgateway.schemas.avro.ReportConfigRolledBack;
import org.epicgateway.schemas.reports.Report;

/**
 * What the projector observed, as commands for the decider (the only writer of epic.events). The command id is a
 * hash of what identifies the observation (gateway, proxy, revision; for a rollback the two revisions), never of
 * when it was made: a report resent after a crash or a reconnect has the same id, and the decider's idempotency by
 * command id records it once.
 */
public final class ReportCommands {
  public static final Actor PROJECTOR = new Actor(ActorKind.AGENT, "xds-projector", null);

  private ReportCommands() {}

  public static CommandEnvelope applied(String gatewayId, String proxy, String version, List<String> sourceCommandIds,
                                        Instant at) {
    return envelope(commandId("applied", gatewayId, proxy, version), gatewayId, at,
        new ReportConfigApplied(gatewayId, proxy, version, List.copyOf(sourceCommandIds)));
  }

  public static CommandEnvelope rejected(String gatewayId, String proxy, String version, String typeUrl,
                                         String errorDetail, Instant at) {
    return envelope(commandId("rejected", gatewayId, proxy, version, typeUrl), gatewayId, at,
        new ReportConfigRejected(gatewayId, proxy, version, typeUrl, errorDetail));
  }

  public static CommandEnvelope rolledBack(String gatewayId, String fromVersion, String toVersion, String reason,
                                           Instant at) {
    return envelope(commandId("rolledback", gatewayId, fromVersion, toVersion), gatewayId, at,
        new ReportConfigRolledBack(gatewayId, fromVersion, toVersion, reason));
  }

  /** The aggregate of a gateway's configuration reports: {@code gatewayconfig/<account>/<namespace>/<name>}. */
  public static String aggregateId(String gatewayId) {
    AggregateId gateway = AggregateIds.parse(gatewayId);
    if (gateway.type() != AggregateType.GATEWAY) {
      throw new IllegalArgumentException("not a gateway id: " + gatewayId);
    }
    return AggregateIds.gatewayConfig(gateway.account(), gateway.namespace(), gateway.name());
  }

  /** {@code xds-<kind>-<sha256 of the parts>}: see {@link Report#id}. */
  static String commandId(String kind, String... parts) {
    return Report.id("xds-" + kind, parts);
  }

  private static CommandEnvelope envelope(String commandId, String gatewayId, Instant at, Object payload) {
    return Report.command(commandId, PROJECTOR, aggregateId(gatewayId), at, payload);
  }
}
