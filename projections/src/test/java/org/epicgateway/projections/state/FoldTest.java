package org.epicgateway.projections.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.epicgateway.projections.decider.Commands;
import org.epicgateway.projections.decider.Decision;
import org.epicgateway.projections.decider.MapLookup;
import org.epicgateway.schemas.AvroBinary;
import org.epicgateway.schemas.EventHashes;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.junit.jupiter.api.Test;

class FoldTest {

  private final Commands c = new Commands();
  private final MapLookup store = new MapLookup();
  private final List<EventEnvelope> log = new ArrayList<>();

  private void run(org.epicgateway.schemas.avro.CommandEnvelope command) {
    Decision d = store.submit(command);
    assertThat(d.accepted()).as("%s", d.rejection()).isTrue();
    log.addAll(d.events());
  }

  @Test
  void replayOfTheLogEqualsTheDecidersStates() {
    run(c.createAccount("acme"));
    run(c.addUser("acme", "alice"));
    run(c.setQuota("acme", 5));
    run(c.definePool("v4", null, "192.0.2.0/29"));
    run(c.defineTemplate("standard", "v4"));
    run(c.createGateway("acme", "shop", "standard"));
    run(c.upsertRoute("acme", "web", "shop"));
    run(c.upsertSlice("acme", "web-1", "web"));
    run(c.deleteGateway("acme", "shop"));
    assertThat(Fold.replay(log)).isEqualTo(store.snapshot());
  }

  @Test
  void anEventOutOfSequenceIsRefused() {
    run(c.createAccount("acme"));
    run(c.addUser("acme", "alice"));
    AggregateState first = Fold.apply(null, log.get(0));
    EventEnvelope skipped = EventEnvelope.newBuilder(log.get(1)).setSequence(3).build();
    assertThatThrownBy(() -> Fold.apply(first, skipped))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("aggregate account/acme: event cmd-2-0 has sequence 3, expected 2");
  }

  @Test
  void anEventThatDoesNotCarryThePreviousHashIsRefused() {
    run(c.createAccount("acme"));
    run(c.addUser("acme", "alice"));
    AggregateState first = Fold.apply(null, log.get(0));
    EventEnvelope tampered = EventEnvelope.newBuilder(log.get(1)).setPreviousHash(ByteBuffer.wrap(new byte[32])).build();
    assertThatThrownBy(() -> Fold.apply(first, tampered))
        .hasMessage("aggregate account/acme: event cmd-2-0 does not carry the hash of the aggregate's previous event"
            + " (broken chain)");
  }

  @Test
  void aChangedEarlierEventChangesTheHashTheNextOneMustCarry() {
    run(c.createAccount("acme"));
    run(c.addUser("acme", "alice"));
    EventEnvelope edited = EventEnvelope.newBuilder(log.get(0)).setTimestamp(log.get(0).getTimestamp().plusSeconds(1))
        .build();
    AggregateState fromEdited = Fold.apply(null, edited);
    assertThatThrownBy(() -> Fold.apply(fromEdited, log.get(1))).hasMessageContaining("broken chain");
  }

  @Test
  void anEventForAMissingAggregateIsRefused() {
    run(c.createAccount("acme"));
    run(c.addUser("acme", "alice"));
    EventEnvelope orphan = EventEnvelope.newBuilder(log.get(1)).setSequence(1)
        .setPreviousHash(ByteBuffer.wrap(new byte[32])).build();
    assertThatThrownBy(() -> Fold.apply(null, orphan)).hasMessageContaining("(ApiUserAdded) needs a prior state");
  }

  @Test
  void foldingWithTheHashOfTheStoredBytesEqualsFoldingByReencoding() {
    run(c.createAccount("acme"));
    byte[] datum = AvroBinary.encode(log.get(0));
    assertThat(Fold.apply(null, log.get(0), EventHashes.hashOfDatum(datum, 0, datum.length)))
        .isEqualTo(Fold.apply(null, log.get(0)));
  }

  @Test
  void foldDoesNotMutateItsInput() {
    run(c.createAccount("acme"));
    AggregateState before = store.snapshot().get("account/acme");
    AggregateState copy = AggregateState.newBuilder(before).build();
    run(c.addUser("acme", "alice"));
    Fold.apply(before, log.get(1));
    assertThat(before).isEqualTo(copy);
  }
}
