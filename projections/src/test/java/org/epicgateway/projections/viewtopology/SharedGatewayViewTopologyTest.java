package org.epicgateway.projections.viewtopology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.TestOutputTopic;
import org.epicgateway.projections.decider.Commands;
import org.epicgateway.projections.envoy.EndpointDerivation;
import org.epicgateway.projections.status.StatusDerivation;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.AllowedRoutes;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.DefineGatewayTemplate;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.HttpRouteState;
import org.epicgateway.schemas.avro.Listener;
import org.epicgateway.schemas.avro.ListenerProtocol;
import org.epicgateway.schemas.avro.NamespacesFrom;
import org.epicgateway.schemas.avro.ServicePort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A gateway of acme shared with corp, on the real topology: corp's route, Service and slice (the last two written
 * before the route) reach the view of acme's gateway, which only acme's partition builds, through
 * epic.gateway-view-shares; a revoke drops them from it and a new grant brings them back with what changed meanwhile.
 */
class SharedGatewayViewTopologyTest {
  private static final String PUBLIC = "gateway/acme/default/public";

  private final Commands c = new Commands();
  private ViewTopologyRun view;
  private TestOutputTopic<String, GatewayView> views;

  @BeforeEach
  void start() throws Exception {
    view = new ViewTopologyRun();
    views = view.views;
    decide(c.createAccount("acme"));
    decide(c.createAccount("corp"));
    decide(c.definePool("v4", null, "192.0.2.0/28"));
    CommandEnvelope shared = c.defineTemplate("shared", "v4");
    ((DefineGatewayTemplate) shared.getPayload()).setShareable(true);
    decide(shared);
    decide(c.createGateway("acme", "public", "shared", Listener.newBuilder().setName("web").setPort(80)
        .setProtocol(ListenerProtocol.HTTP).setAllowedRoutes(AllowedRoutes.newBuilder()
            .setNamespacesFrom(NamespacesFrom.ALL).build()).build()));
  }

  @AfterEach
  void stop() throws Exception {
    view.close();
  }

  private void decide(CommandEnvelope command) {
    view.fold(command);
    view.run.driver().advanceWallClockTime(Duration.ofMinutes(1)); // the punctuation that builds the folded views
  }

  private static int partition(String account) {
    return Utils.toPositive(Utils.murmur2(account.getBytes(StandardCharsets.UTF_8))) % Topics.PARTITIONS;
  }

  /** The latest view of acme's gateway emitted since the last call. */
  private GatewayView latest() {
    Map<String, GatewayView> emitted = views.readKeyValuesToMap();
    assertThat(emitted).as("only acme's gateway has a view").containsOnlyKeys(PUBLIC);
    return emitted.get(PUBLIC);
  }

  private static List<String> routes(GatewayView view) {
    return view.getHttpRoutes().stream().map(r -> r.getAccount() + "/" + r.getName()).toList();
  }

  @Test
  void aGrantedAccountsRouteServiceAndSliceReachTheOwnersViewUntilRevoked() {
    assertThat(partition("acme")).as("the accounts must sit on different partitions for this test to mean anything")
        .isNotEqualTo(partition("corp"));
    decide(c.setSharing("acme", "public", "corp", true));
    // acme has a Service of the same name: corp's route must never reach it.
    decide(c.upsertService("acme", "default", "web", new ServicePort("http", 8080, null, null)));
    decide(c.upsertSlice("acme", "web-1", "web", Commands.endpoint("10.9.9.9", "198.51.100.9")));
    decide(c.upsertService("corp", "default", "web", new ServicePort("http", 8080, null, null)));
    decide(c.upsertSlice("corp", "web-1", "web"));
    views.readRecordsToList();

    decide(c.upsertRouteTo("corp", "web", "acme", "public"));
    GatewayView attached = latest();
    assertThat(routes(attached)).containsExactly("corp/web");
    assertThat(attached.getServices()).singleElement().satisfies(s -> assertThat(s.getAccount()).isEqualTo("corp"));
    assertThat(attached.getEndpointSlices()).singleElement()
        .satisfies(s -> assertThat(s.getAccount()).isEqualTo("corp"));
    assertThat(EndpointDerivation.deriveEndpoints(attached)).containsOnlyKeys("corp/default/web:8080");
    assertThat(EndpointDerivation.deriveEndpoints(attached).get("corp/default/web:8080").toString())
        .contains("10.1.0.5").doesNotContain("10.9.9.9");
    assertThat(StatusDerivation.derive(attached).routes()).singleElement().satisfies(r -> {
      assertThat(r.account()).isEqualTo("corp");
      assertThat(r.accepted().status()).as("%s", r.accepted()).isTrue();
      assertThat(r.resolvedRefs().status()).as("%s", r.resolvedRefs()).isTrue();
    });

    decide(c.upsertSlice("corp", "web-2", "web", Commands.endpoint("10.1.0.6", "198.51.100.7")));
    assertThat(latest().getEndpointSlices()).extracting(s -> s.getName()).containsExactly("web-1", "web-2");

    decide(c.setSharing("acme", "public", "corp", false));
    GatewayView revoked = latest();
    assertThat(revoked.getHttpRoutes()).as("a revoke detaches corp's route").isEmpty();
    assertThat(EndpointDerivation.deriveEndpoints(revoked)).isEmpty();
    decide(c.removeSlice("corp", "web-1"));
    assertThat(views.readKeyValuesToMap().values()).as("nothing of corp's is in acme's view meanwhile")
        .allSatisfy(v -> assertThat(v.getHttpRoutes()).isEmpty());

    decide(c.setSharing("acme", "public", "corp", true));
    GatewayView regranted = latest();
    assertThat(routes(regranted)).as("the route written before this grant").containsExactly("corp/web");
    assertThat(regranted.getEndpointSlices()).extracting(s -> s.getName()).as("and what changed while revoked")
        .containsExactly("web-2");

    decide(c.removeRoute("corp", "web"));
    assertThat(latest().getHttpRoutes()).extracting(HttpRouteState::getName).isEmpty();
  }
}
