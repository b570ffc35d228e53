package org.epicgateway.projections.view;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.epicgateway.projections.gatewayapi.Attachments;
import org.epicgateway.schemas.avro.LabelSelector;
import org.epicgateway.projections.decider.Commands;
import org.epicgateway.projections.decider.Decision;
import org.epicgateway.projections.decider.MapLookup;
import org.epicgateway.schemas.EventHashes;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import org.epicgateway.projections.envoy.EnvoyDerivation;
import org.epicgateway.projections.envoy.Backends;
import org.epicgateway.schemas.avro.RemoveCertificate;
import org.epicgateway.schemas.avro.RecordCertificate;
import org.epicgateway.schemas.avro.ServicePort;
import org.epicgateway.schemas.avro.ReferenceGrant;
import org.epicgateway.schemas.avro.HttpRouteRule;
import org.epicgateway.schemas.avro.BackendService;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.ParentRef;
import org.epicgateway.schemas.avro.Actor;
import org.epicgateway.schemas.avro.ActorKind;
import org.epicgateway.schemas.avro.Endpoint;
import org.epicgateway.schemas.avro.MarkNodeLost;
import org.epicgateway.schemas.avro.NodeHeartbeat;
import org.epicgateway.schemas.avro.NodeKind;
import org.epicgateway.schemas.avro.UpsertHttpRoute;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gateway view projection's pure code fed by the real decider's events, as the Streams topology feeds it. */
class GatewayViewsTest {

  private final Commands c = new Commands();
  private final MapLookup decider = new MapLookup();
  private final MemoryViewStore views = new MemoryViewStore();
  private final List<EventEnvelope> log = new ArrayList<>();

  /** Decides the command, folds its events into the views and returns the gateways they affected. */
  private Set<String> run(CommandEnvelope command) {
    Decision d = decider.submit(command);
    assertThat(d.accepted()).as("%s", d.rejection()).isTrue();
    Set<String> affected = new TreeSet<>();
    for (EventEnvelope e : d.events()) {
      log.add(e);
      affected.addAll(GatewayViews.apply(views, e, EventHashes.hash(e)));
    }
    return affected;
  }

  @BeforeEach
  void twoTenants() {
    run(c.createAccount("acme"));
    run(c.createAccount("other"));
    run(c.definePool("v4", null, "192.0.2.0/28"));
    run(c.defineTemplate("standard", "v4"));
    run(c.createGateway("acme", "shop", "standard"));
    run(c.createGateway("acme", "blog", "standard"));
    run(c.createGateway("other", "shop", "standard"));
  }

  private GatewayView view(String id) {
    return GatewayViews.view(views, id).orElseThrow();
  }

  @Test
  void aViewHoldsTheGatewayItsTemplateAttachedRoutesAndTheirBackendsSlices() {
    run(c.upsertRoute("acme", "web", "shop"));
    run(c.upsertRoute("acme", "news", "blog", Commands.rule("/", "news", 80)));
    run(c.upsertSlice("acme", "web-1", "web"));
    run(c.upsertSlice("acme", "news-1", "news"));
    run(c.upsertSlice("other", "web-1", "web"));
    GatewayView shop = view("gateway/acme/default/shop");
    assertThat(shop.getGatewayId()).isEqualTo("gateway/acme/default/shop");
    assertThat(shop.getGatewayVersion()).isEqualTo(1);
    assertThat(shop.getGateway().getAddress()).isEqualTo("192.0.2.1");
    assertThat(shop.getTemplate().getTemplate()).isEqualTo("standard");
    assertThat(shop.getHttpRoutes()).extracting(r -> r.getName()).containsExactly("web");
    assertThat(shop.getTcpRoutes()).isEmpty();
    assertThat(shop.getEndpointSlices()).extracting(s -> s.getAccount() + "/" + s.getName())
        .containsExactly("acme/web-1");
    assertThat(view("gateway/other/default/shop").getHttpRoutes()).isEmpty();
    assertThat(view("gateway/acme/default/blog").getEndpointSlices()).extracting(s -> s.getName())
        .containsExactly("news-1");
  }

