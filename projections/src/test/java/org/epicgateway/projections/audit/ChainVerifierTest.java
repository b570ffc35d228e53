package org.epicgateway.projections.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.epicgateway.projections.decider.Commands;
import org.epicgateway.schemas.AvroBinary;
import org.epicgateway.schemas.EventSeals;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.HttpRouteUpserted;
import org.junit.jupiter.api.Test;

class ChainVerifierTest {
  /** The fixtures' commands are stamped from 2023-11-14 on, one a second. */
  private static final Instant BEFORE_FIXTURES = Instant.parse("2023-01-01T00:00:00Z");
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  /** A key created after the fixtures' events: they are unsealed history from before the cut-over. */
  private static final EventSeals CUT_OVER_LATER = new EventSeals(KEY, Instant.parse("2026-01-01T00:00:00Z"));
  private static final EventSeals SEALING = new EventSeals(KEY, BEFORE_FIXTURES);

  private final AuditFixtures fixtures = AuditFixtures.walkthrough();

  @Test
  void anUntouchedLogIsIntact() {
    ChainVerifier.Result result = verify(fixtures.stored());

    assertThat(result.intact()).isTrue();
    assertThat(result.eventsChecked()).isEqualTo(fixtures.log.size());
    assertThat(result.aggregates()).isEqualTo(6); // pool, template, account, gateway, route, slice
  }

  @Test
  void anAlteredEventBreaksTheNextLinkOfItsAggregate() {
    fixtures.submit(fixtures.commands.upsertRoute("acme", "store", "shop",
        Commands.rule("/v2", "web", 8080)));
    List<LoggedEvent> stored = new ArrayList<>(fixtures.stored());
    int first = indexOf(stored, "httproute/acme/default/store", 1);
    EventEnvelope original = stored.get(first).event();
    HttpRouteUpserted forged = HttpRouteUpserted.newBuilder((HttpRouteUpserted) original.getPayload())
        .setHostnames(List.of("evil.example.com")).build();
    stored.set(first, AuditFixtures.record(first, original.getAggregateId(),
        EventEnvelope.newBuilder(original).setPayload(forged).build()));

    ChainVerifier.Break broken = verify(stored).firstBreak().orElseThrow();

    int second = indexOf(stored, "httproute/acme/default/store", 2);
    assertThat(broken.position()).isEqualTo("epic.events-0@" + second);
    assertThat(broken.aggregateId()).isEqualTo("httproute/acme/default/store");
    assertThat(broken.sequence()).isEqualTo(2);
    assertThat(broken.reason()).contains("is not the hash").contains("sequence 1 at epic.events-0@" + first);
  }

  @Test
  void aRemovedEventIsAGap() {
    fixtures.submit(fixtures.commands.upsertRoute("acme", "store", "shop", Commands.rule("/v2", "web", 8080)));
    List<LoggedEvent> stored = new ArrayList<>(fixtures.stored());
    stored.remove(indexOf(stored, "httproute/acme/default/store", 1));

    ChainVerifier.Break broken = verify(stored).firstBreak().orElseThrow();

    assertThat(broken.aggregateId()).isEqualTo("httproute/acme/default/store");
    assertThat(broken.reason()).isEqualTo("the aggregate starts at sequence 2: sequences 1..1 are missing");
  }

  @Test
  void aReplayedEventIsARepeat() {
    List<LoggedEvent> stored = new ArrayList<>(fixtures.stored());
    LoggedEvent copy = stored.get(2);
    stored.add(AuditFixtures.record(stored.size(), copy.key(), copy.event()));

    ChainVerifier.Break broken = verify(stored).firstBreak().orElseThrow();

    assertThat(broken.position()).isEqualTo("epic.events-0@" + (stored.size() - 1));
    assertThat(broken.reason()).contains("a duplicated or inserted event");
  }

  @Test
  void aRecordUnderAnotherKeyAndAnUndecodableRecordAreBreaks() {
    List<LoggedEvent> rekeyed = new ArrayList<>(fixtures.stored());
    LoggedEvent first = rekeyed.get(0);
    rekeyed.set(0, AuditFixtures.record(0, "pool/other", first.event()));
    assertThat(verify(rekeyed).firstBreak().orElseThrow().reason())
        .isEqualTo("the record's key 'pool/other' is not its aggregate id");

    List<LoggedEvent> garbage = new ArrayList<>(fixtures.stored());
    garbage.add(new LoggedEvent(0, garbage.size(), "pool/public", new byte[] {0, 0, 0, 0, 7, 1, 2}, null,
        "truncated Avro datum"));
    assertThat(verify(garbage).firstBreak().orElseThrow().reason())
        .isEqualTo("the record cannot be decoded as an event: truncated Avro datum");
  }

