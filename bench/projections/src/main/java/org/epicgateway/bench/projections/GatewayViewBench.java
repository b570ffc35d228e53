package org.epicgateway.bench.projections;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.epicgateway.projections.decider.Decider;
import org.epicgateway.projections.decider.Decision;
import org.epicgateway.projections.decider.StateLookup;
import org.epicgateway.projections.view.GatewayViews;
import org.epicgateway.projections.view.MemoryViewStore;
import org.epicgateway.schemas.AggregateIds;
import org.epicgateway.schemas.EventHashes;
import org.epicgateway.schemas.avro.Actor;
import org.epicgateway.schemas.avro.ActorKind;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.BackendRef;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.CreateAccount;
import org.epicgateway.schemas.avro.CreateGateway;
import org.epicgateway.schemas.avro.DefineAddressPool;
import org.epicgateway.schemas.avro.DefineGatewayTemplate;
import org.epicgateway.schemas.avro.Endpoint;
import org.epicgateway.schemas.avro.EndpointConditions;
import org.epicgateway.schemas.avro.EndpointPort;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.HttpRouteRule;
import org.epicgateway.schemas.avro.Listener;
import org.epicgateway.schemas.avro.ListenerProtocol;
import org.epicgateway.schemas.avro.ParentRef;
import org.epicgateway.schemas.avro.TransportProtocol;
import org.epicgateway.schemas.avro.UpsertEndpointSlice;
import org.epicgateway.schemas.avro.UpsertHttpRoute;

/**
 * The gateway view projection's cost per EndpointSlice change in a large account (default 1,000 gateways, 10 routes
 * each, 10 slices per route's Service: 10k routes, 100k slices) vs a small one with gateways of the same shape (10
 * gateways), in the same run, so the ratio is the account's size alone (a view costs its gateway's size): the projection's pure code ({@code GatewayViews.apply} + {@code changes}, which folds, moves index
 * entries and assembles the affected gateway's view) over the in-memory store, fed by the real decider's events. The
 * Streams topology runs exactly this code over RocksDB stores; this isolates its complexity from Kafka's costs.
 * Arguments: gateways, routes per gateway, slices per route, measured changes.
 */
public final class GatewayViewBench {

  private static final Actor BENCH = Actor.newBuilder().setKind(ActorKind.SYSTEM).setId("bench").build();

  private final TreeMap<String, AggregateState> decided = new TreeMap<>();
  private final MemoryViewStore views = new MemoryViewStore();
  private long commands;

