package org.epicgateway.bench.xds;

import static io.envoyproxy.controlplane.cache.Resources.V3.CLUSTER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ENDPOINT_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ROUTE_TYPE_URL;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.epicgateway.api.ApiConfig;
import org.epicgateway.api.ApiService;
import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.projections.envoytopology.EnvoyProjectionService;
import org.epicgateway.projections.viewtopology.GatewayViewService;
import org.epicgateway.projections.topology.CommandBus;
import org.epicgateway.projections.topology.DeciderService;
import org.epicgateway.schemas.avro.Actor;
import org.epicgateway.schemas.avro.ActorKind;
import org.epicgateway.schemas.avro.BackendRef;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.CommandResult;
import org.epicgateway.schemas.avro.CreateGateway;
import org.epicgateway.schemas.avro.Endpoint;
import org.epicgateway.schemas.avro.EndpointConditions;
import org.epicgateway.schemas.avro.EndpointPort;
import org.epicgateway.schemas.avro.HttpRouteMatch;
import org.epicgateway.schemas.avro.HttpRouteRule;
import org.epicgateway.schemas.avro.Listener;
import org.epicgateway.schemas.avro.ListenerProtocol;
import org.epicgateway.schemas.avro.ParentRef;
import org.epicgateway.schemas.avro.PathMatch;
import org.epicgateway.schemas.avro.PathMatchType;
import org.epicgateway.schemas.avro.TransportProtocol;
import org.epicgateway.schemas.avro.UpsertEndpointSlice;
import org.epicgateway.schemas.avro.UpsertHttpRoute;
import org.epicgateway.xds.XdsProjector;
import org.epicgateway.xds.XdsService;

/**
 * REST 2xx -> ADS ACK on the whole platform: the real DeciderService, ApiService, GatewayViewService, EnvoyProjectionService and XdsService
 * on an embedded broker and registry, as `epic up` wires them. A population of gateways (each with its routes, one
 * backend Service per route and one EndpointSlice per Service) is loaded through the decider's CommandBus; raw ADS
 * proxies ({@link AutoAckProxy}) connect for a sample of the gateways; then each timed change is an HTTP PUT of one
 * HTTPRoute (new path prefix, same backend: an RDS-only change) and the clock runs from the 2xx at the client until the
 * projector has recorded the proxy's ACK of a revision that contains the PUT's command id (the "live on this proxy"
 * receipt). Measured at a small population (baseline) and the requested one in the same JVM.
 *
 * <p>Args: [gateways=1000] [routes per gateway=10] [endpoints per route=10] [proxied gateways=20] [changes=100].
 */
public final class RestToAckBench {
  private static final String PASSWORD = "bench-password-1";
  private static final Duration TIMEOUT = Duration.ofSeconds(300);

  private RestToAckBench() {
  }

  record Population(String account, int gateways, int routes, int endpoints) {
    String gatewayId(int g) {
      return "gateway/" + account + "/ns-" + g + "/gw";
    }

    @Override public String toString() {
      return gateways + " gateways / " + gateways * routes + " routes / " + gateways * routes * endpoints + " endpoints";
    }
  }

