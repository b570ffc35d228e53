package org.epicgateway.bench.api;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.epicgateway.api.ApiConfig;
import org.epicgateway.api.ApiService;
import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.projections.topology.DeciderService;
import org.epicgateway.projections.viewtopology.GatewayViewService;

/**
 * Loads a cluster-sized population through the REST batch endpoint and prints progress and the time of each part:
 * {@code gateways} gateways, {@code routesPerGateway} HTTP routes on each (one Service each) and one EndpointSlice of
 * {@code endpointsPerRoute} endpoints behind every route. Default 1,000 / 10 / 10 = 1k gateways, 10k routes, 100k
 * endpoints, all in one account (the hard case: the account's views grow with it), on the real platform in this JVM.
 *
 * <p>Arguments: [gateways (1000)] [routes per gateway (10)] [endpoints per route (10)].
 */
public final class PopulationLoader {
  private static final String ACCOUNT = "load";

  private PopulationLoader() {}

  public static void main(String[] args) {
    try {
      run(args.length > 0 ? Integer.parseInt(args[0]) : 1000, args.length > 1 ? Integer.parseInt(args[1]) : 10,
          args.length > 2 ? Integer.parseInt(args[2]) : 10);
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(1);
    }
    System.exit(0);
  }

  private static void run(int gateways, int routesPerGateway, int endpointsPerRoute) throws Exception {
    int routes = gateways * routesPerGateway;
    System.out.printf("loading %d gateways, %d routes, %d endpoints (%d slices) through POST .../batch; load %s%n",
        gateways, routes, routes * endpointsPerRoute, routes, RestVsProducerBench.loadAverage());
    Path dir = Files.createTempDirectory("epic-bench-load-");
    try (EmbeddedPlatform platform = EmbeddedPlatform.start(dir)) {
      DeciderService decider = new DeciderService();
      decider.start(platform.context());
      GatewayViewService views = new GatewayViewService();
      views.start(platform.context());
      ApiService api = new ApiService(new ApiConfig("127.0.0.1", 0, "system", "admin", "bench-admin-pw", 10,
          Duration.ofSeconds(120), Duration.ofHours(4), 100_000), decider);
      api.start(platform.context());
      String admin = "Basic " + Base64.getEncoder().encodeToString("admin@system:bench-admin-pw"
          .getBytes(StandardCharsets.UTF_8));
      Rest rest = new Rest("127.0.0.1", api.port(), admin);
      // A pool with an address for every gateway: a /20 has 4,094 usable addresses.
      try (KeepAliveConnection c = rest.connect()) {
        Rest.expect(c.send("POST", "/api/v1/pools", admin, "{\"pool\":\"load\",\"ranges\":[\"100.64.0.0/20\"]}"), 201);
        Rest.expect(c.send("POST", "/api/v1/templates", admin, "{\"template\":\"load\",\"pool\":\"load\","
            + "\"replicas\":1,\"shareable\":false,\"envoyBaseConfig\":\"{}\"}"), 201);
      }
      String bearer = rest.tenant(ACCOUNT);
      Set<String> acknowledged = ConcurrentHashMap.newKeySet();
      String batch = "/api/v1/accounts/" + ACCOUNT + "/batch";
      long start = System.nanoTime();
      double g = rest.load("gateways", batch, bearer, gateways, i -> """
          {"kind":"Gateway","name":"gw-%d","template":"load","listeners":[{"name":"http","port":80,\
          "protocol":"HTTP"}]}""".formatted(i), acknowledged);
      double r = rest.load("routes", batch, bearer, routes, i -> """
          {"kind":"HTTPRoute","name":"r-%d","parentRefs":[{"name":"gw-%d"}],"hostnames":["r-%d.load.example"],\
          "rules":[{"matches":[{"path":{"type":"PATH_PREFIX","value":"/"}}],\
          "backendRefs":[{"name":"svc-%d","port":8080}]}]}""".formatted(i, i / routesPerGateway, i, i),
          acknowledged);
      double s = rest.load("endpoint slices", batch, bearer, routes, i -> slice(i, endpointsPerRoute), acknowledged);
      double total = (System.nanoTime() - start) / 1e9;
      System.out.printf("%n| part | objects | seconds | objects/s |%n|---|---|---|---|%n");
      System.out.printf("| gateways | %d | %.1f | %.0f |%n", gateways, g, gateways / g);
      System.out.printf("| HTTP routes | %d | %.1f | %.0f |%n", routes, r, routes / r);
      System.out.printf("| endpoint slices (%d endpoints each) | %d | %.1f | %.0f |%n", endpointsPerRoute, routes, s,
          routes / s);
      System.out.printf("| all (%d commands, every answer durable) | %d | %.1f | %.0f |%n", acknowledged.size(),
          gateways + 2 * routes, total, (gateways + 2 * routes) / total);
      System.out.printf("load average at the end: %s%n", RestVsProducerBench.loadAverage());
      api.close();
      views.close();
      decider.close();
    }
  }

  /** The slice behind route {@code i}'s Service, {@code n} ready endpoints with distinct addresses. */
  private static String slice(int i, int n) {
    StringBuilder endpoints = new StringBuilder();
    for (int e = 0; e < n; e++) {
      int address = i * n + e;
      endpoints.append(e == 0 ? "" : ",").append("{\"addresses\":[\"10.").append((address >> 16) & 255).append('.')
          .append((address >> 8) & 255).append('.').append(address & 255)
          .append("\"],\"conditions\":{\"ready\":true}}");
    }
    return """
        {"kind":"EndpointSlice","name":"svc-%d-1","serviceName":"svc-%d","ports":[{"name":"http","port":8080,\
        "protocol":"TCP"}],"endpoints":[%s]}""".formatted(i, i, endpoints);
  }
}
