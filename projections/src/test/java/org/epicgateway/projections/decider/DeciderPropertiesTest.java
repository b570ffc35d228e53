package org.epicgateway.projections.decider;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.epicgateway.projections.state.Fold;
import org.epicgateway.schemas.AvroBinary;
import org.epicgateway.schemas.avro.AddressReleased;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.GatewayCreated;
import org.epicgateway.schemas.avro.GatewayState;
import org.epicgateway.schemas.avro.PoolState;
import org.epicgateway.schemas.avro.RemoveGatewayTemplate;
import org.epicgateway.schemas.avro.UpdateGatewayTemplate;

/**
 * Random command sequences over a small universe of names, so creates, conflicts, deletes, re-creates, exhausted
 * pools and quotas all happen. Whatever the decider accepts or rejects, the appended log must fold back to exactly
 * the states it holds, rejections must leave no trace, and addresses must never be handed out twice.
 */
class DeciderPropertiesTest {

  /** One generated command; the label makes shrunk counterexamples readable. */
  record Op(String label, Function<Commands, CommandEnvelope> make, Long expectedVersion) {
    CommandEnvelope build(Commands c) {
      CommandEnvelope command = make.apply(c);
      command.setExpectedVersion(expectedVersion);
      return command;
    }

    @Override
    public String toString() {
      return label + (expectedVersion == null ? "" : "@v" + expectedVersion);
    }
  }

  /** The outcome of running a sequence: the log and every decision in order. */
  record Run(MapLookup store, List<EventEnvelope> log, List<Decision> decisions) {}

  private static Run run(List<Op> ops) {
    Commands c = new Commands();
    MapLookup store = new MapLookup();
    List<EventEnvelope> log = new ArrayList<>();
    List<Decision> decisions = new ArrayList<>();
    for (Op op : ops) {
      Map<String, AggregateState> before = store.snapshot();
      Decision d = store.submit(op.build(c));
      if (!d.accepted()) {
        assertThat(d.events()).as("events of rejected %s", op).isEmpty();
        assertThat(store.snapshot()).as("state after rejected %s", op).isEqualTo(before);
      }
      log.addAll(d.events());
      decisions.add(d);
    }
    return new Run(store, log, decisions);
  }

  @Property(tries = 300)
  void foldOfTheLogEqualsTheLiveState(@ForAll("sequences") List<Op> ops) {
    Run run = run(ops);
    assertThat(Fold.replay(run.log())).isEqualTo(run.store().snapshot());
    // Guard against a vacuous generator: enough runs must reach gateways, releases and rejections.
    Statistics.label("created a gateway").collect(run.log().stream()
        .anyMatch(e -> e.getPayload() instanceof GatewayCreated));
    Statistics.label("released an address").collect(run.log().stream()
        .anyMatch(e -> e.getPayload() instanceof AddressReleased));
    Statistics.label("rejected a command").collect(run.decisions().stream().anyMatch(d -> !d.accepted()));
    Statistics.label("created a gateway").coverage(c -> c.check(true).percentage(p -> p >= 20));
    Statistics.label("released an address").coverage(c -> c.check(true).percentage(p -> p >= 3));
    Statistics.label("rejected a command").coverage(c -> c.check(true).percentage(p -> p >= 50));
  }

  @Property(tries = 200)
  void addressesAreNeverSharedAndBelongToLiveGateways(@ForAll("sequences") List<Op> ops) {
    Map<String, AggregateState> states = run(ops).store().snapshot();
    Map<String, String> holderOfAddress = new HashMap<>();
    for (AggregateState s : states.values()) {
      if (s.getResource() instanceof PoolState pool) {
        pool.getAllocated().forEach((address, gateway) -> {
          assertThat(holderOfAddress.put(address, gateway)).as("second holder of %s", address).isNull();
          AggregateState holder = states.get(gateway);
          assertThat(holder).as("holder of %s", address).isNotNull();
          assertThat(holder.getDeleted()).as("%s holding %s is deleted", gateway, address).isFalse();
        });
      }
    }
    for (AggregateState s : states.values()) {
      if (s.getResource() instanceof GatewayState gateway && !s.getDeleted()) {
        assertThat(holderOfAddress.get(gateway.getAddress())).isEqualTo(s.getAggregateId());
        if (gateway.getAltAddress() != null) {
          assertThat(holderOfAddress.get(gateway.getAltAddress())).isEqualTo(s.getAggregateId());
        }
      }
    }
  }

  @Property(tries = 100)
  void decidingTheSameSequenceAgainGivesByteIdenticalEvents(@ForAll("sequences") List<Op> ops) {
    List<byte[]> first = run(ops).log().stream().map(AvroBinary::encode).toList();
    List<byte[]> second = run(ops).log().stream().map(AvroBinary::encode).toList();
    assertThat(second).containsExactlyElementsOf(first);
  }

  @Property(tries = 200)
  void everyAcceptedCommandReportsItsTargetsNewVersion(@ForAll("sequences") List<Op> ops) {
    Commands c = new Commands();
    MapLookup store = new MapLookup();
    for (Op op : ops) {
      CommandEnvelope command = op.build(c);
      Decision d = store.submit(command);
      if (d.accepted()) {
        assertThat(d.result(command).getVersion())
            .isEqualTo(store.states.get(command.getTargetAggregateId()).getVersion());
        assertThat(d.events()).isNotEmpty();
      } else {
        assertThat(d.result(command).getVersion()).isNull();
      }
    }
  }