  public static void main(String[] args) throws Exception {
    int gateways = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int routes = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int endpoints = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    int proxied = args.length > 3 ? Integer.parseInt(args[3]) : 20;
    int changes = args.length > 4 ? Integer.parseInt(args[4]) : 100;
    System.out.printf("cores=%d maxHeap=%dMiB load=%.1f%n", Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    try (EmbeddedPlatform platform = EmbeddedPlatform.start(Files.createTempDirectory("epic-bench-rest-ack-"))) {
      DeciderService decider = new DeciderService();
      decider.start(platform.context());
      ApiService api = new ApiService(new ApiConfig("127.0.0.1", 0, "system", "admin", "bench-admin-pw", 10,
          Duration.ofSeconds(60), Duration.ofHours(1), 100_000), decider);
      api.start(platform.context());
      GatewayViewService views = new GatewayViewService();
      views.start(platform.context());
      EnvoyProjectionService projection = new EnvoyProjectionService();
      projection.start(platform.context());
      XdsService xds = new XdsService(new XdsService.Settings("127.0.0.1", 0, Optional.empty(), 10, 100_000));
      xds.start(platform.context());
      Rest rest = new Rest("http://127.0.0.1:" + api.port() + "/api/v1");
      rest.admin("/pools", "{\"pool\":\"bench\",\"ranges\":[\"10.128.0.0/16\"]}");
      rest.admin("/templates", "{\"template\":\"bench\",\"pool\":\"bench\",\"replicas\":1,\"shareable\":false,"
          + "\"envoyBaseConfig\":\"{}\"}");

      Population small = new Population("small", 10, 1, 10);
      Population large = new Population("large", gateways, routes, endpoints);
      long[] baseline = measure(platform, decider.commandBus(), xds, rest, small, Math.min(proxied, 10), changes);
      long[] full = measure(platform, decider.commandBus(), xds, rest, large, Math.min(proxied, gateways), changes);
      System.out.printf("%n| population | REST 2xx -> projector saw the proxy's ACK | vs baseline |%n|---|---|---|%n");
      System.out.printf("| %s (baseline) | %s | |%n", small, XdsBench.millis(baseline));
      System.out.printf("| %s | %s | p50 %.2fx, p99 %.2fx |%n", large, XdsBench.millis(full),
          (double) XdsBench.median(full) / XdsBench.median(baseline), (double) p99(full) / p99(baseline));
      xds.close();
      projection.close();
      views.close();
      api.close();
      decider.close();
    }
    System.exit(0);
  }

  /** Loads the population, connects proxies for the first {@code proxied} gateways, times {@code changes} PUTs. */
  static long[] measure(EmbeddedPlatform platform, CommandBus bus, XdsService xds, Rest rest, Population pop,
                        int proxied, int changes) throws Exception {
    System.out.printf("%n== %s: loading through the CommandBus%n", pop);
    rest.admin("/accounts", "{\"account\":\"" + pop.account() + "\"}");
    rest.admin("/accounts/" + pop.account() + "/users", "{\"username\":\"bench\",\"password\":\"" + PASSWORD + "\"}");
    String bearer = rest.token("bench@" + pop.account());
    long t0 = System.nanoTime();
    submitAll(bus, IntStream.range(0, pop.gateways()).mapToObj(g -> gateway(pop, g)).toList(), "gateways");
    List<CommandEnvelope> perRoute = new ArrayList<>();
    for (int g = 0; g < pop.gateways(); g++) {
      for (int r = 0; r < pop.routes(); r++) {
        perRoute.add(route(pop, g, r));
        perRoute.add(slice(pop, g, r));
      }
    }
    submitAll(bus, perRoute, "routes + endpoint slices");
    System.out.printf("decided in %.1f s; waiting for the projections to catch up%n", (System.nanoTime() - t0) / 1e9);
    awaitQuiet(platform);
    System.out.printf("settled %.1f s after the first command%n", (System.nanoTime() - t0) / 1e9);

    ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", xds.xdsPort(),
        InsecureChannelCredentials.create()).build();
    List<AutoAckProxy> proxies = new ArrayList<>();
    for (int g = 0; g < proxied; g++) {
      Map<String, List<String>> names = new LinkedHashMap<>();
      names.put(LISTENER_TYPE_URL, List.of());
      names.put(CLUSTER_TYPE_URL, List.of());
      names.put(ROUTE_TYPE_URL, List.of("http-80"));
      int gw = g;
      names.put(ENDPOINT_TYPE_URL, IntStream.range(0, pop.routes())
          .mapToObj(r -> pop.account() + "/ns-" + gw + "/svc-" + r + ":8080").toList());
      AutoAckProxy proxy = new AutoAckProxy(node(pop, g));
      proxy.startSotw(channel, names, (type, at) -> { });
      proxies.add(proxy);
    }
    int warmup = Math.min(10, changes);
    long[] nanos = new long[changes];
    for (int i = -warmup; i < changes; i++) {
      int g = Math.floorMod(i, proxied);
      int r = Math.floorMod(i / proxied, pop.routes());
      String body = """
          {"parentRefs":[{"name":"gw"}],"rules":[{"matches":[{"path":{"type":"PATH_PREFIX","value":"/r%d-v%d"}}],
           "backendRefs":[{"name":"svc-%d","port":8080}]}]}""".formatted(r, i + warmup, r);
      String answer = rest.put(bearer, "/accounts/" + pop.account() + "/httproutes/r-" + r + "?namespace=ns-" + g, body);
      long okAt = System.nanoTime();
      String commandId = answer.replaceAll("(?s).*\"commandId\"\\s*:\\s*\"([^\"]+)\".*", "$1");
      long ackedAt = awaitAck(xds.projector(), pop.gatewayId(g), node(pop, g), commandId);
      if (i >= 0) {
        nanos[i] = ackedAt - okAt;
      }
    }
    System.out.printf("%s: %s%n", pop, XdsBench.millis(nanos));
    proxies.forEach(AutoAckProxy::close);
    channel.shutdownNow();
    return nanos;
  }

