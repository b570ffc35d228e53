package org.epicgateway.xds.revisions;

import org.epicgateway.xds.snapshots.GatewayConfig;

/**
 * Where revisions outlive the process (the compacted epic.envoy-revisions topic in production), with what proxies
 * made of them: kept again when some proxy first ran one or when it was rolled back, so a restart knows both without
 * reading the event log.
 */
public interface RevisionArchive {
  void keep(GatewayConfig config, long createdAt, boolean everApplied, boolean rolledBack);

  void forget(String gatewayId, String version);
}
