package org.epicgateway.schemas;

import java.util.Objects;

/**
 * A parsed aggregate id (see {@link AggregateIds}). Account, pool and template aggregates have only a {@code name}
 * (for accounts it also fills {@code account}); namespaces have account and name; other tenant resources have
 * account, namespace and name.
 * {@link #toString()} is the Kafka key.
 */
public record AggregateId(AggregateType type, String account, String namespace, String name) {
  public AggregateId {
    Objects.requireNonNull(type, "type");
    requireSegment("name", name);
    if (type.tenantNamespaced()) {
      requireSegment("account", account);
      requireSegment("namespace", namespace);
    } else if (type.accountNamed()) {
      requireSegment("account", account);
    }
    if (!type.tenantNamespaced() && namespace != null) {
      throw new IllegalArgumentException(type.prefix() + " aggregate ids have no namespace, got '" + namespace + "'");
    }
  }

  @Override
  public String toString() {
    return type.tenantNamespaced() ? type.prefix() + "/" + account + "/" + namespace + "/" + name
        : type.accountNamed() ? type.prefix() + "/" + account + "/" + name
        : type.prefix() + "/" + name;
  }

  private static void requireSegment(String what, String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(what + " is empty");
    }
    if (value.indexOf('/') >= 0) {
      throw new IllegalArgumentException(what + " '" + value + "' contains '/'");
    }
  }
}