  @Test
  void aGrpcRouteIsIndexedByItsParentBackendsAndMirrors() {
    assertThat(run(c.upsertGrpcRoute("acme", "echo", "shop", "echo.Echo", "echo", "shadow")))
        .containsExactly("gateway/acme/default/shop");
    assertThat(run(c.upsertSlice("acme", "echo-1", "echo"))).containsExactly("gateway/acme/default/shop");
    assertThat(run(c.upsertSlice("acme", "shadow-1", "shadow"))).as("a mirror backend is a backend")
        .containsExactly("gateway/acme/default/shop");
    GatewayView shop = view("gateway/acme/default/shop");
    assertThat(shop.getGrpcRoutes()).extracting(r -> r.getName()).containsExactly("echo");
    assertThat(shop.getHttpRoutes()).isEmpty();
    assertThat(shop.getEndpointSlices()).extracting(s -> s.getName()).containsExactly("echo-1", "shadow-1");
    assertThat(run(c.upsertGrpcRoute("acme", "echo", "blog", "echo.Echo", "echo", "shadow")))
        .containsExactly("gateway/acme/default/blog", "gateway/acme/default/shop");
    assertThat(view("gateway/acme/default/shop").getGrpcRoutes()).isEmpty();
    assertThat(view("gateway/acme/default/blog").getEndpointSlices()).hasSize(2);
  }

  @Test
  void relabellingANamespaceReDerivesTheViewsOfGatewaysSelectingByLabelOnly() {
    LabelSelector teamA = new LabelSelector(new TreeMap<>(Map.of("team", "a")), List.of());
    run(c.updateGateway("acme", "shop", Commands.selecting("web", 80, teamA)));
    run(c.upsertRouteIn("acme", "apps", "web", "shop"));
    run(c.upsertRouteIn("acme", "apps", "news", "blog"));
    assertThat(view("gateway/acme/default/shop").getNamespaces()).as("apps has no record yet").isEmpty();
    assertThat(Attachments.of(view("gateway/acme/default/shop")).parents())
        .extracting(Attachments.Parent::reason).containsExactly("NotAllowedByListeners");

    assertThat(run(c.upsertNamespace("acme", "apps", Map.of("team", "a"))))
        .as("blog admits routes of its own namespace only: its view does not depend on labels")
        .containsExactly("gateway/acme/default/shop");
    GatewayView shop = view("gateway/acme/default/shop");
    assertThat(shop.getNamespaces()).extracting(n -> n.getName() + "=" + n.getLabels())
        .containsExactly("apps={team=a}");
    assertThat(view("gateway/acme/default/blog").getNamespaces()).isEmpty();
    assertThat(Attachments.of(shop).parents()).extracting(Attachments.Parent::reason).containsExactly("Accepted");
    assertThat(run(c.upsertNamespace("other", "apps", Map.of("team", "b")))).as("another account's namespace")
        .isEmpty();

    assertThat(run(c.upsertNamespace("acme", "apps", Map.of("team", "b")))).containsExactly("gateway/acme/default/shop");
    assertThat(Attachments.of(view("gateway/acme/default/shop")).parents())
        .extracting(Attachments.Parent::reason).containsExactly("NotAllowedByListeners");
    run(c.upsertNamespace("acme", "apps", Map.of("team", "a")));
    assertThat(run(c.removeNamespace("acme", "apps"))).containsExactly("gateway/acme/default/shop");
    assertThat(view("gateway/acme/default/shop").getNamespaces()).isEmpty();
  }

  @Test
  void deletedGatewaysHaveNoViewAndTheirDeletionIsATombstone() {
    assertThat(run(c.deleteGateway("acme", "shop"))).containsExactly("gateway/acme/default/shop");
    assertThat(GatewayViews.view(views, "gateway/acme/default/shop")).isEmpty();
    assertThat(GatewayViews.changes(views, Set.of("gateway/acme/default/shop")))
        .containsExactly(new GatewayViews.ViewChange("gateway/acme/default/shop", null));
    assertThat(GatewayViews.view(views, "gateway/acme/default/nope")).isEmpty();
    assertThat(GatewayViews.changes(views, Set.of("gateway/acme/default/nope"))).as("never seen: no record").isEmpty();
  }

