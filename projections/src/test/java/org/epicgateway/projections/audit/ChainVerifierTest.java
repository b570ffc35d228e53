package org.epicgateway.projections.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.epicgateway.projections.decider.Commands;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.HttpRouteUpserted;
import org.junit.jupiter.api.Test;

class ChainVerifierTest {

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

  private static ChainVerifier.Result verify(List<LoggedEvent> stored) {
    ChainVerifier verifier = new ChainVerifier();
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
