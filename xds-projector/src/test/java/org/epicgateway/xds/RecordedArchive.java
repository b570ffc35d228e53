package org.epicgateway.xds;

import java.util.ArrayList;
import java.util.List;
import org.epicgateway.xds.revisions.RevisionArchive;
import org.epicgateway.xds.snapshots.GatewayConfig;

/** Keeps archived revisions in a list, in order, so tests can check what the projector archives and forgets. */
final class RecordedArchive implements RevisionArchive {
  final List<String> kept = new ArrayList<>();
  final List<String> forgotten = new ArrayList<>();

  @Override
  public synchronized void keep(GatewayConfig config, long createdAt) {
    kept.add(config.version());
  }

  @Override
  public synchronized void forget(String gatewayId, String version) {
    forgotten.add(version);
  }
}
