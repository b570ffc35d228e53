package org.epicgateway.projections.decider;

/**
 * A template's DNS name pattern, e.g. "{name}-{namespace}.{account}.gw.example.com". The original used Go templates
 * over the whole object; three placeholders cover what its shipped templates used, and keep expansion total.
 */
final class DnsNames {

  private DnsNames() {}

  static String expand(String pattern, String name, String namespace, String account) {
    return pattern.replace("{name}", name).replace("{namespace}", namespace).replace("{account}", account);
  }
}