  @Test
  void movingARouteAffectsItsOldAndNewParent() {
    run(c.upsertRoute("acme", "web", "shop"));
    assertThat(run(c.upsertRoute("acme", "web", "blog")))
        .containsExactly("gateway/acme/default/blog", "gateway/acme/default/shop");
    assertThat(view("gateway/acme/default/shop").getHttpRoutes()).isEmpty();
    assertThat(view("gateway/acme/default/blog").getHttpRoutes()).hasSize(1);
  }

  @Test
  void aRemovedRouteLeavesItsParentAndTakesItsBackendsSlicesAlong() {
    run(c.upsertRoute("acme", "web", "shop"));
    run(c.upsertSlice("acme", "web-1", "web"));
    assertThat(run(c.removeRoute("acme", "web"))).containsExactly("gateway/acme/default/shop");
    assertThat(view("gateway/acme/default/shop").getHttpRoutes()).isEmpty();
    assertThat(view("gateway/acme/default/shop").getEndpointSlices()).isEmpty();
    assertThat(run(c.upsertSlice("acme", "web-1", "web"))).as("no route uses the service any more").isEmpty();
  }

  @Test
  void aRouteThatDropsABackendNoLongerGetsItsSlicesOrTheirChanges() {
    run(c.upsertRoute("acme", "web", "shop", Commands.rule("/", "web", 80), Commands.rule("/api", "api", 80)));
    run(c.upsertSlice("acme", "api-1", "api"));
    assertThat(view("gateway/acme/default/shop").getEndpointSlices()).extracting(s -> s.getName())
        .containsExactly("api-1");
    run(c.upsertRoute("acme", "web", "shop", Commands.rule("/", "web", 80)));
    assertThat(view("gateway/acme/default/shop").getEndpointSlices()).isEmpty();
    assertThat(run(c.upsertSlice("acme", "api-1", "api"))).isEmpty();
  }

  @Test
  void aSliceAffectsTheGatewaysOfRoutesUsingItsService() {
    UpsertHttpRoute both = (UpsertHttpRoute) c.upsertRoute("acme", "web", "shop").getPayload();
    both.setParentRefs(List.of(ParentRef.newBuilder().setName("shop").build(),
        ParentRef.newBuilder().setName("blog").build()));
    run(c.envelope("httproute/acme/default/web", "acme", both));
    assertThat(run(c.upsertSlice("acme", "web-1", "web")))
        .containsExactly("gateway/acme/default/blog", "gateway/acme/default/shop");
    assertThat(run(c.upsertSlice("acme", "db-1", "db"))).isEmpty();
    assertThat(run(c.upsertSlice("other", "web-1", "web"))).as("same service name, other account").isEmpty();
    assertThat(run(c.removeSlice("acme", "web-1")))
        .containsExactly("gateway/acme/default/blog", "gateway/acme/default/shop");
    assertThat(view("gateway/acme/default/shop").getEndpointSlices()).isEmpty();
  }

  @Test
  void aTemplateChangeAffectsEveryGatewayUsingIt() {
    EventEnvelope defined = log.stream().filter(e -> e.getAggregateId().equals("template/standard")).findFirst()
        .orElseThrow();
    assertThat(GatewayViews.update(views, views.get("template/standard").orElseThrow())).containsExactly(
        "gateway/acme/default/blog", "gateway/acme/default/shop", "gateway/other/default/shop");
    assertThat(defined.getSequence()).isEqualTo(1);
    assertThat(GatewayViews.partOfViews("pool/v4")).isFalse();
    assertThat(GatewayViews.partOfViews("account/acme")).isFalse();
    assertThat(GatewayViews.partOfViews("gatewayconfig/acme/default/shop")).isFalse();
    assertThat(GatewayViews.partOfViews("gateway/acme/shop")).as("malformed id").isFalse();
    assertThat(GatewayViews.partOfViews(null)).isFalse();
    assertThat(GatewayViews.partOfViews("httproute/acme/default/web")).isTrue();
    assertThat(GatewayViews.apply(views, log.get(0), EventHashes.hash(log.get(0)))).as("an account event").isEmpty();
  }

