package org.epicgateway.bench.xds;

import static io.envoyproxy.controlplane.cache.Resources.V3.CLUSTER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ENDPOINT_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ROUTE_TYPE_URL;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.epicgateway.xds.XdsProjector;
import org.epicgateway.xds.acks.ConfigReports;
import org.epicgateway.xds.metrics.XdsMetrics;
import org.epicgateway.xds.receipts.ReceiptArchive;
import org.epicgateway.xds.revisions.RevisionArchive;
import org.epicgateway.xds.server.XdsServer;
import org.epicgateway.xds.snapshots.EndpointAssignment;
import org.epicgateway.xds.snapshots.GatewayConfig;

/**
 * The xds-projector's figures, each against a baseline measured in the same run:
 * (1) one route change delivered to N ADS streams (and ACKed by all) vs to 1 stream;
 * (2) endpoint change -> EDS arrival at the proxy, with 10k routes vs 10 routes, SotW and delta (p50 and p99 ratios);
 * (3) projector heap holding a 10k-route gateway vs a 10-route one.
 * Args: [streams=1000] [rounds=20].
 */
public final class XdsBench {
  static final String GW = "gateway/bench/default/web";
  static final ConfigSource ADS = ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance())
      .setResourceApiVersion(io.envoyproxy.envoy.config.core.v3.ApiVersion.V3).build();

  /** Reports are dropped: the bench measures delivery, not the event log. */
  static final ConfigReports NO_REPORTS = new ConfigReports() {
    @Override public void applied(String g, String n, String v, List<String> c) { }
    @Override public void rejected(String g, String n, String v, String t, String e) { }
    @Override public void rolledBack(String g, String f, String t, String r) { }
  };

  /** Nothing is archived: the bench measures the serving path. */
  static final RevisionArchive NO_ARCHIVE = new RevisionArchive() {
    @Override public void keep(GatewayConfig config, long createdAt, boolean applied, boolean rolledBack) { }
    @Override public void forget(String gatewayId, String version) { }
  };

  /** Receipts stay in memory only: the bench measures the serving path. */
  static final ReceiptArchive NO_RECEIPTS = (commandId, ack) -> { };

  public static void main(String[] args) throws Exception {
    int streams = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    System.out.printf("cores=%d maxHeap=%dMiB load=%.1f%n", Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

    long[][] one = fanOut(1, rounds);
    long[][] many = fanOut(streams, rounds);
    System.out.printf("| route change delivered to 1 stream (baseline) | %s |%n", millis(one[0]));
    System.out.printf("| route change delivered to %d streams | %s | ratio %.1f |%n", streams,
        millis(many[0]), (double) median(many[0]) / median(one[0]));
    System.out.printf("| route change ACKed by 1 stream (baseline) | %s |%n", millis(one[1]));
    System.out.printf("| route change ACKed by all %d streams (projector saw every ACK) | %s | ratio %.1f |%n",
        streams, millis(many[1]), (double) median(many[1]) / median(one[1]));

    for (boolean delta : List.of(false, true)) {
      long[] small = edsLatency(10, rounds * 5, delta);
      long[] large = edsLatency(10_000, rounds * 5, delta);
      String mode = delta ? "delta" : "SotW";
      System.out.printf("| endpoint change -> EDS at proxy, 10 routes, %s (baseline) | %s |%n", mode, millis(small));
      System.out.printf("| endpoint change -> EDS at proxy, 10k routes, %s | %s | ratio p50 %.2f, p99 %.2f |%n", mode,
          millis(large), (double) median(large) / median(small), (double) p99(large) / p99(small));
    }

    long heapSmall = heap(10);
    long heapLarge = heap(10_000);
    System.out.printf("| projector heap, 10 routes (baseline) | %.1f KiB |%n", heapSmall / 1024.0);
    System.out.printf("| projector heap, 10k routes / 1k clusters / 3k endpoints | %.1f MiB | ratio %.1f |%n",
        heapLarge / 1048576.0, (double) heapLarge / Math.max(1, heapSmall));
    System.exit(0);
  }

  /**
   * Time from publishing a route change until every stream received it ([0]) and until the projector recorded every
   * proxy running the new revision ([1]).
   */
  static long[][] fanOut(int streams, int rounds) throws Exception {
    XdsProjector projector = projector();
    projector.configChanged(gateway(10, "-0"));
    clusters(10).forEach(c -> projector.endpointsChanged(endpoints(c, 8080)));
    try (XdsServer server = XdsServer.start(projector, "127.0.0.1", 0, Optional.empty())) {
      List<ManagedChannel> channels = channels(server, Math.min(streams, 8));
      AtomicReference<CountDownLatch> routes = new AtomicReference<>(new CountDownLatch(streams));
      CountDownLatch initial = new CountDownLatch(streams * 4);
      List<AutoAckProxy> proxies = new ArrayList<>();
      for (int i = 0; i < streams; i++) {
        AutoAckProxy p = new AutoAckProxy(GW + "~envoy-" + i);
        p.startSotw(channels.get(i % channels.size()), names(10), (type, at) -> {
          initial.countDown();
          if (type.equals(ROUTE_TYPE_URL)) {
            routes.get().countDown();
          }
        });
        proxies.add(p);
      }
      await(initial, "initial snapshots");
      awaitRunning(projector, streams);
      int warmup = 5;
      long[][] nanos = new long[2][rounds];
      for (int r = -warmup; r < rounds; r++) {
        routes.set(new CountDownLatch(streams));
        long start = System.nanoTime();
        projector.configChanged(gateway(10, "-" + (r + warmup + 1)));
        await(routes.get(), "route change " + r);
        long delivered = System.nanoTime() - start;
        awaitRunning(projector, streams);
        if (r >= 0) {
          nanos[0][r] = delivered;
          nanos[1][r] = System.nanoTime() - start;
        }
      }
      proxies.forEach(AutoAckProxy::close);
      channels.forEach(ManagedChannel::shutdownNow);
      return nanos;
    }
  }

  /** Time from an endpoint change of one cluster until the proxy has the EDS response. */
  static long[] edsLatency(int routeCount, int rounds, boolean delta) throws Exception {
    XdsProjector projector = projector();
    projector.configChanged(gateway(routeCount, ""));
    clusters(routeCount).forEach(c -> projector.endpointsChanged(endpoints(c, 8080)));
    try (XdsServer server = XdsServer.start(projector, "127.0.0.1", 0, Optional.empty())) {
      ManagedChannel channel = channels(server, 1).get(0);
      AtomicReference<CountDownLatch> eds = new AtomicReference<>(new CountDownLatch(1));
      AtomicReference<Long> arrived = new AtomicReference<>(0L);
      CountDownLatch initial = new CountDownLatch(4);
      AutoAckProxy proxy = new AutoAckProxy(GW + "~envoy-0");
      java.util.function.BiConsumer<String, Long> onResponse = (type, at) -> {
        initial.countDown();
        if (type.equals(ENDPOINT_TYPE_URL)) {
          arrived.set(at);
          eds.get().countDown();
        }
      };
      if (delta) {
        proxy.startDelta(channel, names(routeCount), onResponse);
      } else {
        proxy.startSotw(channel, names(routeCount), onResponse);
      }
      await(initial, "initial snapshot");
      awaitRunning(projector, 1);
      int warmup = 10;
      long[] nanos = new long[rounds];
      for (int r = -warmup; r < rounds; r++) {
        // Let the previous ACK reach the server so a new watch is open.
        Thread.sleep(5);
        eds.set(new CountDownLatch(1));
        long start = System.nanoTime();
        projector.endpointsChanged(endpoints("default/svc-0:80", 9000 + r + warmup));
        await(eds.get(), "EDS " + r);
        if (r >= 0) {
          nanos[r] = arrived.get() - start;
        }
      }
      proxy.close();
      channel.shutdownNow();
      return nanos;
    }
  }

  /** Heap retained by a projector holding a gateway of {@code routeCount} routes and their endpoints. */
  static long heap(int routeCount) throws InterruptedException {
    long before = usedAfterGc();
    XdsProjector projector = projector();
    projector.configChanged(gateway(routeCount, ""));
    clusters(routeCount).forEach(c -> projector.endpointsChanged(endpoints(c, 8080)));
    long after = usedAfterGc();
    // Keep the projector reachable until measured.
    if (projector.revisions(GW).isEmpty()) {
      throw new IllegalStateException("no revision");
    }
    return after - before;
  }

  static long usedAfterGc() throws InterruptedException {
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  static XdsProjector projector() {
    return new XdsProjector(NO_REPORTS, NO_ARCHIVE, NO_RECEIPTS, new XdsMetrics(new SimpleMeterRegistry()), 10, 10_000,
        Clock.systemUTC());
  }

  static List<ManagedChannel> channels(XdsServer server, int count) {
    return IntStream.range(0, count).mapToObj(i -> Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(),
        InsecureChannelCredentials.create()).build()).toList();
  }

  static Map<String, List<String>> names(int routeCount) {
    Map<String, List<String>> names = new LinkedHashMap<>();
    names.put(LISTENER_TYPE_URL, List.of());
    names.put(CLUSTER_TYPE_URL, List.of());
    names.put(ROUTE_TYPE_URL, List.of("http-80"));
    names.put(ENDPOINT_TYPE_URL, clusters(routeCount));
    return names;
  }

  /** One cluster per ten routes (routes share backends), at least one. */
  static List<String> clusters(int routeCount) {
    return IntStream.range(0, Math.max(1, routeCount / 10)).mapToObj(i -> "default/svc-" + i + ":80").toList();
  }

  static GatewayConfig gateway(int routeCount, String pathSuffix) {
    List<String> clusters = clusters(routeCount);
    VirtualHost.Builder vhost = VirtualHost.newBuilder().setName("web").addDomains("*");
    for (int i = 0; i < routeCount; i++) {
      vhost.addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/r" + i + pathSuffix))
          .setRoute(RouteAction.newBuilder().setCluster(clusters.get(i % clusters.size()))));
    }
    HttpConnectionManager hcm = HttpConnectionManager.newBuilder().setStatPrefix("http-80")
        .setRds(Rds.newBuilder().setConfigSource(ADS).setRouteConfigName("http-80"))
        .addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.router")
            .setTypedConfig(Any.pack(Router.getDefaultInstance())))
        .build();
    Listener listener = Listener.newBuilder().setName("http-80")
        .setAddress(Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress("0.0.0.0")
            .setPortValue(80)))
        .addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder()
            .setName("envoy.filters.network.http_connection_manager").setTypedConfig(Any.pack(hcm))))
        .build();
    List<Cluster> cds = clusters.stream().map(c -> Cluster.newBuilder().setName(c)
        .setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ADS).setServiceName(c))
        .build()).toList();
    return GatewayConfig.of(GW, List.of("cmd" + pathSuffix), List.of(listener),
        List.of(RouteConfiguration.newBuilder().setName("http-80").addVirtualHosts(vhost).build()), cds, List.of());
  }

  static EndpointAssignment endpoints(String cluster, int port) {
    LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder().setLoadBalancingWeight(UInt32Value.of(1));
    for (int i = 1; i <= 3; i++) {
      locality.addLbEndpoints(LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder().setAddress(Address.newBuilder()
          .setSocketAddress(SocketAddress.newBuilder().setAddress("10.0.0." + i).setPortValue(port)))));
    }
    return EndpointAssignment.of(ClusterLoadAssignment.newBuilder().setClusterName(cluster).addEndpoints(locality)
        .build(), List.of("cmd-endpoints"));
  }

  static void awaitRunning(XdsProjector projector, int proxies) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    while (projector.revisions(GW).get(0).runningOn().size() < proxies) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not every proxy ACKed within 300 s");
      }
      // Coarse polling: each look copies the revision views under the projector's lock.
      Thread.sleep(10);
    }
  }

  static void await(CountDownLatch latch, String what) throws InterruptedException {
    if (!latch.await(300, TimeUnit.SECONDS)) {
      throw new IllegalStateException(what + ": not delivered within 300 s (" + latch.getCount() + " missing)");
    }
  }

  static long median(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  static long p99(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.99) - 1)];
  }

  static String millis(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return String.format("p50 %.2f ms, p99 %.2f ms (n=%d)", sorted[sorted.length / 2] / 1e6, p99(nanos) / 1e6,
        sorted.length);
  }
}