  @Provide
  Arbitrary<List<Op>> sequences() {
    Arbitrary<List<Op>> random = ops().list().ofMinSize(5).ofMaxSize(60);
    // Most sequences start from a usable platform, so gateways, routes and IPAM get exercised deeply.
    return Combinators.combine(Arbitraries.frequency(Tuple.of(3, true), Tuple.of(1, false)), random).as((bootstrap, tail) -> {
      List<Op> all = new ArrayList<>();
      if (bootstrap) {
        all.add(new Op("account acme", c -> c.createAccount("acme"), null));
        all.add(new Op("pool v4", c -> c.definePool("v4", null, "192.0.2.0/29"), null));
        all.add(new Op("template std", c -> c.defineTemplate("std", "v4"), null));
        all.add(new Op("account beta", c -> c.createAccount("beta"), null));
      }
      all.addAll(tail);
      return all;
    });
  }

  private static Arbitrary<Op> ops() {
    Arbitrary<String> account = Arbitraries.of("acme", "beta");
    Arbitrary<String> gateway = Arbitraries.of("g1", "g2", "g3", "g4");
    Arbitrary<String> template = Arbitraries.frequency(Tuple.of(6, "std"), Tuple.of(3, "six"), Tuple.of(1, "nope"));
    Arbitrary<String> route = Arbitraries.of("r1", "r2");
    Arbitrary<String> slice = Arbitraries.of("s1", "s2");
    Arbitrary<String> service = Arbitraries.of("web", "api");
    Arbitrary<Long> expected = Arbitraries.longs().between(0, 3).injectNull(0.85);
    Arbitrary<Function<Commands, CommandEnvelope>> pools = Arbitraries.of(
        c -> c.definePool("v4", null, "192.0.2.0/29"),
        c -> c.definePool("alt4", null, "198.51.100.0/31"),
        c -> c.definePool("v6", "alt4", "2001:db8::/126"),
        c -> c.definePool("bad", null, "192.0.2.1/29"));
    // Weights favour the commands that build on each other (gateways, routes, slices) over one-off admin commands.
    return Arbitraries.frequencyOf(
        weighted(1, account.map(a -> new Op("account " + a, c -> c.createAccount(a), null))),
        weighted(1, Combinators.combine(account, Arbitraries.integers().between(-1, 3))
            .as((a, n) -> new Op("quota " + a + "=" + n, c -> c.setQuota(a, n), null))),
        weighted(1, Combinators.combine(account, Arbitraries.of("alice", "bob"))
            .as((a, u) -> new Op("user " + a + "/" + u, c -> c.addUser(a, u), null))),
        weighted(2, pools.map(p -> new Op("pool", p, null))),
        weighted(2, Combinators.combine(Arbitraries.of("std", "six"), Arbitraries.of("v4", "v6", "nope"))
            .as((t, p) -> new Op("template " + t + "->" + p, c -> c.defineTemplate(t, p), null))),
        weighted(1, Combinators.combine(Arbitraries.of("std", "six"), Arbitraries.of("v4", "v6"))
            .as((t, p) -> new Op("update template " + t + "->" + p, c -> c.envelope("template/" + t, null,
                UpdateGatewayTemplate.newBuilder().setTemplate(t).setPool(p).setReplicas(3).setShareable(true)
                    .setEnvoyBaseConfig("{}").build()), null))),
        weighted(1, Arbitraries.of("std", "six").map(t -> new Op("remove template " + t,
            c -> c.envelope("template/" + t, null, new RemoveGatewayTemplate(t)), null))),
        weighted(8, Combinators.combine(account, gateway, template, expected)
            .as((a, g, t, v) -> new Op("create " + a + "/" + g + " on " + t, c -> c.createGateway(a, g, t), v))),
        weighted(3, Combinators.combine(account, gateway, Arbitraries.integers().between(0, 3), expected)
            .as((a, g, port, v) -> new Op("update " + a + "/" + g + " :" + port,
                c -> c.updateGateway(a, g, Commands.http("web", port)), v))),
        weighted(4, Combinators.combine(account, gateway, expected)
            .as((a, g, v) -> new Op("delete " + a + "/" + g, c -> c.deleteGateway(a, g), v))),
        weighted(5, Combinators.combine(account, route, gateway, service)
            .as((a, r, g, s) -> new Op("route " + a + "/" + r + " on " + g + " to " + s,
                c -> c.upsertRoute(a, r, g, Commands.rule("/", s, 8080)), null))),
        weighted(2, Combinators.combine(account, route)
            .as((a, r) -> new Op("remove route " + a + "/" + r, c -> c.removeRoute(a, r), null))),
        weighted(4, Combinators.combine(account, slice, service)
            .as((a, s, svc) -> new Op("slice " + a + "/" + s + " of " + svc, c -> c.upsertSlice(a, s, svc), null))),
        weighted(2, Combinators.combine(account, slice)
            .as((a, s) -> new Op("remove slice " + a + "/" + s, c -> c.removeSlice(a, s), null))));
  }

  private static Tuple.Tuple2<Integer, Arbitrary<? extends Op>> weighted(int weight, Arbitrary<Op> op) {
    return Tuple.of(weight, op);
  }
}
