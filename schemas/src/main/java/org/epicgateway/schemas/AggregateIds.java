package org.epicgateway.schemas;

/**
 * Builds and parses the aggregate ids that key epic.events and epic.commands: {@code account/<account>},
 * {@code pool/<pool>}, {@code template/<template>}, {@code node/<node>}, {@code namespace/<account>/<name>} and {@code <type>/<account>/<namespace>/<name>} for gateways,
 * HTTP routes, gRPC routes, TCP routes, endpoint slices, Services and ReferenceGrants. Segments must be non-empty and free of '/'.
 */
public final class AggregateIds {
  public static String account(String account) {
    return new AggregateId(AggregateType.ACCOUNT, account, null, account).toString();
  }

  public static String pool(String pool) {
    return new AggregateId(AggregateType.POOL, null, null, pool).toString();
  }

  public static String template(String template) {
    return new AggregateId(AggregateType.TEMPLATE, null, null, template).toString();
  }

  public static String gateway(String account, String namespace, String name) {
    return new AggregateId(AggregateType.GATEWAY, account, namespace, name).toString();
  }

  public static String httpRoute(String account, String namespace, String name) {
    return new AggregateId(AggregateType.HTTP_ROUTE, account, namespace, name).toString();
  }

  public static String grpcRoute(String account, String namespace, String name) {
    return new AggregateId(AggregateType.GRPC_ROUTE, account, namespace, name).toString();
  }

  /** The aggregate id of a route by its Gateway API kind (HTTPRoute, GRPCRoute, TCPRoute, TLSRoute). */
  public static String route(String kind, String account, String namespace, String name) {
    AggregateType type = switch (kind) {
      case "HTTPRoute" -> AggregateType.HTTP_ROUTE;
      case "GRPCRoute" -> AggregateType.GRPC_ROUTE;
      case "TCPRoute" -> AggregateType.TCP_ROUTE;
      case "TLSRoute" -> AggregateType.TLS_ROUTE;
      default -> throw new IllegalArgumentException("'" + kind + "' is not a route kind");
    };
    return new AggregateId(type, account, namespace, name).toString();
  }

  public static String tcpRoute(String account, String namespace, String name) {
    return new AggregateId(AggregateType.TCP_ROUTE, account, namespace, name).toString();
  }

  public static String tlsRoute(String account, String namespace, String name) {
    return new AggregateId(AggregateType.TLS_ROUTE, account, namespace, name).toString();
  }

  public static String certificate(String account, String namespace, String name) {
    return new AggregateId(AggregateType.CERTIFICATE, account, namespace, name).toString();
  }

  public static String endpointSlice(String account, String namespace, String name) {
    return new AggregateId(AggregateType.ENDPOINT_SLICE, account, namespace, name).toString();
  }

  public static String gatewayConfig(String account, String namespace, String name) {
    return new AggregateId(AggregateType.GATEWAY_CONFIG, account, namespace, name).toString();
  }

  public static String node(String node) {
    return new AggregateId(AggregateType.NODE, null, null, node).toString();
  }

  public static String placement(String account, String namespace, String name) {
    return new AggregateId(AggregateType.PLACEMENT, account, namespace, name).toString();
  }

  public static String service(String account, String namespace, String name) {
    return new AggregateId(AggregateType.SERVICE, account, namespace, name).toString();
  }

  public static String referenceGrant(String account, String namespace, String name) {
    return new AggregateId(AggregateType.REFERENCE_GRANT, account, namespace, name).toString();
  }

  public static String namespace(String account, String name) {
    return new AggregateId(AggregateType.NAMESPACE, account, null, name).toString();
  }

  /** Parses {@code type/name} or {@code type/account/namespace/name}; the error names the id and what is wrong. */
  public static AggregateId parse(String id) {
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException("aggregate id is empty");
    }
    String[] parts = id.split("/", -1);
    AggregateType type;
    try {
      type = AggregateType.fromPrefix(parts[0]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("aggregate id '" + id + "': " + e.getMessage(), e);
    }
    int expected = type.tenantNamespaced() ? 4 : type.accountNamed() ? 3 : 2;
    if (parts.length != expected) {
      throw new IllegalArgumentException("aggregate id '" + id + "': a " + type.prefix() + " id has " + expected
          + " '/'-separated segments (" + (type.tenantNamespaced() ? type.prefix() + "/<account>/<namespace>/<name>"
              : type.accountNamed() ? type.prefix() + "/<account>/<name>" : type.prefix() + "/<name>")
          + "), got " + parts.length);
    }
    try {
      return switch (type) {
        case ACCOUNT -> new AggregateId(type, parts[1], null, parts[1]);
        case POOL, TEMPLATE, NODE -> new AggregateId(type, null, null, parts[1]);
        case NAMESPACE -> new AggregateId(type, parts[1], null, parts[2]);
        default -> new AggregateId(type, parts[1], parts[2], parts[3]);
      };
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("aggregate id '" + id + "': " + e.getMessage(), e);
    }
  }

  private AggregateIds() {}
}