  @Test
  void templatesGoToEveryPartitionAndTenantObjectsToTheirAccounts() {
    assertThat(GatewayViews.partitionKey("template/standard")).isEmpty();
    assertThat(GatewayViews.partitionKey("gateway/acme/default/shop")).contains("acme");
    assertThat(GatewayViews.partitionKey("httproute/acme/default/web")).contains("acme");
    assertThat(GatewayViews.partitionKey("endpointslice/acme/default/web-1")).contains("acme");
    assertThat(GatewayViews.partitionKey("node/host-1")).as("endpoints of any account run on a node").isEmpty();
  }

  /** A node's agent as the decider sees it: a heartbeat, or the liveness watcher's loss report. */
  private Set<String> node(String name, Object payload) {
    CommandEnvelope command = c.envelope("node/" + name, null, payload);
    command.setActor(new Actor(ActorKind.AGENT, "agent", null));
    return run(command);
  }

  @Test
  void aLostNodesEndpointsLeaveTheViewsUntilItBeatsAgain() {
    run(c.upsertRoute("acme", "web", "shop"));
    run(c.upsertSlice("acme", "web-1", "web", endpoint("10.1.0.5", "host-1"), endpoint("10.1.0.6", "host-2"),
        endpoint("10.1.0.7", null)));
    run(c.upsertSlice("other", "web-1", "web", endpoint("10.2.0.5", "host-1")));
    NodeHeartbeat beat = new NodeHeartbeat("host-1", NodeKind.CLIENT, List.of("198.51.100.20"), "eth0", null, null);
    assertThat(node("host-1", beat)).as("a join changes no view").isEmpty();
    assertThat(addresses(view("gateway/acme/default/shop")))
        .containsExactly("10.1.0.5", "10.1.0.6", "10.1.0.7");

    assertThat(node("host-1", new MarkNodeLost("host-1", null, 16_000L)))
        .as("the gateways whose routes reach an endpoint there").containsExactly("gateway/acme/default/shop");
    assertThat(addresses(view("gateway/acme/default/shop")))
        .as("host-2 never beat, so it is not lost; an endpoint without a node stays").containsExactly("10.1.0.6",
            "10.1.0.7");

    assertThat(node("host-1", beat)).containsExactly("gateway/acme/default/shop");
    assertThat(addresses(view("gateway/acme/default/shop"))).containsExactly("10.1.0.5", "10.1.0.6", "10.1.0.7");
  }

  private static Endpoint endpoint(String address, String node) {
    return Endpoint.newBuilder(Commands.endpoint(address, "198.51.100.7")).setNodeName(node).build();
  }

  private static List<String> addresses(GatewayView view) {
    return view.getEndpointSlices().stream().flatMap(s -> s.getEndpoints().stream())
        .flatMap(e -> e.getAddresses().stream()).toList();
  }

  @Test
  void theOrderOfAggregatesDoesNotChangeTheViews() {
    run(c.upsertRoute("acme", "web", "shop"));
    run(c.upsertSlice("acme", "web-1", "web"));
    run(c.upsertRoute("acme", "web", "blog"));
    run(c.upsertSlice("acme", "web-2", "web"));
    // Partitions read at different speeds: each aggregate's events stay in order, aggregates interleave otherwise.
    MemoryViewStore reordered = new MemoryViewStore();
    log.stream().sorted(java.util.Comparator.comparing(EventEnvelope::getAggregateId).reversed()
            .thenComparing(EventEnvelope::getSequence))
        .forEach(e -> GatewayViews.apply(reordered, e, EventHashes.hash(e)));
    for (String gateway : List.of("gateway/acme/default/shop", "gateway/acme/default/blog",
        "gateway/other/default/shop")) {
      assertThat(GatewayViews.view(reordered, gateway)).as(gateway).isEqualTo(GatewayViews.view(views, gateway));
    }
    assertThat(view("gateway/acme/default/blog").getEndpointSlices()).extracting(s -> s.getName())
        .containsExactly("web-1", "web-2");
  }