  static String node(Population pop, int g) {
    return pop.gatewayId(g) + "~envoy-0";
  }

  /** When the projector first shows the proxy running a revision built from {@code commandId}. */
  static long awaitAck(XdsProjector projector, String gatewayId, String node, String commandId)
      throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      for (XdsProjector.RevisionView v : projector.revisions(gatewayId)) {
        if (v.sourceCommandIds().contains(commandId) && v.runningOn().contains(node)) {
          return System.nanoTime();
        }
      }
      // 1 ms polling: the resolution of the figure; each look copies the revision views under the projector's lock.
      Thread.sleep(1);
    }
    throw new IllegalStateException(node + " did not ACK a revision of command " + commandId + " within " + TIMEOUT);
  }

  /** Submits with 64 in flight (the decider batches per commit), printing progress; any rejection stops the bench. */
  static void submitAll(CommandBus bus, List<CommandEnvelope> commands, String what) throws Exception {
    Semaphore inFlight = new Semaphore(64);
    AtomicLong done = new AtomicLong();
    long start = System.nanoTime();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> futures = new ArrayList<>();
      for (CommandEnvelope c : commands) {
        inFlight.acquire();
        futures.add(pool.submit(() -> {
          try {
            CommandResult result = bus.submit(c, TIMEOUT).get();
            if (!result.getAccepted()) {
              throw new IllegalStateException(c.getTargetAggregateId() + " rejected: " + result.getRejection());
            }
            long n = done.incrementAndGet();
            if (n % 1000 == 0) {
              System.out.printf("  %s: %d/%d (%.0f/s)%n", what, n, commands.size(),
                  n / ((System.nanoTime() - start) / 1e9));
            }
            return null;
          } finally {
            inFlight.release();
          }
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    }
    System.out.printf("  %s: %d in %.1f s%n", what, commands.size(), (System.nanoTime() - start) / 1e9);
  }

  /**
   * The consumer groups (decider, Envoy projection) have stopped moving: their total lag has not changed for 5 s.
   * Not "lag 0": transaction markers and Streams' own bookkeeping leave a few offsets never reported as consumed.
   */
  static void awaitQuiet(EmbeddedPlatform platform) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", platform.bootstrapServers()))) {
      long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
      long previous = -1;
      int stable = 0;
      while (System.nanoTime() < deadline) {
        long lag = 0;
        for (ConsumerGroupListing group : admin.listConsumerGroups().all().get()) {
          Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group.groupId())
              .partitionsToOffsetAndMetadata().get();
          Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
          committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
          var ends = admin.listOffsets(latest).all().get();
          for (var e : committed.entrySet()) {
            lag += Math.max(0, ends.get(e.getKey()).offset() - e.getValue().offset());
          }
        }
        stable = lag == previous ? stable + 1 : 0;
        if (stable >= 5) {
          System.out.printf("  consumer lag steady at %d records%n", lag);
          return;
        }
        if (lag != previous) {
          System.out.printf("  consumer lag: %d records%n", lag);
        }
        previous = lag;
        Thread.sleep(1000);
      }
      throw new IllegalStateException("projections did not settle within 30 minutes");
    }
  }

  static CommandEnvelope envelope(Population pop, String aggregateId, Object payload) {
    return new CommandEnvelope(UUID.randomUUID().toString(), new Actor(ActorKind.USER, "bench@" + pop.account(),
        pop.account()), pop.account(), aggregateId, null, Instant.now(), payload, null);
  }

  static CommandEnvelope gateway(Population pop, int g) {
    return envelope(pop, pop.gatewayId(g), new CreateGateway(pop.account(), "ns-" + g, "gw", "bench",
        List.of(Listener.newBuilder().setName("http").setPort(80).setProtocol(ListenerProtocol.HTTP).build())));
  }

  static CommandEnvelope route(Population pop, int g, int r) {
    HttpRouteRule rule = HttpRouteRule.newBuilder().setName(null).setMatches(List.of(new HttpRouteMatch(
        new PathMatch(PathMatchType.PATH_PREFIX, "/r" + r), List.of(), List.of(), null))).setFilters(List.of())
        .setBackendRefs(List.of(new BackendRef(null, "svc-" + r, 8080, 1, null, List.of()))).build();
    return envelope(pop, "httproute/" + pop.account() + "/ns-" + g + "/r-" + r, new UpsertHttpRoute(pop.account(),
        "ns-" + g, "r-" + r, List.of(new ParentRef(null, "gw", null, null, null)), List.of(), List.of(rule)));
  }

  static CommandEnvelope slice(Population pop, int g, int r) {
    List<Endpoint> endpoints = IntStream.range(0, pop.endpoints()).mapToObj(e -> new Endpoint(
        List.of("10." + (g >> 8 & 255) + "." + (g & 255) + "." + (r * pop.endpoints() + e) % 250),
        new EndpointConditions(true, null, null), "node-1", "198.51.100.7", null)).toList();
    return envelope(pop, "endpointslice/" + pop.account() + "/ns-" + g + "/svc-" + r, new UpsertEndpointSlice(
        pop.account(), "ns-" + g, "svc-" + r, "svc-" + r, null,
        List.of(new EndpointPort("http", 8080, TransportProtocol.TCP)), endpoints));
  }

  static long p99(long[] nanos) {
    long[] sorted = nanos.clone();
    java.util.Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.99) - 1)];
  }

  /** The REST side: admin writes with Basic auth, the timed PUTs with a tenant's bearer token. */
  record Rest(String base, HttpClient http) {
    Rest(String base) {
      this(base, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build());
    }

    void admin(String path, String body) {
      send("POST", path, body, basic("admin@system", "bench-admin-pw"), 201);
    }

    String token(String user) {
      String json = send("POST", "/tokens", "", basic(user, PASSWORD), 201);
      return "Bearer " + json.replaceAll("(?s).*\"token\"\\s*:\\s*\"([^\"]+)\".*", "$1");
    }

    String put(String auth, String path, String body) {
      return send("PUT", path, body, auth, 200);
    }

    static String basic(String user, String password) {
      return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    String send(String method, String path, String body, String auth, int expected) {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", auth)
            .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body))
            .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
          throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
      } catch (java.io.IOException e) {
        throw new IllegalStateException(method + " " + path + " failed", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(method + " " + path + " interrupted", e);
      }
    }
  }
}
