package org.epicgateway.xds.server;

import io.envoyproxy.envoy.config.core.v3.Node;

/**
 * Which gateway an Envoy serves, from its node: the id is {@code <gatewayId>~<instance>} (for example
 * {@code gateway/acme/default/web~envoy-0}); a proxy whose id has no {@code ~} may name its gateway in the node metadata
 * field {@code epic.gateway}. The instance part tells the replicas of one gateway apart in ACK tracking.
 */
public final class NodeIds {
  public static final char SEPARATOR = '~';
  public static final String GATEWAY_METADATA_FIELD = "epic.gateway";

  private NodeIds() {}

  /** The gateway id, or an IllegalArgumentException naming what is wrong with the node. */
  public static String gatewayOf(Node node) {
    String id = node.getId();
    int sep = id.indexOf(SEPARATOR);
    if (sep > 0 && sep < id.length() - 1) {
      return id.substring(0, sep);
    }
    var field = node.getMetadata().getFieldsMap().get(GATEWAY_METADATA_FIELD);
    if (field != null && !field.getStringValue().isEmpty()) {
      return field.getStringValue();
    }
    throw new IllegalArgumentException("node id '" + id + "' must be <gatewayId>" + SEPARATOR
        + "<instance> (or carry metadata field " + GATEWAY_METADATA_FIELD + ")");
  }

  public static String nodeId(String gatewayId, String instance) {
    return gatewayId + SEPARATOR + instance;
  }
}
