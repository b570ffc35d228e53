package org.epicgateway.xds.acks;

import java.util.List;

/**
 * Where the projector reports what proxies did; on the platform as commands that the decider records as
 * ConfigApplied, ConfigRejected and ConfigRolledBack ({@link CommandReports}). Reports are observations, never
 * decisions about gateways.
 */
public interface ConfigReports {
  void applied(String gatewayId, String nodeId, String version, List<String> sourceCommandIds);

  void rejected(String gatewayId, String nodeId, String version, String typeUrl, String errorDetail);

  void rolledBack(String gatewayId, String fromVersion, String toVersion, String reason);
}
