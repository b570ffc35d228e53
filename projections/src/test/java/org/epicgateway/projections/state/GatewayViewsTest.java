package org.epicgateway.projections.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.epicgateway.projections.decider.Commands;
import org.epicgateway.projections.decider.Decision;
import org.epicgateway.projections.decider.MapLookup;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.ParentRef;
import org.epicgateway.schemas.avro.UpsertHttpRoute;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GatewayViewsTest {

  private final Commands c = new Commands();
  private final MapLookup store = new MapLookup();

  private Decision run(CommandEnvelope command) {
    Decision d = store.submit(command);
    assertThat(d.accepted()).as("%s", d.rejection()).isTrue();
    return d;
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
    return GatewayViews.view(id, store).orElseThrow();
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
  void deletedGatewaysHaveNoView() {
    run(c.deleteGateway("acme", "shop"));
    assertThat(GatewayViews.view("gateway/acme/default/shop", store)).isEmpty();
    assertThat(GatewayViews.view("gateway/acme/default/nope", store)).isEmpty();
  }

  @Test
  void movingARouteAffectsItsOldAndNewParent() {
    run(c.upsertRoute("acme", "web", "shop"));
    AggregateState before = store.states.get("httproute/acme/default/web");
    CommandEnvelope move = c.upsertRoute("acme", "web", "blog");
    AggregateState after = run(move).states().get("httproute/acme/default/web");
    assertThat(GatewayViews.affected(before, after, store))
        .containsExactly("gateway/acme/default/blog", "gateway/acme/default/shop");
    assertThat(view("gateway/acme/default/shop").getHttpRoutes()).isEmpty();
    assertThat(view("gateway/acme/default/blog").getHttpRoutes()).hasSize(1);
  }

  @Test
  void aSliceAffectsTheGatewaysOfRoutesUsingItsService() {
    UpsertHttpRoute both = (UpsertHttpRoute) c.upsertRoute("acme", "web", "shop").getPayload();
    both.setParentRefs(List.of(ParentRef.newBuilder().setName("shop").build(),
        ParentRef.newBuilder().setName("blog").build()));
    run(c.envelope("httproute/acme/default/web", "acme", both));
    AggregateState slice = run(c.upsertSlice("acme", "web-1", "web")).states().get("endpointslice/acme/default/web-1");
    assertThat(GatewayViews.affected(null, slice, store))
        .containsExactly("gateway/acme/default/blog", "gateway/acme/default/shop");
    AggregateState unused = run(c.upsertSlice("acme", "db-1", "db")).states().get("endpointslice/acme/default/db-1");
    assertThat(GatewayViews.affected(null, unused, store)).isEmpty();
  }

  @Test
  void aTemplateChangeAffectsEveryGatewayUsingIt() {
    AggregateState template = store.states.get("template/standard");
    assertThat(GatewayViews.affected(template, template, store)).containsExactly(
        "gateway/acme/default/blog", "gateway/acme/default/shop", "gateway/other/default/shop");
    AggregateState pool = store.states.get("pool/v4");
    assertThat(GatewayViews.affected(pool, pool, store)).isEmpty();
  }
}
