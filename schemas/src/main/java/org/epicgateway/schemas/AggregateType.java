package org.epicgateway.schemas;

import java.util.Arrays;

/**
 * The kinds of aggregate on epic.events. {@link #prefix()} is the first segment of the aggregate id and the value of
 * {@code EventEnvelope.aggregateType}.
 */
public enum AggregateType {
  ACCOUNT("account", false),
  POOL("pool", false),
  TEMPLATE("template", false),
  GATEWAY("gateway", true),
  HTTP_ROUTE("httproute", true),
  TCP_ROUTE("tcproute", true),
  TLS_ROUTE("tlsroute", true),
  ENDPOINT_SLICE("endpointslice", true),
  /** What the xds-projector observed of a gateway's Envoy configuration (ConfigApplied/Rejected/RolledBack). */
  GATEWAY_CONFIG("gatewayconfig", true),
  /** An EPIC or client node: what its heartbeats say, whether it is lost, and (EPIC nodes) its tunnels. */
  NODE("node", false),
  /** Where a gateway's Envoy replicas run (ReplicaPlaced/Ready/Lost, reported by the provisioner). */
  PLACEMENT("placement", true),
  /** A workload Service: the ports backendRefs resolve against. */
  SERVICE("service", true),
  /** A Gateway API ReferenceGrant: which other namespaces' routes and gateways may reference this namespace. */
  REFERENCE_GRANT("referencegrant", true),
  GRPC_ROUTE("grpcroute", true),
  /** A listener certificate's name and content hash (the key stays in the certificate store). */
  CERTIFICATE("certificate", true),
  /**
   * A tenant namespace (its labels, for allowedRoutes selectors): {@code namespace/<account>/<name>}, since a
   * namespace is account-wide, not inside one.
   */
  NAMESPACE("namespace", false, true);

  private final String prefix;
  private final boolean tenantNamespaced;
  private final boolean accountNamed;

  AggregateType(String prefix, boolean tenantNamespaced) {
    this(prefix, tenantNamespaced, false);
  }

  AggregateType(String prefix, boolean tenantNamespaced, boolean accountNamed) {
    this.prefix = prefix;
    this.tenantNamespaced = tenantNamespaced;
    this.accountNamed = accountNamed;
  }

  public String prefix() {
    return prefix;
  }

  /** True for tenant resources identified by account, namespace and name; false for single-name aggregates. */
  public boolean tenantNamespaced() {
    return tenantNamespaced;
  }

  /** True for tenant resources identified by account and name only ({@code <type>/<account>/<name>}). */
  public boolean accountNamed() {
    return accountNamed;
  }

  public static AggregateType fromPrefix(String prefix) {
    return Arrays.stream(values()).filter(t -> t.prefix.equals(prefix)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown aggregate type '" + prefix + "'; expected one of "
            + Arrays.stream(values()).map(AggregateType::prefix).toList()));
  }
}
