package org.epicgateway.projections.decider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.epicgateway.projections.decider.Commands.endpoint;
import static org.epicgateway.projections.decider.Commands.http;
import static org.epicgateway.projections.decider.Commands.https;
import static org.epicgateway.projections.decider.Commands.rule;
import static org.epicgateway.projections.decider.Commands.selecting;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.epicgateway.schemas.AggregateIds;
import org.epicgateway.schemas.EventHashes;
import org.epicgateway.schemas.avro.CertificateRecorded;
import org.epicgateway.schemas.avro.RemoveCertificate;
import org.epicgateway.schemas.avro.RecordCertificate;
import org.epicgateway.schemas.avro.ListenerProtocol;
import org.epicgateway.schemas.avro.Listener;
import org.epicgateway.schemas.avro.CertificateRef;
import org.epicgateway.schemas.avro.TlsMode;
import org.epicgateway.schemas.avro.TlsRouteUpserted;
import org.epicgateway.schemas.avro.RemoveTlsRoute;
import org.epicgateway.schemas.avro.UpsertTlsRoute;
import org.epicgateway.schemas.avro.AccountCreated;
import org.epicgateway.schemas.avro.UpdateGatewayTemplate;
import org.epicgateway.schemas.avro.UpsertTcpRoute;
import org.epicgateway.schemas.avro.RemoveTcpRoute;
import org.epicgateway.schemas.avro.TcpRouteUpserted;
import org.epicgateway.schemas.avro.TcpRouteRule;
import org.epicgateway.schemas.avro.BackendRef;
import org.epicgateway.schemas.avro.Header;
import org.epicgateway.schemas.avro.HeaderModifier;
import org.epicgateway.schemas.avro.BackendRefFilter;
import org.epicgateway.schemas.avro.AccountState;
import org.epicgateway.schemas.avro.AddApiUser;
import org.epicgateway.schemas.avro.AddressAllocated;
import org.epicgateway.schemas.avro.AddressReleased;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.CommandResult;
import org.epicgateway.schemas.avro.DefineAddressPool;
import org.epicgateway.schemas.avro.DefineGatewayTemplate;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.GatewayCreated;
import org.epicgateway.schemas.avro.GatewayDeleted;
import org.epicgateway.schemas.avro.GatewayState;
import org.epicgateway.schemas.avro.GrpcMethodMatch;
import org.epicgateway.schemas.avro.GrpcRouteMatch;
import org.epicgateway.schemas.avro.GrpcRouteRule;
import org.epicgateway.schemas.avro.GrpcRouteState;
import org.epicgateway.schemas.avro.GrpcRouteUpserted;
import org.epicgateway.schemas.avro.HeaderMatch;
import org.epicgateway.schemas.avro.RemoveGrpcRoute;
import org.epicgateway.schemas.avro.RequestRedirect;
import org.epicgateway.schemas.avro.UpsertGrpcRoute;
import org.epicgateway.schemas.avro.HttpRouteMatch;
import org.epicgateway.schemas.avro.HttpRouteRule;
import org.epicgateway.schemas.avro.RequestMirror;
import org.epicgateway.schemas.avro.HttpRouteFilterType;
import org.epicgateway.schemas.avro.HttpRouteFilter;
import org.epicgateway.schemas.avro.HttpRouteTimeouts;
import org.epicgateway.schemas.avro.HttpRouteState;
import org.epicgateway.schemas.avro.ParentRef;
import org.epicgateway.schemas.avro.PathMatch;
import org.epicgateway.schemas.avro.PathMatchType;
import org.epicgateway.schemas.avro.PoolState;
import org.epicgateway.schemas.avro.RejectionCode;
import org.epicgateway.schemas.avro.UpsertReferenceGrant;
import org.epicgateway.schemas.avro.ServiceState;
import org.epicgateway.schemas.avro.ServicePort;
import org.epicgateway.schemas.avro.LabelSelector;
import org.epicgateway.schemas.avro.LabelSelectorOperator;
import org.epicgateway.schemas.avro.LabelSelectorRequirement;
import org.epicgateway.schemas.avro.NamespaceState;
import org.epicgateway.schemas.avro.RemoveApiUser;
import org.epicgateway.schemas.avro.RemoveGatewayTemplate;
import org.epicgateway.schemas.avro.StringMatchType;
import org.epicgateway.schemas.avro.UpsertHttpRoute;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeciderTest {

  private final Commands c = new Commands();
  private MapLookup store;

  @BeforeEach
  void admin() {
    store = new MapLookup();
  }

  /** An account "acme", a pool "v4" (192.0.2.0/29: .1-.6 usable) and a template "standard" on it. */
  private void platform() {
    accept(c.createAccount("acme"));
    accept(c.definePool("v4", null, "192.0.2.0/29"));
    accept(c.defineTemplate("standard", "v4"));
  }

  private Decision accept(CommandEnvelope command) {
    Decision d = store.submit(command);
    assertThat(d.rejection()).as("rejection of %s", command.getPayload()).isNull();
    return d;
  }

  /** Asserts the rejection and that nothing was emitted or stored. */
  private Decision reject(CommandEnvelope command, RejectionCode code, String field, String messagePart) {
    var before = store.snapshot();
    Decision d = store.submit(command);
    assertThat(d.accepted()).as("accepted %s", command.getPayload()).isFalse();
    assertThat(d.rejection().getCode()).isEqualTo(code);
    assertThat(d.rejection().getField()).isEqualTo(field);
    assertThat(d.rejection().getMessage()).contains(messagePart);
    assertThat(d.events()).isEmpty();
    assertThat(d.states()).isEmpty();
    assertThat(store.snapshot()).isEqualTo(before);
    CommandResult result = d.result(command);
    assertThat(result.getAccepted()).isFalse();
    assertThat(result.getEventIds()).isEmpty();
    assertThat(result.getRejection()).isEqualTo(d.rejection());
    return d;
  }

  private GatewayState gateway(String account, String name) {
    return (GatewayState) store.states.get(AggregateIds.gateway(account, "default", name)).getResource();
  }

  private PoolState pool(String name) {
    return (PoolState) store.states.get(AggregateIds.pool(name)).getResource();
  }

  // ---- envelopes

  @Test
  void envelopeCarriesCommandIdentityTimeAndGenesisHash() {
    CommandEnvelope command = c.createAccount("acme");
    Decision d = accept(command);
    EventEnvelope e = d.events().get(0);
    assertThat(e.getEventId()).isEqualTo(command.getCommandId() + "-0");
    assertThat(e.getAggregateId()).isEqualTo("account/acme");
    assertThat(e.getAggregateType()).isEqualTo("account");
    assertThat(e.getSequence()).isEqualTo(1);
    assertThat(e.getTimestamp()).isEqualTo(command.getTimestamp());
    assertThat(e.getActor()).isEqualTo(command.getActor());
    assertThat(e.getCorrelationId()).isEqualTo(command.getCommandId());
    assertThat(e.getAccount()).isEqualTo("acme");
    assertThat(e.getPreviousHash()).isEqualTo(EventHashes.genesis());
    assertThat(e.getPayload()).isEqualTo(new AccountCreated("acme", "Account acme"));
    CommandResult result = d.result(command);
    assertThat(result.getAccepted()).isTrue();
    assertThat(result.getVersion()).isEqualTo(1L);
    assertThat(result.getEventIds()).containsExactly(e.getEventId());
  }

  @Test
  void laterEventsChainTheHashOfThePreviousEventOfTheirAggregate() {
    EventEnvelope first = accept(c.createAccount("acme")).events().get(0);
    EventEnvelope second = accept(c.addUser("acme", "alice")).events().get(0);
    assertThat(second.getSequence()).isEqualTo(2);
    assertThat(second.getPreviousHash()).isEqualTo(ByteBuffer.wrap(EventHashes.hash(first)));
    assertThat(store.states.get("account/acme").getLastHash()).isEqualTo(ByteBuffer.wrap(EventHashes.hash(second)));
  }

  @Test
  void decidingTheSameCommandOnTheSameStateGivesEqualEvents() {
    platform();
    CommandEnvelope create = c.createGateway("acme", "shop", "standard");
    Decision once = Decider.decide(create, store);
    Decision twice = Decider.decide(create, store);
    assertThat(once.events()).isEqualTo(twice.events());
  }

  // ---- versions, ids, tenancy

  @Test
  void staleExpectedVersionIsAConflictAndTheCurrentOneIsAccepted() {
    accept(c.createAccount("acme"));
    CommandEnvelope stale = c.addUser("acme", "alice");
    stale.setExpectedVersion(0L);
    reject(stale, RejectionCode.CONFLICT, "expectedVersion", "expected version 0 of account/acme but it is at version 1");
    CommandEnvelope current = c.addUser("acme", "alice");
    current.setExpectedVersion(1L);
    assertThat(accept(current).result(current).getVersion()).isEqualTo(2L);
  }

  @Test
  void targetMustMatchTheCommandsResource() {
    CommandEnvelope wrong = c.envelope("account/other", null, new AccountCreated("acme", null));
    reject(wrong, RejectionCode.VALIDATION, "payload", "unknown command AccountCreated");
    CommandEnvelope mismatch = c.envelope("account/other", null,
        new org.epicgateway.schemas.avro.CreateAccount("acme", null));
    reject(mismatch, RejectionCode.VALIDATION, "targetAggregateId", "does not match the command's resource 'account/acme'");
    reject(c.envelope("nonsense/x", null, new org.epicgateway.schemas.avro.CreateAccount("x", null)),
        RejectionCode.VALIDATION, "targetAggregateId", "unknown aggregate type 'nonsense'");
  }

  @Test
  void aTenantCannotTouchAnotherAccountsResources() {
    platform();
    accept(c.createAccount("other"));
    CommandEnvelope cross = c.createGateway("other", "shop", "standard");
    cross.setAccount("acme");
    reject(cross, RejectionCode.FORBIDDEN, "targetAggregateId", "account 'acme' may not change gateway/other/default/shop");
  }

  // ---- accounts

  @Test
  void accountRules() {
    reject(c.createAccount("Acme_Corp"), RejectionCode.VALIDATION, "account", "is not a DNS-1123 label");
    reject(c.createAccount("a".repeat(64)), RejectionCode.VALIDATION, "account", "at most 63 characters");
    accept(c.createAccount("acme"));
    reject(c.createAccount("acme"), RejectionCode.CONFLICT, "account", "account 'acme' already exists");
    reject(c.addUser("ghost", "alice"), RejectionCode.NOT_FOUND, "account", "account 'ghost' does not exist");
    reject(c.envelope("account/acme", null, new AddApiUser("acme", "bob", "plain-text", List.of())),
        RejectionCode.VALIDATION, "passwordHash", "is not a bcrypt hash");
    reject(c.envelope("account/acme", null, new AddApiUser("acme", "bob", "aesgcm1:short", List.of())),
        RejectionCode.VALIDATION, "passwordHash", "nor one the API encrypted");
    // The API stores hashes encrypted (AES-GCM, key outside Kafka): 12-byte nonce + 60 + 16-byte tag, base64url.
    accept(c.envelope("account/acme", null, new AddApiUser("acme", "carol", "aesgcm1:" + "A".repeat(118), List.of())));
    accept(c.envelope("account/acme", null, new RemoveApiUser("acme", "carol")));
    accept(c.addUser("acme", "alice"));
    reject(c.addUser("acme", "alice"), RejectionCode.CONFLICT, "username", "user 'alice' already exists");
    reject(c.envelope("account/acme", null, new RemoveApiUser("acme", "bob")), RejectionCode.NOT_FOUND,
        "username", "user 'bob' does not exist");
    accept(c.envelope("account/acme", null, new RemoveApiUser("acme", "alice")));
    assertThat(((AccountState) store.states.get("account/acme").getResource()).getUsers()).isEmpty();
    reject(c.setQuota("acme", -1), RejectionCode.VALIDATION, "maxGateways", "must be 0 or more");
  }

  /** Issue 14: an Idempotency-Key reused with a different body returned the first answer and did nothing. */
  @Test
  void aDecidedCommandIdIsAnsweredWithItsResultOnlyForTheSameRequest() {
    CommandEnvelope first = CommandEnvelope.newBuilder(c.createAccount("acme")).setRequestHash("aa").build();
    CommandResult result = accept(first).result(first);
    assertThat(result.getRequestHash()).isEqualTo("aa");
    assertThat(Decision.retry(result, "aa")).isSameAs(result);
    assertThat(Decision.retry(result, null)).isSameAs(result);
    CommandResult reused = Decision.retry(result, "bb");
    assertThat(reused.getAccepted()).isFalse();
    assertThat(reused.getCommandId()).isEqualTo(first.getCommandId());
    assertThat(reused.getEventIds()).isEmpty();
    assertThat(reused.getRejection().getCode()).isEqualTo(RejectionCode.VALIDATION);
    assertThat(reused.getRejection().getField()).isEqualTo("Idempotency-Key");
  }

  // ---- pools and templates

  @Test
  void poolRules() {
    reject(c.definePool("v4", null, "192.0.2.1/24"), RejectionCode.VALIDATION, "ranges", "host bits are set");
    reject(c.definePool("v4", null, "192.0.2.9-192.0.2.1"), RejectionCode.VALIDATION, "ranges", "start is after end");
    reject(c.definePool("v4", null, "192.0.2.1-2001:db8::1"), RejectionCode.VALIDATION, "ranges", "same IP family");
    reject(c.definePool("v4", null, "300.0.0.0/8"), RejectionCode.VALIDATION, "ranges", "is not an IPv4 or IPv6 address");
    reject(c.definePool("v4", null, "192.0.2.0/33"), RejectionCode.VALIDATION, "ranges", "prefix length must be 0..32");
    reject(c.definePool("v4", null), RejectionCode.VALIDATION, "ranges", "at least one range");
    reject(c.definePool("v6", "missing", "2001:db8::/120"), RejectionCode.NOT_FOUND, "altPool", "does not exist");
    accept(c.definePool("v6only", null, "2001:db8:1::/126"));
    reject(c.definePool("v6", "v6only", "2001:db8::/120"), RejectionCode.VALIDATION, "altPool", "only IPv4 ranges");
    reject(c.envelope("pool/agg", null, new DefineAddressPool("agg", List.of("192.0.2.0/24"), null, "/129")),
        RejectionCode.VALIDATION, "aggregation", "is not 'default' or '/<0..128>'");
    accept(c.definePool("v4", null, "192.0.2.0/24", "198.51.100.10-198.51.100.20"));
    reject(c.definePool("v4", null, "192.0.2.0/24"), RejectionCode.CONFLICT, "pool", "already exists");
  }

  /** Issue 14: pools of /0, loopback, multicast, overlapping another pool or holding 10,000 ranges were accepted. */
  @Test
  void poolsHoldOnlyAllocatableAddressesOwnedByNoOtherPool() {
    reject(c.definePool("p", null, "0.0.0.0/0"), RejectionCode.VALIDATION, "ranges", "shorter than /8");
    reject(c.definePool("p", null, "::/0"), RejectionCode.VALIDATION, "ranges", "shorter than /16");
    reject(c.definePool("p", null, "127.0.0.0/8"), RejectionCode.VALIDATION, "ranges", "loopback");
    reject(c.definePool("p", null, "::1-::1"), RejectionCode.VALIDATION, "ranges", "loopback");
    reject(c.definePool("p", null, "224.0.0.0/24"), RejectionCode.VALIDATION, "ranges", "multicast");
    reject(c.definePool("p", null, "ff02::/120"), RejectionCode.VALIDATION, "ranges", "multicast");
    reject(c.definePool("p", null, "169.254.0.0/16"), RejectionCode.VALIDATION, "ranges", "link-local");
    reject(c.definePool("p", null, "255.255.255.255-255.255.255.255"), RejectionCode.VALIDATION, "ranges",
        "broadcast");
    reject(c.definePool("p", null, "192.0.2.0/28", "192.0.2.8-192.0.2.9"), RejectionCode.VALIDATION, "ranges",
        "overlaps range '192.0.2.0/28'");
    String[] many = new String[10_000];
    for (int i = 0; i < many.length; i++) {
      many[i] = "10." + (i / 256) + "." + (i % 256) + ".0/24";
    }
    reject(c.definePool("p", null, many), RejectionCode.VALIDATION, "ranges", "at most 64 ranges");
    accept(c.definePool("first", null, "192.0.2.0/28"));
    reject(c.definePool("second", null, "198.51.100.0/24", "192.0.2.10-192.0.2.40"), RejectionCode.CONFLICT,
        "ranges[1]", "range '192.0.2.10-192.0.2.40' overlaps pool 'first' [192.0.2.0/28]");
    accept(c.definePool("second", null, "192.0.2.16/28"));
  }

  @Test
  void templateRules() {
    reject(c.defineTemplate("standard", "v4"), RejectionCode.NOT_FOUND, "pool", "pool 'v4' does not exist");
    accept(c.definePool("v4", null, "192.0.2.0/24"));
    reject(c.envelope("template/t", null, DefineGatewayTemplate.newBuilder().setTemplate("t").setPool("v4")
            .setReplicas(0).setShareable(false).setEnvoyBaseConfig("").build()),
        RejectionCode.VALIDATION, "replicas", "must be 1..64, got 0");
    reject(c.envelope("template/t", null, DefineGatewayTemplate.newBuilder().setTemplate("t").setPool("v4")
            .setReplicas(Integer.MAX_VALUE).setShareable(false).setEnvoyBaseConfig("").build()),
        RejectionCode.VALIDATION, "replicas", "must be 1..64, got 2147483647");
    reject(c.envelope("template/t", null, DefineGatewayTemplate.newBuilder().setTemplate("t").setPool("v4")
            .setReplicas(1).setShareable(false).setEnvoyBaseConfig("{\"listener\": [unclosed").build()),
        RejectionCode.VALIDATION, "envoyBaseConfig", "not JSON or YAML");
    reject(c.envelope("template/t", null, DefineGatewayTemplate.newBuilder().setTemplate("t").setPool("v4")
            .setDnsNamePattern("{name}_x.example.com").setReplicas(1).setShareable(false).setEnvoyBaseConfig("")
            .build()),
        RejectionCode.VALIDATION, "dnsNamePattern", "is not a hostname");
    accept(c.defineTemplate("standard", "v4"));
    reject(c.defineTemplate("standard", "v4"), RejectionCode.CONFLICT, "template", "already exists");
  }

  @Test
  void aTemplateInUseCannotBeRemoved() {
    platform();
    accept(c.createGateway("acme", "shop", "standard"));
    CommandEnvelope remove = c.envelope("template/standard", null, new RemoveGatewayTemplate("standard"));
    reject(remove, RejectionCode.CONFLICT, "template", "is used by gateways [gateway/acme/default/shop]");
    accept(c.deleteGateway("acme", "shop"));
    accept(c.envelope("template/standard", null, new RemoveGatewayTemplate("standard")));
    reject(c.createGateway("acme", "shop", "standard"), RejectionCode.NOT_FOUND, "template", "does not exist");
  }

  // ---- gateways and IPAM

  @Test
  void createGatewayAllocatesTheFirstUsableAddressOfThePool() {
    platform();
    CommandEnvelope create = c.createGateway("acme", "shop", "standard");
    Decision d = accept(create);
    assertThat(d.events()).extracting(e -> e.getPayload().getClass().getSimpleName())
        .containsExactly("AddressAllocated", "GatewayCreated");
    assertThat(d.events().get(0).getAggregateId()).isEqualTo("pool/v4");
    assertThat(d.events().get(0).getSequence()).isEqualTo(2);
    assertThat(d.events().get(0).getPayload())
        .isEqualTo(new AddressAllocated("v4", "192.0.2.1", "gateway/acme/default/shop"));
    GatewayCreated created = (GatewayCreated) d.events().get(1).getPayload();
    assertThat(created.getAddress()).isEqualTo("192.0.2.1");
    assertThat(created.getDnsName()).isEqualTo("shop-default.acme.gw.example.com");
    assertThat(created.getCreationTimestamp()).isEqualTo(create.getTimestamp());
    assertThat(d.result(create).getVersion()).isEqualTo(1L);
    accept(c.createGateway("acme", "cart", "standard"));
    assertThat(gateway("acme", "cart").getAddress()).isEqualTo("192.0.2.2");
    assertThat(pool("v4").getAllocated()).containsEntry("192.0.2.1", "gateway/acme/default/shop")
        .containsEntry("192.0.2.2", "gateway/acme/default/cart");
  }

  @Test
  void anExhaustedPoolRejectsWithoutAllocatingAnything() {
    accept(c.createAccount("acme"));
    accept(c.definePool("tiny", null, "192.0.2.0/30"));
    accept(c.defineTemplate("small", "tiny"));
    accept(c.createGateway("acme", "a", "small"));
    accept(c.createGateway("acme", "b", "small"));
    assertThat(gateway("acme", "b").getAddress()).isEqualTo("192.0.2.2");
    reject(c.createGateway("acme", "c", "small"), RejectionCode.POOL_EXHAUSTED, "template",
        "pool 'tiny' has no free address (2 allocated)");
  }

  @Test
  void deleteReleasesTheAddressForTheNextGateway() {
    platform();
    accept(c.createGateway("acme", "shop", "standard"));
    accept(c.createGateway("acme", "cart", "standard"));
    Decision deleted = accept(c.deleteGateway("acme", "shop"));
    assertThat(deleted.events()).extracting(EventEnvelope::getPayload).containsExactly(
        new AddressReleased("v4", "192.0.2.1", "gateway/acme/default/shop"), new GatewayDeleted());
    assertThat(store.states.get("gateway/acme/default/shop").getDeleted()).isTrue();
    reject(c.deleteGateway("acme", "shop"), RejectionCode.NOT_FOUND, "targetAggregateId", "does not exist");
    reject(c.updateGateway("acme", "shop", http("web", 80)), RejectionCode.NOT_FOUND, "targetAggregateId",
        "gateway 'default/shop' of account 'acme' does not exist");
    Decision again = accept(c.createGateway("acme", "blog", "standard"));
    assertThat(gateway("acme", "blog").getAddress()).isEqualTo("192.0.2.1");
    assertThat(again.events().get(0).getSequence()).isEqualTo(5);
    CommandEnvelope recreate = c.createGateway("acme", "shop", "standard");
    assertThat(accept(recreate).result(recreate).getVersion()).isEqualTo(3L);
    assertThat(gateway("acme", "shop").getAddress()).isEqualTo("192.0.2.3");
  }

  @Test
  void ipv6GatewaysGetAnAltIpv4AddressFromTheAltPool() {
    accept(c.createAccount("acme"));
    accept(c.definePool("alt", null, "198.51.100.0/31"));
    accept(c.definePool("v6", "alt", "2001:db8::/126"));
    accept(c.defineTemplate("six", "v6"));
    Decision d = accept(c.createGateway("acme", "shop", "six"));
    assertThat(d.events()).extracting(EventEnvelope::getAggregateId)
        .containsExactly("pool/v6", "pool/alt", "gateway/acme/default/shop");
    assertThat(gateway("acme", "shop").getAddress()).isEqualTo("2001:db8::");
    assertThat(gateway("acme", "shop").getAltAddress()).isEqualTo("198.51.100.0");
    accept(c.createGateway("acme", "cart", "six"));
    assertThat(gateway("acme", "cart").getAddress()).isEqualTo("2001:db8::1");
    assertThat(gateway("acme", "cart").getAltAddress()).isEqualTo("198.51.100.1");
    // The v6 pool has two more addresses, but the alt pool is empty: nothing may be allocated from either.
    reject(c.createGateway("acme", "blog", "six"), RejectionCode.POOL_EXHAUSTED, "template", "pool 'alt'");
    assertThat(pool("v6").getAllocated()).hasSize(2);
    accept(c.deleteGateway("acme", "shop"));
    assertThat(pool("alt").getAllocated()).containsOnlyKeys("198.51.100.1");
    assertThat(pool("v6").getAllocated()).containsOnlyKeys("2001:db8::1");
  }

  @Test
  void quotaLimitsLiveGatewaysPerAccount() {
    platform();
    accept(c.setQuota("acme", 1));
    accept(c.createGateway("acme", "shop", "standard"));
    reject(c.createGateway("acme", "cart", "standard"), RejectionCode.QUOTA_EXCEEDED, "account",
        "account 'acme' already has 1 of its 1 gateways");
    accept(c.deleteGateway("acme", "shop"));
    accept(c.createGateway("acme", "cart", "standard"));
  }

  @Test
  void gatewayRules() {
    platform();
    reject(c.createGateway("ghost", "shop", "standard"), RejectionCode.NOT_FOUND, "account", "'ghost' does not exist");
    reject(c.createGateway("acme", "shop", "nope"), RejectionCode.NOT_FOUND, "template", "'nope' does not exist");
    reject(c.createGateway("acme", "Shop", "standard"), RejectionCode.VALIDATION, "name", "is not a DNS-1123 label");
    CommandEnvelope longName = c.envelope("gateway/acme/" + "n".repeat(40) + "/" + "g".repeat(40), "acme",
        new org.epicgateway.schemas.avro.CreateGateway("acme", "n".repeat(40), "g".repeat(40), "standard",
            List.of(http("web", 80))));
    reject(longName, RejectionCode.VALIDATION, "name", "the template's DNS name pattern gives");
    reject(c.createGateway("acme", "shop", "standard", new org.epicgateway.schemas.avro.Listener[0]),
        RejectionCode.VALIDATION, "listeners", "at least one listener");
    reject(c.createGateway("acme", "shop", "standard", http("web", 0)), RejectionCode.VALIDATION,
        "listeners[0].port", "port 0 is outside 1..65535");
    reject(c.createGateway("acme", "shop", "standard", http("web", 65536)), RejectionCode.VALIDATION,
        "listeners[0].port", "port 65536 is outside 1..65535");
    reject(c.createGateway("acme", "shop", "standard", http("web", 80), http("web", 81)), RejectionCode.VALIDATION,
        "listeners[1].name", "is used twice");
    reject(c.createGateway("acme", "shop", "standard", http("a", 80), http("b", 80)), RejectionCode.VALIDATION,
        "listeners[1]", "both bind port 80");
    reject(c.createGateway("acme", "shop", "standard", https("tls", 443, "shop..example.com")),
        RejectionCode.VALIDATION, "listeners[0].hostname", "is not a hostname");
    reject(c.createGateway("acme", "shop", "standard", https("tls", 443, "192.0.2.1")),
        RejectionCode.VALIDATION, "listeners[0].hostname", "not an IP address");
    var noCert = https("tls", 443, "shop.example.com");
    noCert.setTlsCertificateRef(null);
    reject(c.createGateway("acme", "shop", "standard", noCert), RejectionCode.VALIDATION,
        "listeners[0].tlsCertificateRef", "needs a certificate reference");
    accept(c.createGateway("acme", "shop", "standard", http("web", 80), https("tls", 443, "*.example.com"),
        https("tls-shop", 443, "shop.example.com")));
    reject(c.createGateway("acme", "shop", "standard"), RejectionCode.CONFLICT, "name", "already exists");
    accept(c.updateGateway("acme", "shop", http("web", 8080)));
    assertThat(gateway("acme", "shop").getListeners()).containsExactly(http("web", 8080));
    assertThat(gateway("acme", "shop").getAddress()).isEqualTo("192.0.2.1");
  }

  // ---- routes and slices

  @Test
  void routesNeedALiveParentGatewayOfTheSameAccount() {
    platform();
    accept(c.createAccount("other"));
    reject(c.upsertRoute("acme", "web", "shop"), RejectionCode.NOT_FOUND, "parentRefs[0].name",
        "gateway 'default/shop' does not exist");
    accept(c.createGateway("other", "shop", "standard"));
    reject(c.upsertRoute("acme", "web", "shop"), RejectionCode.NOT_FOUND, "parentRefs[0].name", "does not exist");
    accept(c.createGateway("acme", "shop", "standard"));
    CommandEnvelope upsert = c.upsertRoute("acme", "web", "shop");
    accept(upsert);
    UpsertHttpRoute withSection = (UpsertHttpRoute) c.upsertRoute("acme", "web", "shop").getPayload();
    withSection.setParentRefs(List.of(ParentRef.newBuilder().setName("shop").setSectionName("tls").build()));
    reject(c.envelope("httproute/acme/default/web", "acme", withSection), RejectionCode.NOT_FOUND,
        "parentRefs[0].sectionName", "has no listener 'tls'");
    withSection.setParentRefs(List.of(ParentRef.newBuilder().setName("shop").setPort(443).build()));
    reject(c.envelope("httproute/acme/default/web", "acme", withSection), RejectionCode.NOT_FOUND,
        "parentRefs[0].port", "has no listener on port 443");
    withSection.setParentRefs(List.of(ParentRef.newBuilder().setName("shop").setSectionName("web").setPort(80).build()));
    accept(c.envelope("httproute/acme/default/web", "acme", withSection));
    HttpRouteState route = (HttpRouteState) store.states.get("httproute/acme/default/web").getResource();
    assertThat(route.getCreationTimestamp()).as("kept from the first upsert").isEqualTo(upsert.getTimestamp());
    assertThat(store.states.get("httproute/acme/default/web").getVersion()).isEqualTo(2);
    accept(c.removeRoute("acme", "web"));
    reject(c.removeRoute("acme", "web"), RejectionCode.NOT_FOUND, "targetAggregateId", "httproute 'default/web'");
  }

  @Test
  void routeRuleRules() {
    platform();
    accept(c.createGateway("acme", "shop", "standard"));
    reject(c.upsertRoute("acme", "web", "shop", rule("api", "web", 8080)), RejectionCode.VALIDATION,
        "rules[0].matches[0].path.value", "'api' must start with '/'");
    reject(c.upsertRoute("acme", "web", "shop", rule("/", "web", 70000)), RejectionCode.VALIDATION,
        "rules[0].backendRefs[0].port", "port 70000 is outside 1..65535");
    reject(c.upsertRoute("acme", "web", "shop", rule("/", "Web_Svc", 80)), RejectionCode.VALIDATION,
        "rules[0].backendRefs[0].name", "is not a DNS-1123 label");
    HttpRouteRule regex = HttpRouteRule.newBuilder().setMatches(List.of(HttpRouteMatch.newBuilder()
        .setPath(PathMatch.newBuilder().setType(PathMatchType.REGULAR_EXPRESSION).setValue("/api/(v1").build())
        .build())).build();
    reject(c.upsertRoute("acme", "web", "shop", regex), RejectionCode.VALIDATION, "rules[0].matches[0].path.value",
        "is not an RE2 regular expression");
    HttpRouteRule lookbehind = HttpRouteRule.newBuilder().setMatches(List.of(HttpRouteMatch.newBuilder()
        .setHeaders(List.of(HeaderMatch.newBuilder().setType(StringMatchType.REGULAR_EXPRESSION).setName("x")
            .setValue("(?<=a)b").build())).build())).build();
    reject(c.upsertRoute("acme", "web", "shop", lookbehind), RejectionCode.VALIDATION,
        "rules[0].matches[0].headers[0].value", "is not an RE2 regular expression");
    HttpRouteRule expanding = HttpRouteRule.newBuilder().setMatches(List.of(HttpRouteMatch.newBuilder()
        .setPath(PathMatch.newBuilder().setType(PathMatchType.REGULAR_EXPRESSION).setValue("((a{1000}){1000}){1000}")
            .build()).build())).build();
    reject(c.upsertRoute("acme", "web", "shop", expanding), RejectionCode.VALIDATION, "rules[0].matches[0].path.value",
        "program size");
    HttpRouteRule method = HttpRouteRule.newBuilder().setMatches(List.of(HttpRouteMatch.newBuilder()
        .setMethod("FETCH").build())).build();
    reject(c.upsertRoute("acme", "web", "shop", method), RejectionCode.VALIDATION, "rules[0].matches[0].method",
        "'FETCH' is not one of");
    HttpRouteRule slow = HttpRouteRule.newBuilder(rule("/", "web", 80))
        .setTimeouts(HttpRouteTimeouts.newBuilder().setRequest("1.5s").build()).build();
    reject(c.upsertRoute("acme", "web", "shop", slow), RejectionCode.VALIDATION, "rules[0].timeouts.request",
        "'1.5s' is not a duration");
    HttpRouteRule badMirror = HttpRouteRule.newBuilder(rule("/", "web", 80)).setFilters(List.of(
        HttpRouteFilter.newBuilder().setType(HttpRouteFilterType.REQUEST_MIRROR).setRequestMirror(RequestMirror
            .newBuilder().setBackendRef(BackendRef.newBuilder().setName("shadow").setPort(0).build()).build())
            .build())).build();
    reject(c.upsertRoute("acme", "web", "shop", badMirror), RejectionCode.VALIDATION,
        "rules[0].filters[0].requestMirror.backendRef.port", "port 0 is outside 1..65535");
    UpsertHttpRoute badHost = (UpsertHttpRoute) c.upsertRoute("acme", "web", "shop").getPayload();
    badHost.setHostnames(List.of("*.*.example.com"));
    reject(c.envelope("httproute/acme/default/web", "acme", badHost), RejectionCode.VALIDATION, "hostnames[0]",
        "is not a hostname");
  }

  @Test
  void tcpRouteRules() {
    platform();
    accept(c.createGateway("acme", "db", "standard", Commands.tcp("pg", 5432)));
    String id = "tcproute/acme/default/pg";
    reject(c.envelope(id, "acme", tcpRoute("db", List.of())), RejectionCode.VALIDATION, "rules",
        "a TCP route needs at least one rule");
    reject(c.envelope(id, "acme", tcpRoute("db", List.of(TcpRouteRule.newBuilder().build()))),
        RejectionCode.VALIDATION, "rules[0].backendRefs", "at least one backend");
    reject(c.envelope(id, "acme", tcpRoute("db", List.of(tcpRule("postgres", -1)))), RejectionCode.VALIDATION,
        "rules[0].backendRefs[0].weight", "weight -1 is outside 0..1000000");
    reject(c.envelope(id, "acme", tcpRoute("nope", List.of(tcpRule("postgres", 1)))), RejectionCode.NOT_FOUND,
        "parentRefs[0].name", "gateway 'default/nope' does not exist");
    CommandEnvelope upsert = c.envelope(id, "acme", tcpRoute("db", List.of(tcpRule("postgres", 1))));
    assertThat(accept(upsert).events().get(0).getPayload()).isInstanceOf(TcpRouteUpserted.class);
    accept(c.envelope(id, "acme", new RemoveTcpRoute()));
    reject(c.envelope(id, "acme", new RemoveTcpRoute()), RejectionCode.NOT_FOUND, "targetAggregateId",
        "tcproute 'default/pg' of account 'acme' does not exist");
  }

  @Test
  void tlsRoutesAndTlsListeners() {
    platform();
    Listener passthrough = Listener.newBuilder().setName("pass").setPort(443).setProtocol(ListenerProtocol.TLS)
        .setHostname("*.example.com").setTlsMode(TlsMode.PASSTHROUGH).build();
    reject(c.createGateway("acme", "edge", "standard", Listener.newBuilder(passthrough).setTlsMode(null).build()),
        RejectionCode.VALIDATION, "listeners[0].tlsMode", "tls mode must be set for protocol TLS");
    Listener terminate = Listener.newBuilder(passthrough).setName("term").setPort(8443).setTlsMode(TlsMode.TERMINATE)
        .setTlsCertificateRefs(List.of(CertificateRef.newBuilder().setName("db-cert").build())).build();
    reject(c.createGateway("acme", "edge", "standard", Listener.newBuilder(terminate)
        .setTlsCertificateRefs(List.of()).build()), RejectionCode.VALIDATION, "listeners[0].tlsCertificateRef",
        "mode Terminate needs a certificate reference");
    reject(c.createGateway("acme", "edge", "standard", Listener.newBuilder(Commands.https("web", 443, "a.example.com"))
        .setTlsMode(TlsMode.PASSTHROUGH).build()), RejectionCode.VALIDATION, "listeners[0].tlsMode",
        "must be Terminate for protocol HTTPS");
    reject(c.createGateway("acme", "edge", "standard", Listener.newBuilder(Commands.https("web", 443, "a.example.com"))
        .setTlsCertificateRefs(List.of(CertificateRef.newBuilder().setName("x").build())).build()),
        RejectionCode.VALIDATION, "listeners[0].tlsCertificateRef", "in tlsCertificateRefs only");
    reject(c.createGateway("acme", "edge", "standard", Listener.newBuilder(Commands.https("web", 443, "a.example.com"))
        .setTlsCertificateRef(null).setTlsCertificateRefs(List.of(CertificateRef.newBuilder().setName("ok").build(),
            CertificateRef.newBuilder().setName("Bad_Name").build())).build()),
        RejectionCode.VALIDATION, "listeners[0].tlsCertificateRefs[1].name", "Bad_Name");
    accept(c.createGateway("acme", "edge", "standard", passthrough, terminate, Listener.newBuilder(Commands.https("web", 9443,
        "a.example.com")).setTlsCertificateRef(null).setTlsCertificateRefs(List.of(
            CertificateRef.newBuilder().setName("rsa").build(), CertificateRef.newBuilder().setName("ecdsa").build()))
        .build()));
    String id = "tlsroute/acme/default/pg";
    UpsertTlsRoute route = UpsertTlsRoute.newBuilder().setAccount("acme").setNamespace("default").setName("pg")
        .setParentRefs(List.of(ParentRef.newBuilder().setName("edge").build()))
        .setHostnames(List.of("db.example.com")).setRules(List.of(tcpRule("postgres", 1))).build();
    reject(c.envelope(id, "acme", UpsertTlsRoute.newBuilder(route).setHostnames(List.of()).build()),
        RejectionCode.VALIDATION, "hostnames", "at least one SNI hostname");
    reject(c.envelope(id, "acme", UpsertTlsRoute.newBuilder(route).setHostnames(List.of("10.0.0.1")).build()),
        RejectionCode.VALIDATION, "hostnames[0]", "not an IP address");
    reject(c.envelope(id, "acme", UpsertTlsRoute.newBuilder(route).setRules(List.of()).build()),
        RejectionCode.VALIDATION, "rules", "a TLS route needs at least one rule");
    reject(c.envelope(id, "acme", UpsertTlsRoute.newBuilder(route).setRules(List.of(tcpRule("postgres", -1))).build()),
        RejectionCode.VALIDATION, "rules[0].backendRefs[0].weight", "weight -1 is outside 0..1000000");
    CommandEnvelope upsert = c.envelope(id, "acme", route);
    assertThat(accept(upsert).events().get(0).getPayload()).isEqualTo(new TlsRouteUpserted("acme", "default", "pg",
        route.getParentRefs(), route.getHostnames(), route.getRules(), upsert.getTimestamp()));
    accept(c.envelope(id, "acme", new RemoveTlsRoute()));
    reject(c.envelope(id, "acme", new RemoveTlsRoute()), RejectionCode.NOT_FOUND, "targetAggregateId",
        "tlsroute 'default/pg' of account 'acme' does not exist");
  }

  @Test
  void grpcRouteRules() {
    platform();
    accept(c.createAccount("other"));
    accept(c.createGateway("other", "rpc", "standard"));
    String id = "grpcroute/acme/default/echo";
    reject(c.envelope(id, "acme", grpcRoute("rpc", grpcRule(new GrpcMethodMatch(StringMatchType.EXACT, "echo.Echo",
        "Say")))), RejectionCode.NOT_FOUND, "parentRefs[0].name", "gateway 'default/rpc' does not exist");
    accept(c.createGateway("acme", "rpc", "standard"));
    reject(c.envelope(id, "acme", grpcRoute("rpc", grpcRule(new GrpcMethodMatch(StringMatchType.EXACT, null, null)))),
        RejectionCode.VALIDATION, "rules[0].matches[0].method", "one or both of 'service' or 'method'");
    reject(c.envelope(id, "acme", grpcRoute("rpc", grpcRule(new GrpcMethodMatch(StringMatchType.EXACT, "echo/Echo",
        null)))), RejectionCode.VALIDATION, "rules[0].matches[0].method.service", "valid characters");
    reject(c.envelope(id, "acme", grpcRoute("rpc", grpcRule(new GrpcMethodMatch(StringMatchType.EXACT, null,
        "Say.Hi")))), RejectionCode.VALIDATION, "rules[0].matches[0].method.method", "valid characters");
    reject(c.envelope(id, "acme", grpcRoute("rpc", grpcRule(new GrpcMethodMatch(StringMatchType.REGULAR_EXPRESSION,
        "echo.(", null)))), RejectionCode.VALIDATION, "rules[0].matches[0].method", "is not an RE2 regular expression");
    GrpcRouteRule redirect = GrpcRouteRule.newBuilder(grpcRule(null)).setFilters(List.of(HttpRouteFilter.newBuilder()
        .setType(HttpRouteFilterType.REQUEST_REDIRECT).setRequestRedirect(RequestRedirect.newBuilder().build())
        .build())).build();
    reject(c.envelope(id, "acme", grpcRoute("rpc", redirect)), RejectionCode.VALIDATION, "rules[0].filters[0].type",
        "a GRPCRoute filter is one of");
    CommandEnvelope upsert = c.envelope(id, "acme", grpcRoute("rpc", grpcRule(new GrpcMethodMatch(
        StringMatchType.REGULAR_EXPRESSION, "echo\\.v[0-9]+\\.Echo", null))));
    assertThat(accept(upsert).events().get(0).getPayload()).isInstanceOf(GrpcRouteUpserted.class);
    accept(c.envelope(id, "acme", grpcRoute("rpc", grpcRule(new GrpcMethodMatch(StringMatchType.EXACT, "echo.Echo",
        "Say")))));
    GrpcRouteState route = (GrpcRouteState) store.states.get(id).getResource();
    assertThat(route.getCreationTimestamp()).as("kept from the first upsert").isEqualTo(upsert.getTimestamp());
    accept(c.envelope(id, "acme", new RemoveGrpcRoute()));
    reject(c.envelope(id, "acme", new RemoveGrpcRoute()), RejectionCode.NOT_FOUND, "targetAggregateId",
        "grpcroute 'default/echo' of account 'acme' does not exist");
  }

  @Test
  void backendRefsOfHttpAndGrpcRoutesCarryHeaderModifiersOnly() {
    platform();
    accept(c.createGateway("acme", "rpc", "standard"));
    String id = "grpcroute/acme/default/echo";
    HeaderModifier set = HeaderModifier.newBuilder().setSet(List.of(new Header("x-backend", "echo"))).build();
    BackendRefFilter request = new BackendRefFilter(HttpRouteFilterType.REQUEST_HEADER_MODIFIER, set, null);
    reject(c.envelope(id, "acme", grpcRoute("rpc", backendFilters(request,
        new BackendRefFilter(HttpRouteFilterType.URL_REWRITE, null, null)))), RejectionCode.VALIDATION,
        "rules[0].backendRefs[0].filters[1].type", "a URL_REWRITE filter cannot be applied per backend");
    reject(c.envelope(id, "acme", grpcRoute("rpc", backendFilters(request, request))), RejectionCode.VALIDATION,
        "rules[0].backendRefs[0].filters[1].type", "may appear only once per backendRef");
    reject(c.envelope(id, "acme", grpcRoute("rpc", backendFilters(new BackendRefFilter(
        HttpRouteFilterType.RESPONSE_HEADER_MODIFIER, set, null)))), RejectionCode.VALIDATION,
        "rules[0].backendRefs[0].filters[0]", "carries its own settings only");
    UpsertGrpcRoute accepted = grpcRoute("rpc", backendFilters(request,
        new BackendRefFilter(HttpRouteFilterType.RESPONSE_HEADER_MODIFIER, null, set)));
    GrpcRouteUpserted event = (GrpcRouteUpserted) accept(c.envelope(id, "acme", accepted)).events().get(0).getPayload();
    assertThat(event.getRules().get(0).getBackendRefs().get(0).getFilters()).hasSize(2);
    // TCP backends and mirrors take no filters.
    BackendRef filtered = BackendRef.newBuilder().setName("postgres").setPort(5432).setFilters(List.of(request)).build();
    reject(c.envelope("tcproute/acme/default/pg", "acme", tcpRoute("rpc", List.of(TcpRouteRule.newBuilder()
        .setBackendRefs(List.of(filtered)).build()))), RejectionCode.VALIDATION, "rules[0].backendRefs[0].filters",
        "only the backendRefs of HTTPRoute and GRPCRoute rules carry filters");
  }

  private static GrpcRouteRule backendFilters(BackendRefFilter... filters) {
    return GrpcRouteRule.newBuilder(grpcRule(null)).setBackendRefs(List.of(BackendRef.newBuilder().setName("echo")
        .setPort(50051).setFilters(List.of(filters)).build())).build();
  }

  private static UpsertGrpcRoute grpcRoute(String gateway, GrpcRouteRule rule) {
    return UpsertGrpcRoute.newBuilder().setAccount("acme").setNamespace("default").setName("echo")
        .setParentRefs(List.of(ParentRef.newBuilder().setName(gateway).build())).setRules(List.of(rule)).build();
  }

  private static GrpcRouteRule grpcRule(GrpcMethodMatch method) {
    return GrpcRouteRule.newBuilder()
        .setMatches(method == null ? List.of() : List.of(GrpcRouteMatch.newBuilder().setMethod(method).build()))
        .setBackendRefs(List.of(BackendRef.newBuilder().setName("echo").setPort(50051).build())).build();
  }

  @Test
  void certificatesAreRecordedByNameAndHashOnly() {
    platform();
    String id = "certificate/acme/shop/store-tls";
    java.time.Instant notAfter = java.time.Instant.parse("2027-01-01T00:00:00Z");
    reject(c.envelope(id, "acme", new RecordCertificate("acme", "shop", "store-tls", "not-a-hash", notAfter)),
        RejectionCode.VALIDATION, "sha256", "is not a hex SHA-256");
    reject(c.envelope(id, "acme", new RecordCertificate("acme", "shop", "other", "ab".repeat(32), notAfter)),
        RejectionCode.VALIDATION, "targetAggregateId", "");
    CommandEnvelope record = c.envelope(id, "acme", new RecordCertificate("acme", "shop", "store-tls",
        "ab".repeat(32), notAfter));
    assertThat(accept(record).events().get(0).getPayload()).isEqualTo(new CertificateRecorded("acme", "shop",
        "store-tls", "ab".repeat(32), notAfter));
    accept(c.envelope(id, "acme", new RemoveCertificate()));
    reject(c.envelope(id, "acme", new RemoveCertificate()), RejectionCode.NOT_FOUND, "targetAggregateId",
        "does not exist");
  }

  private static UpsertTcpRoute tcpRoute(String gateway, List<TcpRouteRule> rules) {
    return UpsertTcpRoute.newBuilder().setAccount("acme").setNamespace("default").setName("pg")
        .setParentRefs(List.of(ParentRef.newBuilder().setName(gateway).build())).setRules(rules).build();
  }

  private static TcpRouteRule tcpRule(String service, int weight) {
    return TcpRouteRule.newBuilder().setBackendRefs(List.of(BackendRef.newBuilder().setName(service).setPort(5432)
        .setWeight(weight).build())).build();
  }

  @Test
  void templateUpdatesNeedAnExistingTemplateAndChangeOnlyNewGatewaysPool() {
    platform();
    accept(c.definePool("v4b", null, "198.51.100.0/29"));
    CommandEnvelope update = c.envelope("template/standard", null, UpdateGatewayTemplate.newBuilder()
        .setTemplate("standard").setPool("v4b").setReplicas(3).setShareable(true).setEnvoyBaseConfig("{}").build());
    accept(c.createGateway("acme", "old", "standard"));
    assertThat(accept(update).result(update).getVersion()).isEqualTo(2L);
    accept(c.createGateway("acme", "new", "standard"));
    assertThat(gateway("acme", "old").getAddress()).isEqualTo("192.0.2.1");
    assertThat(gateway("acme", "new").getAddress()).isEqualTo("198.51.100.1");
    // Deleting the old gateway releases its address in the pool it came from, not the template's current one.
    accept(c.deleteGateway("acme", "old"));
    assertThat(pool("v4").getAllocated()).isEmpty();
    assertThat(pool("v4b").getAllocated()).containsOnlyKeys("198.51.100.1");
    reject(c.envelope("template/other", null, UpdateGatewayTemplate.newBuilder().setTemplate("other").setPool("v4")
            .setReplicas(1).setShareable(false).setEnvoyBaseConfig("").build()),
        RejectionCode.NOT_FOUND, "template", "template 'other' does not exist");
  }

  @Test
  void endpointSliceRules() {
    accept(c.createAccount("acme"));
    reject(c.upsertSlice("acme", "web-1", "web", endpoint("10.1.0.300", null)), RejectionCode.VALIDATION,
        "endpoints[0].addresses[0]", "'10.1.0.300' is not an IPv4 or IPv6 address");
    reject(c.upsertSlice("acme", "web-1", "web", endpoint("10.1.0.5", "2001:db8::5")), RejectionCode.VALIDATION,
        "endpoints[0].nodeAddress", "must be IPv4");
    accept(c.upsertSlice("acme", "web-1", "web", endpoint("fd00::5", "198.51.100.7")));
    accept(c.removeSlice("acme", "web-1"));
    reject(c.removeSlice("acme", "web-1"), RejectionCode.NOT_FOUND, "targetAggregateId", "does not exist");
  }

  @Test
  void serviceAndReferenceGrantRules() {
    accept(c.createAccount("acme"));
    ServicePort http = ServicePort.newBuilder().setName("http").setPort(80).setAppProtocol("http").build();
    reject(c.upsertService("acme", "default", "web", http, ServicePort.newBuilder(http).setName("again").build()),
        RejectionCode.VALIDATION, "ports[1].port", "listed twice");
    reject(c.upsertService("acme", "default", "web", ServicePort.newBuilder(http).setTargetPort(0).build()),
        RejectionCode.VALIDATION, "ports[0].targetPort", "outside 1..65535");
    reject(c.upsertService("nobody", "default", "web", http), RejectionCode.NOT_FOUND, "account", "does not exist");
    accept(c.upsertService("acme", "default", "web", http));
    assertThat(((ServiceState) store.states.get("service/acme/default/web").getResource()).getPorts())
        .containsExactly(http);
    accept(c.removeService("acme", "default", "web"));
    reject(c.removeService("acme", "default", "web"), RejectionCode.NOT_FOUND, "targetAggregateId", "does not exist");

    CommandEnvelope grant = c.upsertGrant("acme", "backends", "g", "default");
    ((UpsertReferenceGrant) grant.getPayload()).getFrom().get(0).setKind("Pod");
    reject(grant, RejectionCode.VALIDATION, "from[0].kind", "'Pod' is not one of");
    grant = c.upsertGrant("acme", "backends", "g", "default");
    ((UpsertReferenceGrant) grant.getPayload()).setTo(List.of());
    reject(grant, RejectionCode.VALIDATION, "to", "at least one");
    accept(c.upsertGrant("acme", "backends", "g", "default"));
    accept(c.removeGrant("acme", "backends", "g"));
  }

  @Test
  void namespaceLabelsAreCheckedAsTheApiServerChecksThem() {
    accept(c.createAccount("acme"));
    reject(c.upsertNamespace("acme", "team-a", Map.of("team/", "a")), RejectionCode.VALIDATION, "labels",
        "name part must be non-empty");
    reject(c.upsertNamespace("acme", "team-a", Map.of("Example.com/team", "a")), RejectionCode.VALIDATION,
        "labels", "prefix part must be a DNS-1123 subdomain");
    reject(c.upsertNamespace("acme", "team-a", Map.of("team", "-a")), RejectionCode.VALIDATION, "labels",
        "value of 'team' '-a' must be empty or consist of alphanumeric");
    reject(c.upsertNamespace("acme", "team-a", Map.of("team", "a".repeat(64))), RejectionCode.VALIDATION,
        "labels", "must be no more than 63 characters");
    reject(c.upsertNamespace("acme", "team-a", Map.of("kubernetes.io/metadata.name", "team-b")),
        RejectionCode.VALIDATION, "labels", "is the namespace's name ('team-a'), not 'team-b'");
    reject(c.upsertNamespace("acme", "Team", Map.of()), RejectionCode.VALIDATION, "name", "DNS-1123 label");
    reject(c.upsertNamespace("ghost", "team-a", Map.of()), RejectionCode.NOT_FOUND, "account", "does not exist");
    accept(c.upsertNamespace("acme", "team-a", Map.of("team", "a", "example.com/tier", "", "kubernetes.io/metadata.name",
        "team-a")));
    assertThat(((NamespaceState) store.states.get("namespace/acme/team-a").getResource()).getLabels())
        .containsExactlyInAnyOrderEntriesOf(Map.of("team", "a", "example.com/tier", "", "kubernetes.io/metadata.name",
            "team-a"));
    assertThat(accept(c.upsertNamespace("acme", "team-a", Map.of("team", "a", "example.com/tier", "",
        "kubernetes.io/metadata.name", "team-a"))).events()).as("unchanged labels record nothing").isEmpty();
    accept(c.removeNamespace("acme", "team-a"));
    reject(c.removeNamespace("acme", "team-a"), RejectionCode.NOT_FOUND, "targetAggregateId",
        "namespace 'team-a' of account 'acme' does not exist");
  }

  @Test
  void aListenerSelectorIsCheckedAsTheApiServerChecksALabelSelector() {
    platform();
    String f = "listeners[0].allowedRoutes.namespaceSelector";
    reject(c.createGateway("acme", "shop", "standard", selecting("web", 80, null)), RejectionCode.VALIDATION, f,
        "is required when namespacesFrom is SELECTOR");
    reject(c.createGateway("acme", "shop", "standard", selecting("web", 80, selector(Map.of("team", "a b")))),
        RejectionCode.VALIDATION, f + ".matchLabels", "value of 'team' 'a b' must be empty or consist");
    reject(c.createGateway("acme", "shop", "standard", selecting("web", 80,
            selector(Map.of(), requirement("team", LabelSelectorOperator.IN)))),
        RejectionCode.VALIDATION, f + ".matchExpressions[0].values", "must be specified when `operator` is 'In' or 'NotIn'");
    reject(c.createGateway("acme", "shop", "standard", selecting("web", 80,
            selector(Map.of(), requirement("team", LabelSelectorOperator.EXISTS, "a")))),
        RejectionCode.VALIDATION, f + ".matchExpressions[0].values",
        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
    reject(c.createGateway("acme", "shop", "standard", selecting("web", 80,
            selector(Map.of(), requirement("a/b/c", LabelSelectorOperator.EXISTS)))),
        RejectionCode.VALIDATION, f + ".matchExpressions[0].key", "optional DNS subdomain prefix");
    reject(c.createGateway("acme", "shop", "standard", selecting("web", 80,
            selector(Map.of(), requirement("team", LabelSelectorOperator.NOT_IN, "ok", "not ok")))),
        RejectionCode.VALIDATION, f + ".matchExpressions[0].values[1]", "'not ok' must be empty or consist");
    accept(c.createGateway("acme", "shop", "standard", selecting("web", 80,
        selector(Map.of("team", "a"), requirement("env", LabelSelectorOperator.NOT_IN, "prod"),
            requirement("kubernetes.io/metadata.name", LabelSelectorOperator.EXISTS)))));
  }

  static LabelSelector selector(Map<String, String> labels, LabelSelectorRequirement... expressions) {
    return new LabelSelector(new TreeMap<>(labels), List.of(expressions));
  }

  static LabelSelectorRequirement requirement(String key, LabelSelectorOperator operator, String... values) {
    return new LabelSelectorRequirement(key, operator, List.of(values));
  }

  @Test
  void everyEventFoldsIntoTheStoredState() {
    platform();
    accept(c.createGateway("acme", "shop", "standard"));
    AggregateState pool = store.states.get("pool/v4");
    assertThat(pool.getVersion()).isEqualTo(2);
    assertThat(pool.getAggregateType()).isEqualTo("pool");
    assertThat(pool.getDeleted()).isFalse();
  }
}