  @Test
  void aSealedLogIsIntactAndOnlyItsOwnKeyVerifiesIt() {
    List<LoggedEvent> sealed = AuditFixtures.walkthrough(SEALING).stored();
    assertThat(sealed).allSatisfy(e -> assertThat(e.event().getSeal()).isNotNull());
    assertThat(verify(sealed, SEALING).intact()).isTrue();

    EventSeals otherKey = new EventSeals("fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII),
        BEFORE_FIXTURES);
    ChainVerifier.Break broken = verify(sealed, otherKey).firstBreak().orElseThrow();
    assertThat(broken.position()).isEqualTo("epic.events-0@0");
    assertThat(broken.reason()).startsWith("the seal does not verify with the audit chain key");
  }

  /**
   * An attacker who can rewrite the topic alters one event and recomputes every SHA-256 link after it, so the plain
   * chain holds again; without the key it can only drop the seal or put an unkeyed hash in its place.
   */
  @Test
  void anEventRewrittenWithRecomputedUnkeyedHashesFailsAtExactlyThatEvent() throws Exception {
    // (The SHA-256 links all hold: the break reported is the seal, not previousHash.)
    for (boolean dropSeal : new boolean[] {true, false}) {
      AuditFixtures sealedLog = AuditFixtures.walkthrough(SEALING);
      sealedLog.submit(sealedLog.commands.upsertRoute("acme", "store", "shop", Commands.rule("/v2", "web", 8080)));
      sealedLog.submit(sealedLog.commands.upsertRoute("acme", "store", "shop", Commands.rule("/v3", "web", 8080)));
      List<LoggedEvent> stored = new ArrayList<>(sealedLog.stored());
      String route = "httproute/acme/default/store";
      int target = indexOf(stored, route, 2);

      EventEnvelope original = stored.get(target).event();
      HttpRouteUpserted forged = HttpRouteUpserted.newBuilder((HttpRouteUpserted) original.getPayload())
          .setHostnames(List.of("evil.example.com")).build();
      EventEnvelope rewritten = EventEnvelope.newBuilder(original).setPayload(forged).setSeal(null).build();
      if (!dropSeal) {
        byte[] unsealed = AvroBinary.encode(rewritten);
        byte[] unkeyed = MessageDigest.getInstance("SHA-256").digest(Arrays.copyOf(unsealed, unsealed.length - 1));
        rewritten.setSeal(ByteBuffer.wrap(unkeyed));
      }
      stored.set(target, AuditFixtures.record(target, route, rewritten));
      // Re-link the aggregate's later event to the rewritten one, as the attacker would.
      int next = indexOf(stored, route, 3);
      EventEnvelope relinked = EventEnvelope.newBuilder(stored.get(next).event())
          .setPreviousHash(ByteBuffer.wrap(stored.get(target).storedHash())).build();
      stored.set(next, AuditFixtures.record(next, route, relinked));

      ChainVerifier.Break broken = verify(stored, SEALING).firstBreak().orElseThrow();

      assertThat(broken.position()).isEqualTo("epic.events-0@" + target);
      assertThat(broken.aggregateId()).isEqualTo(route);
      assertThat(broken.sequence()).isEqualTo(2);
      assertThat(broken.reason()).isEqualTo(dropSeal
          ? "the event is not sealed, but sequence 1 at epic.events-0@" + indexOf(stored, route, 1)
              + " was: it was forged or rewritten without the key"
          : "the seal does not verify with the audit chain key: the event was altered or forged");
    }
  }

  @Test
  void anUnsealedEventAfterTheCutOverIsABreakEvenAsItsAggregatesFirst() {
    List<LoggedEvent> unsealed = fixtures.stored();
    ChainVerifier.Break broken = verify(unsealed, SEALING).firstBreak().orElseThrow();
    assertThat(broken.position()).isEqualTo("epic.events-0@0");
    assertThat(broken.sequence()).isEqualTo(1);
    assertThat(broken.reason()).startsWith("the event is not sealed, but it is stamped 2023-11-14")
        .endsWith("after the audit chain key's cut-over 2023-01-01T00:00:00Z: it was forged or rewritten without the key");
  }

  private static ChainVerifier.Result verify(List<LoggedEvent> stored) {
    return verify(stored, CUT_OVER_LATER);
  }

  private static ChainVerifier.Result verify(List<LoggedEvent> stored, EventSeals seals) {
    ChainVerifier verifier = new ChainVerifier(seals);
    stored.forEach(verifier::check);
    return verifier.result();
  }

  private static int indexOf(List<LoggedEvent> stored, String aggregateId, long sequence) {
    for (int i = 0; i < stored.size(); i++) {
      EventEnvelope e = stored.get(i).event();
      if (e.getAggregateId().equals(aggregateId) && e.getSequence() == sequence) {
        return i;
      }
    }
    throw new AssertionError("no " + aggregateId + "#" + sequence);
  }
}
