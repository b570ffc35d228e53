package org.epicgateway.projections.decider;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.DefineGatewayTemplate;
import org.epicgateway.schemas.avro.GatewaySharingSet;
import org.epicgateway.schemas.avro.GatewayState;
import org.epicgateway.schemas.avro.ParentRef;
import org.epicgateway.schemas.avro.RejectionCode;
import org.epicgateway.schemas.avro.UpsertHttpRoute;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sharing across accounts: the owner of a shared gateway (acme) grants another account (bank), whose routes may then
 * name it with parentRefs[].account; without the grant they are refused naming it, and a revoke leaves them in place.
 */
class SharingTest {
  private static final String PUBLIC = "gateway/acme/default/public";

  private final Commands c = new Commands();
  private final MapLookup store = new MapLookup();

  @BeforeEach
  void accounts() {
    store.submit(c.createAccount("acme"));
    store.submit(c.createAccount("bank"));
    store.submit(c.createAccount("corp"));
    store.submit(c.definePool("v4", null, "192.0.2.0/28"));
    store.submit(c.defineTemplate("standard", "v4"));
    CommandEnvelope shareable = c.defineTemplate("shared", "v4");
    ((DefineGatewayTemplate) shareable.getPayload()).setShareable(true);
    store.submit(shareable);
    assertThat(store.submit(c.createGateway("acme", "public", "shared")).accepted()).isTrue();
    assertThat(store.submit(c.createGateway("acme", "private", "standard")).accepted()).isTrue();
  }

  private List<String> sharedWith() {
    return ((GatewayState) store.states.get(PUBLIC).getResource()).getSharedWith();
  }

  private static void refused(Decision d, RejectionCode code, String field, String message) {
    assertThat(d.accepted()).isFalse();
    assertThat(d.events()).isEmpty();
    assertThat(d.rejection().getCode()).isEqualTo(code);
    assertThat(d.rejection().getField()).isEqualTo(field);
    assertThat(d.rejection().getMessage()).contains(message);
  }

  @Test
  void theOwnerGrantsAndRevokesAnotherAccountAndRepeatsRecordNothing() {
    Decision grant = store.submit(c.setSharing("acme", "public", "bank", true));
    assertThat(grant.accepted()).isTrue();
    assertThat(grant.events()).singleElement().satisfies(e -> {
      assertThat(e.getAggregateId()).isEqualTo(PUBLIC);
      assertThat(e.getPayload()).isEqualTo(new GatewaySharingSet("bank", true));
    });
    assertThat(store.submit(c.setSharing("acme", "public", "corp", true)).accepted()).isTrue();
    assertThat(sharedWith()).containsExactly("bank", "corp");
    Decision again = store.submit(c.setSharing("acme", "public", "bank", true));
    assertThat(again.accepted()).isTrue();
    assertThat(again.events()).as("granting what is granted").isEmpty();

    assertThat(store.submit(c.setSharing("acme", "public", "bank", false)).events()).singleElement()
        .satisfies(e -> assertThat(e.getPayload()).isEqualTo(new GatewaySharingSet("bank", false)));
    assertThat(sharedWith()).containsExactly("corp");
    Decision revokeAgain = store.submit(c.setSharing("acme", "public", "bank", false));
    assertThat(revokeAgain.accepted()).isTrue();
    assertThat(revokeAgain.events()).as("revoking what is not granted").isEmpty();
  }

  @Test
  void aGrantIsRefusedWithoutEventUnlessTheOwnerGrantsAnotherExistingAccountOnASharedGateway() {
    refused(store.submit(c.setSharing("acme", "private", "bank", true)), RejectionCode.VALIDATION,
        "targetAggregateId", "gateway 'default/private' is not shared (its template 'standard' is not shareable)");
    refused(store.submit(c.setSharing("acme", "public", "acme", true)), RejectionCode.VALIDATION, "grantee",
        "account 'acme' owns the gateway");
    refused(store.submit(c.setSharing("acme", "public", "nobody", true)), RejectionCode.NOT_FOUND, "account",
        "account 'nobody' does not exist");
    refused(store.submit(c.setSharing("acme", "public", "Bad_Name", true)), RejectionCode.VALIDATION, "grantee",
        "Bad_Name");
    refused(store.submit(c.setSharing("acme", "absent", "bank", true)), RejectionCode.NOT_FOUND,
        "targetAggregateId", "gateway 'default/absent' of account 'acme' does not exist");
    CommandEnvelope byBank = c.setSharing("acme", "public", "bank", true);
    byBank.setAccount("bank");
    refused(store.submit(byBank), RejectionCode.FORBIDDEN, "targetAggregateId", "account 'bank' may not change");
    assertThat(sharedWith()).isEmpty();
  }

  @Test
  void anotherAccountsRouteAttachesOnlyWithTheGrantAndARevokeRefusesItsNextChange() {
    String missingGrant = "account 'acme' has not granted account 'bank' its gateway 'default/public' (the owner"
        + " grants it with PUT /api/v1/accounts/acme/gateways/default/public/sharing/bank)";
    refused(store.submit(c.upsertRouteTo("bank", "web", "acme", "public")), RejectionCode.FORBIDDEN,
        "parentRefs[0].account", missingGrant);
    refused(store.submit(c.upsertRouteTo("bank", "web", "acme", "absent")), RejectionCode.FORBIDDEN,
        "parentRefs[0].account", "account 'acme' has not granted account 'bank' its gateway 'default/absent'");

    assertThat(store.submit(c.setSharing("acme", "public", "bank", true)).accepted()).isTrue();
    Decision attached = store.submit(c.upsertRouteTo("bank", "web", "acme", "public"));
    assertThat(attached.accepted()).isTrue();
    assertThat(attached.events()).singleElement().satisfies(e -> assertThat(e.getAggregateId())
        .isEqualTo("httproute/bank/default/web"));
    refused(store.submit(c.upsertRouteTo("corp", "web", "acme", "public")), RejectionCode.FORBIDDEN,
        "parentRefs[0].account", "account 'acme' has not granted account 'corp'");
    CommandEnvelope noListener = c.upsertRouteTo("bank", "web", "acme", "public");
    ((UpsertHttpRoute) noListener.getPayload()).setParentRefs(List.of(ParentRef.newBuilder().setAccount("acme")
        .setName("public").setSectionName("admin").build()));
    refused(store.submit(noListener), RejectionCode.NOT_FOUND, "parentRefs[0].sectionName",
        "gateway 'default/public' has no listener 'admin'");
    assertThat(store.submit(c.upsertRouteTo("acme", "own", "acme", "private")).accepted())
        .as("naming its own account is naming its own gateway").isTrue();

    assertThat(store.submit(c.setSharing("acme", "public", "bank", false)).accepted()).isTrue();
    assertThat(store.states.get("httproute/bank/default/web").getDeleted()).as("the grantee's route stays its own")
        .isFalse();
    refused(store.submit(c.upsertRouteTo("bank", "web", "acme", "public")), RejectionCode.FORBIDDEN,
        "parentRefs[0].account", missingGrant);
    assertThat(store.submit(c.removeRoute("bank", "web")).accepted()).as("it can still be removed").isTrue();
  }
}
