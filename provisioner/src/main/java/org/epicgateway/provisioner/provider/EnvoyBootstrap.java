package org.epicgateway.provisioner.provider;

/**
 * The Envoy bootstrap every provider starts replicas with: the xDS node id {@code <gatewayId>~<instance>} (the
 * xds-projector serves the gateway's configuration by the part before '~'), one ADS cluster to the xds-projector
 * over HTTP/2, and the admin interface on a Unix socket (no port to collide with, reachable across namespaces for
 * the readiness probe). Everything else (listeners, routes, clusters, endpoints) comes over ADS.
 */
public final class EnvoyBootstrap {
  private EnvoyBootstrap() {}

  /**
   * @param nodeId    {@code <gatewayId>~<instance>}; Kubernetes passes {@code --service-node} instead, so pass
   *                  null there to leave it out
   * @param adminPath the admin Unix socket's path
   */
  public static String yaml(String nodeId, String gatewayId, String xdsHost, int xdsPort, String adminPath) {
    return (nodeId == null ? "" : "node:\n  id: \"" + nodeId + "\"\n  cluster: \"" + gatewayId + "\"\n")
        + "dynamic_resources:\n"
        + "  ads_config:\n"
        + "    api_type: GRPC\n"
        + "    transport_api_version: V3\n"
        + "    grpc_services:\n"
        + "    - envoy_grpc:\n"
        + "        cluster_name: epic-xds\n"
        + "  cds_config:\n"
        + "    resource_api_version: V3\n"
        + "    ads: {}\n"
        + "  lds_config:\n"
        + "    resource_api_version: V3\n"
        + "    ads: {}\n"
        + "static_resources:\n"
        + "  clusters:\n"
        + "  - name: epic-xds\n"
        + "    type: STRICT_DNS\n"
        + "    connect_timeout: 5s\n"
        + "    typed_extension_protocol_options:\n"
        + "      envoy.extensions.upstreams.http.v3.HttpProtocolOptions:\n"
        + "        \"@type\": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions\n"
        + "        explicit_http_config:\n"
        + "          http2_protocol_options: {}\n"
        + "    load_assignment:\n"
        + "      cluster_name: epic-xds\n"
        + "      endpoints:\n"
        + "      - lb_endpoints:\n"
        + "        - endpoint:\n"
        + "            address:\n"
        + "              socket_address: { address: \"" + xdsHost + "\", port_value: " + xdsPort + " }\n"
        + "admin:\n"
        + "  address:\n"
        + "    pipe: { path: \"" + adminPath + "\" }\n";
  }
}
