package org.epicgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.epicgateway.projections.topology.CommandBus;
import org.epicgateway.api.audit.AuditLog;
import org.epicgateway.api.audit.AuditQuery;
import org.epicgateway.schemas.AggregateIds;
import org.epicgateway.schemas.avro.Actor;
import org.epicgateway.schemas.avro.ActorKind;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.CommandResult;
import org.epicgateway.schemas.avro.CreateAccount;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.UpsertEndpointSlice;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The audit log reads what a query needs, not the whole log: {@code from} starts each partition at the first event
 * stamped at or after it (the decider stamps event records with the event's time), and an aggregate filter reads its
 * key's partition only. Counted in records read, on the real broker with events decided by the real decider.
 */
class AuditStartOffsetTest {
  private static final Actor ADMIN = new Actor(ActorKind.USER, "admin@system", null);
  private static final int OLD = 60;
  private static final int NEW = 4;

  static ApiFixture fixture;
  static AuditLog audit;

  @BeforeAll
  static void start() throws Exception {
    fixture = ApiFixture.get();
    audit = new AuditLog(fixture.platform.kafkaClient(), new AvroDeserializer<>(EventEnvelope.class,
        new SchemaRegistryClient(fixture.platform.schemaRegistryUrl())), 100_000);
  }

  @AfterAll
  static void stop() {
    audit.close();
  }

  @Test
  void fromAndAggregateBoundWhatIsRead() throws Exception {
    String account = "offsets-" + UUID.randomUUID().toString().substring(0, 8);
    CommandBus bus = fixture.decider.commandBus();
    // History stamped long ago, then a few changes stamped now: the later window is what a query asks for.
    Instant past = Instant.parse("2001-01-01T00:00:00Z");
    submit(bus, List.of(command(AggregateIds.account(account), past, new CreateAccount(account, null))));
    List<CommandEnvelope> old = new ArrayList<>();
    for (int i = 0; i < OLD; i++) {
      old.add(slice(account, "old-" + i, past.plusSeconds(i + 1)));
    }
    submit(bus, old);
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    List<CommandEnvelope> recent = new ArrayList<>();
    for (int i = 0; i < NEW; i++) {
      recent.add(slice(account, "new-" + i, now.plusMillis(i)));
    }
    submit(bus, recent);

    AuditLog.Page everything = audit.query(new AuditQuery(account, null, null, null, null, 500), null);
    assertThat(everything.events()).hasSize(1 + OLD + NEW);
    assertThat(everything.recordsRead()).isGreaterThan(OLD + NEW);

    AuditLog.Page window = audit.query(new AuditQuery(account, null, null, now, null, 500), null);
    assertThat(window.events()).extracting(e -> e.getAggregateId())
        .containsExactlyInAnyOrder(recent.stream().map(CommandEnvelope::getTargetAggregateId).toArray(String[]::new));
    // The events of the window and at most the decider's transaction markers after them, none of the old history.
    assertThat(window.recordsRead()).isBetween((long) NEW, (long) 3 * NEW + 3);
    assertThat(window.next()).isNull();

    String one = recent.get(0).getTargetAggregateId();
    AuditLog.Page aggregate = audit.query(new AuditQuery(account, one, null, now, null, 500), null);
    assertThat(aggregate.events()).extracting(EventEnvelope::getAggregateId).containsExactly(one);
    assertThat(aggregate.recordsRead()).isLessThanOrEqualTo(window.recordsRead());
  }

  private static CommandEnvelope slice(String account, String name, Instant at) {
    return command(AggregateIds.endpointSlice(account, "default", name), at, UpsertEndpointSlice.newBuilder()
        .setAccount(account).setNamespace("default").setName(name).setServiceName("web").build());
  }

  private static CommandEnvelope command(String target, Instant at, Object payload) {
    return CommandEnvelope.newBuilder().setCommandId("offsets-" + UUID.randomUUID()).setActor(ADMIN)
        .setAccount(null).setTargetAggregateId(target).setTimestamp(at).setPayload(payload).build();
  }

  /** Submits them together (the decider keeps their order per aggregate) and checks every one was accepted. */
  private static void submit(CommandBus bus, List<CommandEnvelope> commands) {
    for (CompletableFuture<CommandResult> r : bus.submitAll(commands, Duration.ofSeconds(60))) {
      CommandResult result = r.join();
      assertThat(result.getAccepted()).as(String.valueOf(result.getRejection())).isTrue();
    }
  }
}