  @Test
  void servicesAndTheGrantsOfNamespacesReferencedAcrossReachTheViewOfTheGatewaysUsingThem() {
    HttpRouteRule across = Commands.rule("/", "api", 8080);
    across.getBackendRefs().get(0).setNamespace("backends");
    run(c.upsertRoute("acme", "web", "shop", across));
    ServicePort http = ServicePort.newBuilder().setName("http").setPort(8080).setTargetPort(9090)
        .setAppProtocol("kubernetes.io/h2c").build();
    assertThat(run(c.upsertService("acme", "backends", "api", http))).containsExactly("gateway/acme/default/shop");
    assertThat(run(c.upsertService("acme", "backends", "unused", http))).as("no route names it").isEmpty();
    GatewayView shop = view("gateway/acme/default/shop");
    assertThat(shop.getServices()).containsExactly(new BackendService("backends", "api", List.of(http), null));
    assertThat(shop.getReferenceGrants()).isEmpty();
    assertThat(new Backends(shop).resolve("HTTPRoute", "acme", "default", across.getBackendRefs().get(0)).problem())
        .isEqualTo(Backends.Problem.RefNotPermitted);

    assertThat(run(c.upsertGrant("acme", "backends", "from-default", "default")))
        .containsExactly("gateway/acme/default/shop");
    assertThat(run(c.upsertGrant("other", "backends", "from-default", "default"))).as("another account").isEmpty();
    shop = view("gateway/acme/default/shop");
    assertThat(shop.getReferenceGrants()).extracting(ReferenceGrant::getName).containsExactly("from-default");
    assertThat(new Backends(shop).resolve("HTTPRoute", "acme", "default", across.getBackendRefs().get(0)).resolved()).isTrue();
    assertThat(EnvoyDerivation.derive(shop).clusters()).extracting(Cluster::getName)
        .contains("acme/backends/api:8080");

    assertThat(run(c.removeGrant("acme", "backends", "from-default"))).containsExactly("gateway/acme/default/shop");
    assertThat(view("gateway/acme/default/shop").getReferenceGrants()).isEmpty();
    assertThat(run(c.removeService("acme", "backends", "api"))).containsExactly("gateway/acme/default/shop");
    assertThat(view("gateway/acme/default/shop").getServices()).isEmpty();
    run(c.upsertRoute("acme", "web", "shop"));
    assertThat(run(c.upsertGrant("acme", "backends", "from-default", "default")))
        .as("the route no longer references the namespace").isEmpty();
  }

  @Test
  void aRecordedCertificateReachesTheViewsOfTheGatewaysReferencingItAndOnlyThose() {
    String id = "certificate/acme/default/cert";
    run(c.createGateway("acme", "secure", "standard", Commands.https("tls", 443, "shop.example.com")));
    assertThat(view("gateway/acme/default/secure").getCertificates()).isEmpty();
    RecordCertificate record = new RecordCertificate("acme", "default", "cert", "ab".repeat(32),
        java.time.Instant.parse("2027-01-01T00:00:00Z"));
    assertThat(run(c.envelope(id, "acme", record))).containsExactly("gateway/acme/default/secure");
    assertThat(view("gateway/acme/default/secure").getCertificates()).singleElement()
        .satisfies(s -> assertThat(s.getSha256()).isEqualTo("ab".repeat(32)));
    // The listener is served once its certificate is recorded.
    assertThat(EnvoyDerivation.derive(view("gateway/acme/default/secure")).listeners()).isNotEmpty();
    assertThat(run(c.envelope(id, "acme", new RemoveCertificate()))).containsExactly("gateway/acme/default/secure");
    assertThat(view("gateway/acme/default/secure").getCertificates()).isEmpty();
    assertThat(EnvoyDerivation.derive(view("gateway/acme/default/secure")).listeners())
        .as("a listener whose certificate is gone serves nothing").isEmpty();
    // A certificate recorded before the gateway that names it is in its first view.
    run(c.envelope("certificate/acme/default/early", "acme", new RecordCertificate("acme", "default", "early",
        "cd".repeat(32), java.time.Instant.parse("2027-01-01T00:00:00Z"))));
    var early = Commands.https("tls", 443, "blog.example.com");
    early.setTlsCertificateRef(org.epicgateway.schemas.avro.CertificateRef.newBuilder().setName("early").build());
    run(c.createGateway("acme", "late", "standard", early));
    assertThat(view("gateway/acme/default/late").getCertificates()).extracting(s -> s.getName())
        .containsExactly("early");
  }
}
