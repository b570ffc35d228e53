package org.epicgateway.xds;

import static io.envoyproxy.controlplane.cache.Resources.V3.CLUSTER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ENDPOINT_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ROUTE_TYPE_URL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.epicgateway.xds.EnvoyFixtures.edsCluster;
import static org.epicgateway.xds.EnvoyFixtures.endpoints;
import static org.epicgateway.xds.EnvoyFixtures.listener;
import static org.epicgateway.xds.EnvoyFixtures.names;
import static org.epicgateway.xds.EnvoyFixtures.routes;

import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.epicgateway.xds.metrics.XdsMetrics;
import org.epicgateway.xds.server.XdsServer;
import org.epicgateway.xds.snapshots.EndpointAssignment;
import org.epicgateway.xds.snapshots.GatewayConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A raw ADS client against the real gRPC server: initial snapshot and ACK, update, endpoint fast path, NACK. */
class RawAdsClientTest {
  static final String GW = "gateway/acme/default/web";
  static final String NODE = GW + "~envoy-0";

  RecordedReports reports;
  RecordedArchive archive;
  SimpleMeterRegistry meters;
  XdsProjector projector;
  XdsServer server;
  ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    reports = new RecordedReports();
    archive = new RecordedArchive();
    meters = new SimpleMeterRegistry();
    projector = new XdsProjector(reports, archive, archive, new XdsMetrics(meters), 3, 10_000,
        Clock.systemUTC());
    server = XdsServer.start(projector, "127.0.0.1", 0, Optional.empty());
    channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(), InsecureChannelCredentials.create())
        .build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow();
    server.close();
  }

  static GatewayConfig revision(String commandId, String prefix) {
    return GatewayConfig.of(GW, List.of(commandId),
        List.of(listener("web-80", 80, "web-80-routes")),
        List.of(routes("web-80-routes", "*", prefix, "default/svc-a:8080")),
        List.of(edsCluster("default/svc-a:8080")), List.of());
  }

  static EndpointAssignment assignment(String commandId, int... ports) {
    return EndpointAssignment.of(endpoints("default/svc-a:8080", "10.0.0.1", ports), List.of(commandId));
  }

  @Test
  void initialSnapshotUpdateEndpointsAndNackRollback() throws Exception {
    GatewayConfig v1 = revision("cmd-1", "/");
    projector.endpointsChanged(assignment("cmd-eps-1", 8080));
    projector.configChanged(v1);

    try (AdsClient envoy = AdsClient.sotw(channel, NODE)) {
      // Initial snapshot: LDS and CDS (wildcard), then RDS and EDS by name, each ACKed.
      envoy.request(LISTENER_TYPE_URL, List.of(), "", "");
      DiscoveryResponse lds = envoy.response();
      assertThat(lds.getTypeUrl()).isEqualTo(LISTENER_TYPE_URL);
      assertThat(names(lds.getResourcesList())).containsExactly("web-80");
      envoy.ack(lds, List.of());
      envoy.request(CLUSTER_TYPE_URL, List.of(), "", "");
      DiscoveryResponse cds = envoy.response();
      assertThat(names(cds.getResourcesList())).containsExactly("default/svc-a:8080");
      envoy.ack(cds, List.of());
      List<String> routeNames = List.of("web-80-routes");
      List<String> clusterNames = List.of("default/svc-a:8080");
      envoy.request(ROUTE_TYPE_URL, routeNames, "", "");
      DiscoveryResponse rds = envoy.response();
      assertThat(names(rds.getResourcesList())).containsExactly("web-80-routes");
      envoy.request(ENDPOINT_TYPE_URL, clusterNames, "", "");
      DiscoveryResponse eds = envoy.response();
      assertThat(eds.getResources(0).unpack(ClusterLoadAssignment.class).getEndpoints(0).getLbEndpointsCount())
          .isEqualTo(1);
      envoy.ack(rds, routeNames);
      envoy.ack(eds, clusterNames);

      reports.await(r -> r.startsWith("applied " + GW + " " + NODE + " " + v1.version()));
      assertThat(projector.receipt("cmd-1").acked()).extracting(a -> a.nodeId()).containsExactly(NODE);
      reports.awaitReceipt(projector, "cmd-eps-1", NODE);
      // Each new receipt entry is kept once, for a restart.
      assertThat(archive.receipts).containsExactly("cmd-1 " + NODE, "cmd-eps-1 " + NODE);

      // Update: only the route changed, so only RDS comes with a new version.
      GatewayConfig v2 = revision("cmd-2", "/api");
      projector.configChanged(v2);
      DiscoveryResponse rds2 = envoy.response();
      assertThat(rds2.getTypeUrl()).isEqualTo(ROUTE_TYPE_URL);
      assertThat(rds2.getVersionInfo()).isNotEqualTo(rds.getVersionInfo());
      envoy.ack(rds2, routeNames);
      reports.await(r -> r.startsWith("applied " + GW + " " + NODE + " " + v2.version()));

      // Endpoint change: EDS only; the next response is EDS with the new hosts.
      projector.endpointsChanged(assignment("cmd-eps-2", 8080, 8081));
      DiscoveryResponse eds2 = envoy.response();
      assertThat(eds2.getTypeUrl()).isEqualTo(ENDPOINT_TYPE_URL);
      assertThat(eds2.getResources(0).unpack(ClusterLoadAssignment.class).getEndpoints(0).getLbEndpointsCount())
          .isEqualTo(2);
      envoy.ack(eds2, clusterNames);

      // A bad revision: the only proxy NACKs it, so the projector rolls back to v2 and says so.
      GatewayConfig v3 = revision("cmd-3", "/broken");
      projector.configChanged(v3);
      DiscoveryResponse rds3 = envoy.response();
      assertThat(rds3.getTypeUrl()).isEqualTo(ROUTE_TYPE_URL);
      envoy.nack(rds3, routeNames, rds2.getVersionInfo(), "route: invalid path '/broken'");
      reports.await(r -> r.equals("rejected " + GW + " " + NODE + " " + v3.version() + " " + ROUTE_TYPE_URL
          + " route: invalid path '/broken'"));
      reports.await(r -> r.startsWith("rolledBack " + GW + " " + v3.version() + " " + v2.version()));
      // After the rollback the served RDS is v2's again, which the proxy still runs: nothing to resend, and the
      // revision history says v3 was rolled back while v2 is served and running on the proxy.
      var history = projector.revisions(GW);
      assertThat(history).extracting(XdsProjector.RevisionView::version)
          .containsExactly(v3.version(), v2.version(), v1.version());
      assertThat(history.get(0).rolledBack()).isTrue();
      assertThat(history.get(0).rejectedBy()).containsEntry(NODE, "route: invalid path '/broken'");
      assertThat(history.get(1).served()).isTrue();
      assertThat(history.get(1).runningOn()).containsExactly(NODE);
      assertThat(projector.receipt("cmd-3").acked()).isEmpty();
      // What proxies made of the revisions is archived with them, for a restart: v1 and v2 ran, v3 was rolled back.
      assertThat(archive.marks).containsExactly(v1.version() + " applied", v2.version() + " applied",
          v3.version() + " rolledBack");

      // The meters saw it all: pushes by type, the NACK, the rollback, one connected proxy, ACK latencies.
      assertThat(meters.get("epic.xds.pushes").tag("type", "RouteConfiguration").counter().count()).isEqualTo(3);
      assertThat(meters.get("epic.xds.nacks").tag("type", "RouteConfiguration").counter().count()).isEqualTo(1);
      assertThat(meters.get("epic.xds.rollbacks").counter().count()).isEqualTo(1);
      assertThat(meters.get("epic.xds.connected.proxies").gauge().value()).isEqualTo(1);
      assertThat(meters.get("epic.xds.push.ack.latency").tag("type", "ClusterLoadAssignment").timer().count())
          .isEqualTo(2);

      // The rolled-back revision arriving again (a replay) is not served; a new good one is.
      projector.configChanged(v3);
      GatewayConfig v4 = revision("cmd-4", "/v4");
      projector.configChanged(v4);
      DiscoveryResponse rds4 = envoy.response();
      assertThat(rds4.getResources(0).unpack(io.envoyproxy.envoy.config.route.v3.RouteConfiguration.class)
          .getVirtualHosts(0).getRoutes(0).getMatch().getPrefix()).isEqualTo("/v4");
    }
  }

  @Test
  void versionsAreContentHashesSoARestartedServerResendsNoListenersOrClusters() throws Exception {
    projector.endpointsChanged(assignment("cmd-eps-1", 8080));
    projector.configChanged(revision("cmd-1", "/"));
    List<String> routeNames = List.of("web-80-routes");
    List<String> clusterNames = List.of("default/svc-a:8080");
    String ldsVersion;
    String cdsVersion;
    String rdsVersion;
    String edsVersion;
    try (AdsClient envoy = AdsClient.sotw(channel, NODE)) {
      envoy.request(LISTENER_TYPE_URL, List.of(), "", "");
      ldsVersion = envoy.response().getVersionInfo();
      envoy.request(CLUSTER_TYPE_URL, List.of(), "", "");
      cdsVersion = envoy.response().getVersionInfo();
      envoy.request(ROUTE_TYPE_URL, routeNames, "", "");
      rdsVersion = envoy.response().getVersionInfo();
      envoy.request(ENDPOINT_TYPE_URL, clusterNames, "", "");
      edsVersion = envoy.response().getVersionInfo();
    }

    // A new projector and server fed the same records (what a restart does by re-reading the compacted topics).
    stop();
    start();
    projector.endpointsChanged(assignment("cmd-eps-1", 8080));
    projector.configChanged(revision("cmd-1", "/"));
    try (AdsClient envoy = AdsClient.sotw(channel, NODE)) {
      envoy.request(LISTENER_TYPE_URL, List.of(), ldsVersion, "");
      envoy.request(CLUSTER_TYPE_URL, List.of(), cdsVersion, "");
      // java-control-plane answers named types (RDS/EDS) once on every new stream; the stream is ordered, so if
      // LDS or CDS were resent they would come before this RDS answer.
      envoy.request(ROUTE_TYPE_URL, routeNames, rdsVersion, "");
      DiscoveryResponse first = envoy.response();
      assertThat(first.getTypeUrl()).isEqualTo(ROUTE_TYPE_URL);
      assertThat(first.getVersionInfo()).isEqualTo(rdsVersion);
      envoy.request(ENDPOINT_TYPE_URL, clusterNames, edsVersion, "");
      assertThat(envoy.response().getVersionInfo()).isEqualTo(edsVersion);
    }
  }

  @Test
  void revisionsAreArchivedAndTheOldestForgottenBeyondTheBound() {
    List<String> versions = new java.util.ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      GatewayConfig config = revision("cmd-" + i, "/" + i);
      versions.add(config.version());
      projector.configChanged(config);
    }
    assertThat(archive.kept).containsExactlyElementsOf(versions);
    assertThat(archive.forgotten).containsExactly(versions.get(0));
    assertThat(projector.revisions(GW)).extracting(XdsProjector.RevisionView::version)
        .containsExactly(versions.get(3), versions.get(2), versions.get(1));
  }

  @Test
  void aRevisionRolledBackBeforeARestartIsNotServedAfterIt() throws Exception {
    GatewayConfig good = revision("cmd-1", "/good");
    GatewayConfig bad = revision("cmd-2", "/bad");
    // What a restarted projector finds: both revisions archived, the log says the bad one was rolled back, and the
    // config topic still holds the bad one as the gateway's latest.
    projector.restore(good, 1, true, false);
    projector.restore(bad, 2, false, true);
    projector.configChanged(bad);
    try (AdsClient envoy = AdsClient.sotw(channel, NODE)) {
      envoy.request(ROUTE_TYPE_URL, List.of("web-80-routes"), "", "");
      DiscoveryResponse rds = envoy.response();
      assertThat(rds.getResources(0).unpack(io.envoyproxy.envoy.config.route.v3.RouteConfiguration.class)
          .getVirtualHosts(0).getRoutes(0).getMatch().getPrefix()).isEqualTo("/good");
    }
    assertThat(projector.revisions(GW).get(0).rolledBack()).isTrue();
    assertThat(projector.revisions(GW).get(1).served()).isTrue();
  }

  @Test
  void deltaStreamGetsOnlyTheChangedEndpoints() throws Exception {
    projector.endpointsChanged(assignment("cmd-eps-1", 8080));
    projector.configChanged(revision("cmd-1", "/"));
    try (AdsClient envoy = AdsClient.delta(channel, NODE)) {
      envoy.subscribe(CLUSTER_TYPE_URL, List.of());
      DeltaDiscoveryResponse cds = envoy.deltaResponse();
      assertThat(cds.getResourcesList()).extracting(r -> r.getName()).containsExactly("default/svc-a:8080");
      envoy.ack(cds);
      envoy.subscribe(ENDPOINT_TYPE_URL, List.of("default/svc-a:8080"));
      DeltaDiscoveryResponse eds = envoy.deltaResponse();
      envoy.ack(eds);
      projector.endpointsChanged(assignment("cmd-eps-2", 8080, 8081));
      DeltaDiscoveryResponse eds2 = envoy.deltaResponse();
      assertThat(eds2.getTypeUrl()).isEqualTo(ENDPOINT_TYPE_URL);
      assertThat(eds2.getResourcesList()).hasSize(1);
      assertThat(eds2.getResources(0).getVersion()).isEqualTo(assignment("x", 8080, 8081).version())
          .isNotEqualTo(eds.getResources(0).getVersion());
      envoy.ack(eds2);
      reports.awaitReceipt(projector, "cmd-eps-2", NODE);
    }
  }

  /** A gateway of three EDS clusters; what changes of one must not resend the others. */
  static GatewayConfig threeClusters() {
    return GatewayConfig.of(GW, List.of("cmd-3c"), List.of(listener("web-80", 80, "web-80-routes")),
        List.of(routes("web-80-routes", "*", "/", "default/svc-a:8080")),
        List.of(edsCluster("default/svc-a:8080"), edsCluster("default/svc-b:8080"), edsCluster("default/svc-c:8080")),
        List.of());
  }

  static EndpointAssignment assignment(String cluster, String commandId, int port) {
    return EndpointAssignment.of(endpoints(cluster, "10.0.0.1", port), List.of(commandId));
  }

  @Test
  void oneChangedClusterIsSentAloneInSotwAndDelta() throws Exception {
    List<String> clusters = List.of("default/svc-a:8080", "default/svc-b:8080", "default/svc-c:8080");
    clusters.forEach(c -> projector.endpointsChanged(assignment(c, "cmd-" + c, 8080)));
    projector.configChanged(threeClusters());
    try (AdsClient sotw = AdsClient.sotw(channel, NODE); AdsClient delta = AdsClient.delta(channel, GW + "~envoy-1")) {
      sotw.request(ENDPOINT_TYPE_URL, clusters, "", "");
      DiscoveryResponse all = sotw.response();
      assertThat(all.getResourcesList()).hasSize(3);
      sotw.ack(all, clusters);
      delta.subscribe(ENDPOINT_TYPE_URL, clusters);
      DeltaDiscoveryResponse allDelta = delta.deltaResponse();
      assertThat(allDelta.getResourcesList()).hasSize(3);
      delta.ack(allDelta);
      reports.awaitReceipt(projector, "cmd-default/svc-c:8080", GW + "~envoy-1");

      projector.endpointsChanged(assignment("default/svc-b:8080", "cmd-b2", 9090));
      DiscoveryResponse b = sotw.response();
      assertThat(b.getTypeUrl()).isEqualTo(ENDPOINT_TYPE_URL);
      assertThat(b.getResourcesList()).hasSize(1);
      assertThat(b.getResources(0).unpack(ClusterLoadAssignment.class).getClusterName())
          .isEqualTo("default/svc-b:8080");
      assertThat(b.getVersionInfo()).isNotEqualTo(all.getVersionInfo());
      DeltaDiscoveryResponse bDelta = delta.deltaResponse();
      assertThat(bDelta.getResourcesList()).extracting(r -> r.getName()).containsExactly("default/svc-b:8080");
      assertThat(bDelta.getRemovedResourcesList()).isEmpty();
      sotw.ack(b, clusters);
      delta.ack(bDelta);
      // Receipts credit what the ACKed response carried.
      reports.awaitReceipt(projector, "cmd-b2", NODE);
      reports.awaitReceipt(projector, "cmd-b2", GW + "~envoy-1");

      // Back to the first endpoints: the SotW version is a function of content, so it is the first one again.
      projector.endpointsChanged(assignment("default/svc-b:8080", "cmd-default/svc-b:8080", 8080));
      DiscoveryResponse back = sotw.response();
      assertThat(back.getResourcesList()).hasSize(1);
      assertThat(back.getVersionInfo()).isEqualTo(all.getVersionInfo());
      sotw.ack(back, clusters);
      DeltaDiscoveryResponse backDelta = delta.deltaResponse();
      delta.ack(backDelta);

      // A SotW proxy that ACKs late misses a change meanwhile: it is sent what changed since its version, not all.
      projector.endpointsChanged(assignment("default/svc-a:8080", "cmd-a2", 9191));
      DiscoveryResponse a2 = sotw.response();
      assertThat(names(a2.getResourcesList())).containsExactly("default/svc-a:8080");
      delta.ack(delta.deltaResponse());
      projector.endpointsChanged(assignment("default/svc-c:8080", "cmd-c2", 9292));
      delta.ack(delta.deltaResponse());
      sotw.ack(a2, clusters);
      DiscoveryResponse c2 = sotw.response();
      assertThat(names(c2.getResourcesList())).containsExactly("default/svc-c:8080");
      sotw.ack(c2, clusters);

      // A revision without svc-c (these proxies watch EDS only): the delta proxy is told it is gone; the SotW proxy
      // gets the other two again.
      projector.configChanged(GatewayConfig.of(GW, List.of("cmd-2c"), List.of(listener("web-80", 80,
              "web-80-routes")), List.of(routes("web-80-routes", "*", "/", "default/svc-a:8080")),
          List.of(edsCluster("default/svc-a:8080"), edsCluster("default/svc-b:8080")), List.of()));
      assertThat(delta.deltaResponse().getRemovedResourcesList())
          .containsExactly("default/svc-c:8080");
      DiscoveryResponse two = sotw.response();
      assertThat(names(two.getResourcesList())).containsExactlyInAnyOrder("default/svc-a:8080", "default/svc-b:8080");
    }
  }

  @Test
  void aNodeWithoutAGatewayIsRefusedWithTheConvention() throws Exception {
    try (AdsClient envoy = AdsClient.sotw(channel, "just-a-name")) {
      envoy.request(LISTENER_TYPE_URL, List.of(), "", "");
      Status status = Status.fromThrowable(envoy.error());
      assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(status.getDescription()).contains("just-a-name").contains("<gatewayId>~<instance>");
    }
  }
}
