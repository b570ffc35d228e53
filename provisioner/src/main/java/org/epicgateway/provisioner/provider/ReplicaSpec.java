package org.epicgateway.provisioner.provider;

import java.util.List;
import java.util.Map;

/**
 * What a provider runs for one gateway: how many replicas the template wants, and where placement put them
 * (instance → EPIC node; a provider that schedules by itself, like Kubernetes, uses only {@code wanted}), the address and ports the replicas serve, and where they fetch their
 * configuration (xDS node id {@code <gatewayId>~<instance>}).
 *
 * @param network   the public network the replicas attach to as a second interface (the template's pool)
 * @param upstreams the gateway's ready backend endpoints (address:port): only a stand-in proxy uses them, Envoy
 *                  gets its endpoints over xDS
 */
public record ReplicaSpec(String gatewayId, int wanted, Map<String, String> replicas, String address, List<Integer> ports,
                          String network, List<String> upstreams, String xdsHost, int xdsPort) {
  public ReplicaSpec {
    replicas = Map.copyOf(replicas);
    ports = List.copyOf(ports);
    upstreams = List.copyOf(upstreams);
  }

  public String nodeId(String instance) {
    return gatewayId + "~" + instance;
  }
}
