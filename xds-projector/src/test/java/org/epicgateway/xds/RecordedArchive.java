package org.epicgateway.xds;

import java.util.ArrayList;
import java.util.List;
import org.epicgateway.xds.receipts.ReceiptArchive;
import org.epicgateway.xds.receipts.Receipts;
import org.epicgateway.xds.revisions.RevisionArchive;
import org.epicgateway.xds.snapshots.GatewayConfig;

/**
 * Keeps archived revisions and receipt entries in lists, in order, so tests can check what the projector archives and
 * forgets.
 */
final class RecordedArchive implements RevisionArchive, ReceiptArchive {
  final List<String> kept = new ArrayList<>();
  /** {@code <version> applied|rolledBack} per revision kept again with a mark. */
  final List<String> marks = new ArrayList<>();
  final List<String> forgotten = new ArrayList<>();
  /** {@code <commandId> <nodeId>} per receipt entry kept. */
  final List<String> receipts = new ArrayList<>();

  @Override
  public synchronized void keep(GatewayConfig config, long createdAt, boolean everApplied, boolean rolledBack) {
    if (rolledBack) {
      marks.add(config.version() + " rolledBack");
    } else if (everApplied) {
      marks.add(config.version() + " applied");
    } else {
      kept.add(config.version());
    }
  }

  @Override
  public synchronized void forget(String gatewayId, String version) {
    forgotten.add(version);
  }

  @Override
  public synchronized void keep(String commandId, Receipts.Ack ack) {
    receipts.add(commandId + " " + ack.nodeId());
  }
}