  public static void main(String[] args) {
    int gateways = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int routes = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int slices = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    int changes = args.length > 3 ? Integer.parseInt(args[3]) : 2000;
    System.out.printf("cores=%d load=%.1f%n", Runtime.getRuntime().availableProcessors(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    long[] small = new GatewayViewBench().measure("small", 10, routes, slices, changes);
    long[] large = new GatewayViewBench().measure("large", gateways, routes, slices, changes);
    System.out.printf("%n| account | view cost per slice change p50 | p99 | vs small |%n|---|---|---|---|%n");
    System.out.printf("| 10 gateways x %d routes x %d slices | %.1f us | %.1f us | |%n", routes, slices,
        small[0] / 1e3, small[1] / 1e3);
    System.out.printf("| %d gateways x %d routes x %d slices | %.1f us | %.1f us | p50 %.2fx, p99 %.2fx |%n",
        gateways, routes, slices, large[0] / 1e3, large[1] / 1e3, (double) large[0] / small[0],
        (double) large[1] / small[1]);
  }

  /** Loads the population, then times {@code changes} slice upserts (view part only); returns {p50, p99} in ns. */
  private long[] measure(String name, int gateways, int routes, int slices, int changes) {
    long t0 = System.nanoTime();
    decide(AggregateIds.pool("bench"), new DefineAddressPool("bench", List.of("10.0.0.0/8"), null, null));
    decide(AggregateIds.template("bench"), DefineGatewayTemplate.newBuilder().setTemplate("bench").setPool("bench")
        .setReplicas(2).setShareable(false).setEnvoyBaseConfig("{}").build());
    decide(AggregateIds.account("acme"), new CreateAccount("acme", null));
    for (int g = 0; g < gateways; g++) {
      decide(AggregateIds.gateway("acme", "default", "gw-" + g), new CreateGateway("acme", "default", "gw-" + g,
          "bench", List.of(Listener.newBuilder().setName("web").setPort(80).setProtocol(ListenerProtocol.HTTP)
              .build())));
      for (int r = 0; r < routes; r++) {
        String route = "r-" + g + "-" + r;
        decide(AggregateIds.httpRoute("acme", "default", route), UpsertHttpRoute.newBuilder().setAccount("acme")
            .setNamespace("default").setName(route)
            .setParentRefs(List.of(ParentRef.newBuilder().setName("gw-" + g).build()))
            .setRules(List.of(HttpRouteRule.newBuilder()
                .setBackendRefs(List.of(BackendRef.newBuilder().setName(route).setPort(8080).build())).build()))
            .build());
        for (int s = 0; s < slices; s++) {
          decide(AggregateIds.endpointSlice("acme", "default", route + "-" + s), slice(route, s, 0));
        }
      }
    }
    System.out.printf("%s: %d commands decided and projected in %.1f s%n", name, commands,
        (System.nanoTime() - t0) / 1e9);
    long[] took = new long[changes];
    for (int i = 0; i < changes; i++) {
      String route = "r-" + (i * 7919 % gateways) + "-" + (i % routes);
      CommandEnvelope command = command(AggregateIds.endpointSlice("acme", "default", route + "-" + (i % slices)),
          slice(route, i % slices, i + 1));
      Decision d = Decider.decide(command, lookup());
      decided.putAll(d.states());
      long start = System.nanoTime();
      int emitted = project(d.events());
      took[i] = System.nanoTime() - start;
      if (emitted != 1) {
        throw new IllegalStateException("a slice change should emit one view, emitted " + emitted);
      }
    }
    Arrays.sort(took);
    return new long[] {took[changes / 2], took[changes * 99 / 100]};
  }

  private void decide(String target, Object payload) {
    Decision d = Decider.decide(command(target, payload), lookup());
    if (!d.accepted()) {
      throw new IllegalStateException("bench command rejected: " + d.rejection());
    }
    decided.putAll(d.states());
    project(d.events());
  }

  /** What the projection's processor does per event: fold and index, then the affected gateways' views. */
  private int project(List<EventEnvelope> events) {
    int emitted = 0;
    for (EventEnvelope e : events) {
      Set<String> affected = GatewayViews.apply(views, e, EventHashes.hash(e));
      emitted += GatewayViews.changes(views, affected).size();
    }
    return emitted;
  }

  private CommandEnvelope command(String target, Object payload) {
    commands++;
    return CommandEnvelope.newBuilder().setCommandId("bench-" + commands).setActor(BENCH)
        .setTargetAggregateId(target).setTimestamp(Instant.ofEpochMilli(1_700_000_000_000L + commands))
        .setPayload(payload).build();
  }

  private static UpsertEndpointSlice slice(String service, int s, int generation) {
    List<Endpoint> endpoints = new ArrayList<>();
    for (int e = 0; e < 3; e++) {
      endpoints.add(Endpoint.newBuilder().setAddresses(List.of("10.1." + (generation % 250) + "." + (e + 1)))
          .setConditions(EndpointConditions.newBuilder().setReady(true).build())
          .setNodeName("node-" + e).setNodeAddress("198.51.100." + (e + 1)).build());
    }
    return UpsertEndpointSlice.newBuilder().setAccount("acme").setNamespace("default").setName(service + "-" + s)
        .setServiceName(service).setPorts(List.of(EndpointPort.newBuilder().setName("http").setPort(8080)
            .setProtocol(TransportProtocol.TCP).build()))
        .setEndpoints(endpoints).build();
  }

  private StateLookup lookup() {
    return StateLookup.of(decided);
  }
}
