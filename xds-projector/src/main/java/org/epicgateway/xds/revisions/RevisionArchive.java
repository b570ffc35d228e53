package org.epicgateway.xds.revisions;

import org.epicgateway.xds.snapshots.GatewayConfig;

/** Where revisions outlive the process (the compacted epic.envoy-revisions topic in production). */
public interface RevisionArchive {
  void keep(GatewayConfig config, long createdAt);

  void forget(String gatewayId, String version);
}
