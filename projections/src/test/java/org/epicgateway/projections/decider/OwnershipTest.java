package org.epicgateway.projections.decider;

import static org.assertj.core.api.Assertions.assertThat;

import org.epicgateway.schemas.avro.Actor;
import org.epicgateway.schemas.avro.ActorKind;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.DefineGatewayTemplate;
import org.epicgateway.schemas.avro.GatewayState;
import org.epicgateway.schemas.avro.RejectionCode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Objects written by a workload cluster's controller are that cluster's: another cluster of the account is refused. */
class OwnershipTest {
  private static final String ROUTE = "httproute/acme/default/web";

  private final Commands c = new Commands();
  private final MapLookup store = new MapLookup();

  @BeforeEach
  void account() {
    store.submit(c.createAccount("acme"));
    store.submit(c.definePool("v4", null, "192.0.2.0/28"));
    store.submit(c.defineTemplate("standard", "v4"));
    store.submit(c.createGateway("acme", "shop", "standard"));
  }

  private static CommandEnvelope as(Actor actor, CommandEnvelope command) {
    command.setActor(actor);
    return command;
  }

  private static Actor cluster(String id) {
    return new Actor(ActorKind.CLUSTER, id, "acme");
  }

  private String owner() {
    return store.states.get(ROUTE).getOwner();
  }

  @Test
  void aClustersObjectsAreItsOwnUntilDeleted() {
    assertThat(store.submit(as(cluster("east"), c.upsertRoute("acme", "web", "shop"))).accepted()).isTrue();
    assertThat(owner()).isEqualTo("east");

    Decision west = store.submit(as(cluster("west"), c.upsertRoute("acme", "web", "shop")));
    assertThat(west.accepted()).isFalse();
    assertThat(west.rejection().getCode()).isEqualTo(RejectionCode.CONFLICT);
    assertThat(west.rejection().getField()).isEqualTo("owner");
    assertThat(west.rejection().getMessage()).isEqualTo("owner: " + ROUTE + " belongs to workload cluster 'east'; cluster 'west'"
        + " may not change it (give one of them another namespace or name)");
    assertThat(west.events()).isEmpty();
    assertThat(store.submit(as(cluster("west"), c.removeRoute("acme", "web"))).accepted()).as("nor delete it")
        .isFalse();

    // An API user may change it (the tenant is the authority over its clusters); the owner stays.
    assertThat(store.submit(as(new Actor(ActorKind.USER, "alice@acme", "acme"), c.upsertRoute("acme", "web", "shop",
        Commands.rule("/v2", "web", 8080)))).accepted()).isTrue();
    assertThat(owner()).isEqualTo("east");

    assertThat(store.submit(as(cluster("east"), c.removeRoute("acme", "web"))).accepted()).isTrue();
    assertThat(store.submit(as(cluster("west"), c.upsertRoute("acme", "web", "shop"))).accepted())
        .as("a deleted object is nobody's").isTrue();
    assertThat(owner()).isEqualTo("west");
  }

  @Test
  void objectsOfApiUsersHaveNoOwner() {
    assertThat(store.submit(c.upsertRoute("acme", "web", "shop")).accepted()).isTrue();
    assertThat(owner()).isNull();
    assertThat(store.submit(as(cluster("east"), c.upsertRoute("acme", "web", "shop"))).accepted())
        .as("a cluster may take over what a user wrote").isTrue();
    assertThat(owner()).isEqualTo("east");
  }

  @Test
  void anotherClustersRoutesAttachOnlyToGatewaysOfAShareableTemplate() {
    CommandEnvelope shareable = c.defineTemplate("shared", "v4");
    ((DefineGatewayTemplate) shareable.getPayload()).setShareable(true);
    assertThat(store.submit(shareable).accepted()).isTrue();
    assertThat(store.submit(as(cluster("east"), c.createGateway("acme", "private", "standard"))).accepted()).isTrue();
    assertThat(store.submit(as(cluster("east"), c.createGateway("acme", "public", "shared"))).accepted()).isTrue();
    assertThat(((GatewayState) store.states.get("gateway/acme/default/private").getResource()).getSharingKey())
        .isNull();
    assertThat(((GatewayState) store.states.get("gateway/acme/default/public").getResource()).getSharingKey())
        .matches("share-[0-9a-f]{32}");

    Decision refused = store.submit(as(cluster("west"), c.upsertRoute("acme", "web", "private")));
    assertThat(refused.accepted()).isFalse();
    assertThat(refused.rejection().getCode()).isEqualTo(RejectionCode.FORBIDDEN);
    assertThat(refused.rejection().getField()).isEqualTo("parentRefs[0].name");
    assertThat(refused.rejection().getMessage()).contains("gateway 'default/private' belongs to workload cluster"
        + " 'east' and is not shared (its template 'standard' is not shareable)");
    assertThat(store.submit(as(cluster("west"), c.upsertRoute("acme", "web", "public"))).accepted()).isTrue();
    assertThat(store.submit(as(cluster("east"), c.upsertRoute("acme", "own", "private"))).accepted()).isTrue();
    assertThat(store.submit(as(cluster("west"), c.upsertRoute("acme", "user", "shop"))).accepted())
        .as("a gateway an API user made is the account's").isTrue();
  }
}
