package org.epicgateway.transport.report;

import java.time.Instant;
import java.util.List;
import org.epicgateway.schemas.AggregateIds;
import org.epicgateway.schemas.avro.Actor;
import org.epicgateway.schemas.avro.ActorKind;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.NodeHeartbeat;
import org.epicgateway.schemas.avro.NodeKind;
import org.epicgateway.schemas.avro.ReportAgentApplyFailed;
import org.epicgateway.schemas.avro.ReportTunnelRemoteLearned;
import org.epicgateway.schemas.reports.Report;

/**
 * What a node's agent observed, as commands to {@code node/<node>} for the decider (the only writer of
 * epic.events). Command ids are hashes of the fact (docs/modules/schemas.md): a report resent after a crash has the
 * same id and is recorded once. A heartbeat's fact is "beat number n of this agent run".
 */
public final class AgentCommands {
  private AgentCommands() {}

  public static Actor actor(String node) {
    return new Actor(ActorKind.AGENT, "transport-agent/" + node, null);
  }

  /** {@code bootId} names this run of the agent (its start instant and a random part); {@code beat} counts from 0. */
  public static CommandEnvelope heartbeat(String node, NodeKind kind, List<String> addresses, String uplink,
                                          String publicAddress, String bootId, long beat, Instant at) {
    return envelope(commandId("heartbeat", node, bootId, Long.toString(beat)), node, at,
        new NodeHeartbeat(node, kind, List.copyOf(addresses), uplink, publicAddress, null));
  }

  public static CommandEnvelope tunnelRemoteLearned(String node, long tunnelId, String remoteAddress, int remotePort, Instant at) {
    return envelope(commandId("learned", node, Long.toString(tunnelId), remoteAddress + ":" + remotePort), node, at,
        new ReportTunnelRemoteLearned(node, tunnelId, remoteAddress, remotePort));
  }

  /** {@code what}: bpf or bgp; {@code version}: the derived record's version the agent tried (null if unknown). */
  public static CommandEnvelope applyFailed(String node, String what, String version, String reason, Instant at) {
    return envelope(commandId("apply-failed", node, what, String.valueOf(version), reason), node, at,
        new ReportAgentApplyFailed(node, what, version, reason));
  }

  /** {@code agent-<kind>-<sha256 of the parts>}: see {@link Report#id}. */
  static String commandId(String kind, String... parts) {
    return Report.id("agent-" + kind, parts);
  }

  private static CommandEnvelope envelope(String commandId, String node, Instant at, Object payload) {
    return Report.command(commandId, actor(node), AggregateIds.node(node), at, payload);
  }
}
