package org.epicgateway.xds.acks;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.reports.ReportSender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends reports as commands to epic.commands (keyed by target aggregate, like every command) without waiting for
 * their result: the projector's ACK handling must not wait on the decider. Nothing is lost by not waiting: a report
 * that never reached Kafka is made again when the proxy reconnects and ACKs again, under the same command id.
 */
public final class CommandReports implements ConfigReports, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CommandReports.class);

  private final ReportSender sender;
  private final Clock clock;

  public CommandReports(Map<String, Object> kafkaClient, SchemaRegistryClient registry, Clock clock) {
    this.sender = new ReportSender(kafkaClient, registry);
    this.clock = clock;
  }

  @Override
  public void applied(String gatewayId, String nodeId, String version, List<String> sourceCommandIds) {
    send(() -> ReportCommands.applied(gatewayId, nodeId, version, sourceCommandIds, now()));
  }

  @Override
  public void rejected(String gatewayId, String nodeId, String version, String typeUrl, String errorDetail) {
    send(() -> ReportCommands.rejected(gatewayId, nodeId, version, typeUrl, errorDetail, now()));
  }

  @Override
  public void rolledBack(String gatewayId, String fromVersion, String toVersion, String reason) {
    send(() -> ReportCommands.rolledBack(gatewayId, fromVersion, toVersion, reason, now()));
  }

  private Instant now() {
    return Instant.ofEpochMilli(clock.millis());
  }

  private void send(Supplier<CommandEnvelope> report) {
    CommandEnvelope command;
    try {
      command = report.get();
    } catch (IllegalArgumentException e) {
      LOG.warn("not reporting: {}", e.getMessage()); // a node that names no gateway id cannot be reported on
      return;
    }
    sender.send(command);
  }

  @Override
  public void close() {
    sender.close();
  }
}
