package org.epicgateway.bench.lifecycle;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.epicgateway.cli.lab.LifecycleLab;
import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.platform.KafkaConnection;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.NodeAdverts;
import org.epicgateway.schemas.avro.ReplicaPlaced;
import org.epicgateway.schemas.avro.ReplicaReady;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroDeserializer;

/**
 * Issue 10's figures on {@link LifecycleLab} (root: namespaces, BIRD, eBPF), the topology of
 * GatewayLifecycleRootTest, with both EPIC nodes' agents in this JVM. Per round, on a fresh gateway of a template
 * with two replicas:
 * <ol>
 *   <li>gateway create (REST 201) → the router's kernel has the address via one EPIC node, then via both (BGP, ECMP;
 *   the time of the router's netlink route change, from an {@code ip monitor route} watch), with where the time
 *   went: the decider's ReplicaPlaced and ReplicaReady on epic.events and the node projection's advert on
 *   epic.node-adverts, when this bench read them;</li>
 *   <li>EndpointSlice change (REST 200, a new port) → the port in both EPIC nodes' endpoint BPF maps (the agent's
 *   pinned maps, read as the agent reads them, every 2 ms);</li>
 * </ol>
 * then the gateway, route and slice are deleted (its replicas stop). Args: {@code [rounds] [warm-up rounds]},
 * default 10 and 1.
 */
public final class LifecycleBench {
  private LifecycleBench() {}

  record Stamp(String key, Object value, long wallMs) {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    Path dir = Files.createTempDirectory("epic-bench-lifecycle-");
    System.out.println("bench/lifecycle: " + rounds + " rounds after " + warmup + " warm-up, load " + load());
    try (EmbeddedPlatform platform = EmbeddedPlatform.start(dir.resolve("platform"))) {
      LifecycleLab lab = LifecycleLab.start(platform, dir, false);
      try {
        System.out.println("lab up (every node joined), load " + load());
        run(lab, platform, rounds, warmup);
      } finally {
        lab.close();
      }
    }
  }

  static void run(LifecycleLab lab, EmbeddedPlatform platform, int rounds, int warmup) throws Exception {
    String acme = "bench-" + lab.x, base = "/api/v1/accounts/" + acme;
    LifecycleLab.expect(201, lab.post("/api/v1/pools", "{\"pool\":\"pool-" + lab.x + "\",\"ranges\":[\"203.0.113.64/26\"]}"));
    LifecycleLab.expect(201, lab.post("/api/v1/templates", "{\"template\":\"tmpl-" + lab.x + "\",\"pool\":\"pool-" + lab.x
        + "\",\"replicas\":2,\"shareable\":false,\"envoyBaseConfig\":\"{}\"}"));
    LifecycleLab.expect(201, lab.post("/api/v1/accounts", "{\"account\":\"" + acme + "\"}"));
    ConcurrentLinkedQueue<Stamp> stamps = new ConcurrentLinkedQueue<>();
    Thread recorder = record(platform, stamps);
    String[] hops = {LifecycleLab.hop(0), LifecycleLab.hop(1)};
    List<long[]> results = new ArrayList<>(); // first hop, both hops, placed, ready, advert, slice -> maps (ns)
    try {
      for (int i = 0; i < warmup + rounds; i++) {
        String name = "g" + i, service = "svc" + i;
        long createdWall = System.currentTimeMillis();
        LifecycleLab.expect(201, lab.post(base + "/gateways", "{\"name\":\"" + name + "\",\"template\":\"tmpl-" + lab.x
            + "\",\"listeners\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"HTTP\"}]}"));
        long created = System.nanoTime();
        createdWall = (createdWall + System.currentTimeMillis()) / 2;
        String address = LifecycleLab.expect(200, lab.get(base + "/gateways/" + name)).at("/spec/address").asText();
        long first = lab.awaitRouter("router has " + address, address, r -> r.contains(hops[0]) || r.contains(hops[1]), 120_000);
        long both = lab.awaitRouter("router has " + address + " via both EPIC nodes", address,
            r -> r.contains(hops[0]) && r.contains(hops[1]), 120_000);
        String gatewayId = "gateway/" + acme + "/default/" + name, placement = "placement/" + acme + "/default/" + name;
        long placed = firstStamp(stamps, s -> s.key().equals(placement) && s.value() instanceof ReplicaPlaced, createdWall);
        long ready = lastStamp(stamps, s -> s.key().equals(placement) && s.value() instanceof ReplicaReady, createdWall);
        long advert = lastStamp(stamps, s -> s.value() instanceof NodeAdverts a && a.getAdverts().stream()
            .anyMatch(v -> v.getGatewayId().equals(gatewayId)), createdWall);

        // EndpointSlice change -> both EPIC nodes' endpoint maps.
        int port = 9000 + i, changed = 20000 + i;
        LifecycleLab.expect(201, lab.post(base + "/httproutes", "{\"name\":\"" + name + "\",\"parentRefs\":[{\"name\":\"" + name
            + "\"}],\"rules\":[{\"backendRefs\":[{\"name\":\"" + service + "\",\"port\":" + port + "}]}]}"));
        LifecycleLab.expect(201, lab.post(base + "/endpointslices", lab.slice(service, service, List.of(port))));
        lab.awaitPort(0, port, 60_000);
        lab.awaitPort(1, port, 60_000);
        LifecycleLab.expect(200, lab.put(base + "/endpointslices/" + service, lab.slice(service, service, List.of(port, changed))));
        long sliceChanged = System.nanoTime();
        long mapped = Math.max(lab.awaitPort(0, changed, 60_000), lab.awaitPort(1, changed, 60_000));

        long[] r = {first - created, both - created, placed, ready, advert, mapped - sliceChanged};
        System.out.printf("round %d%s: create -> router first hop %d ms, both %d ms (ReplicaPlaced %s, last ReplicaReady %s, last advert %s ms"
            + " after 201, as read); slice -> maps %d ms; load %s%n", i, i < warmup ? " (warm-up)" : "", r[0] / 1_000_000,
            r[1] / 1_000_000, fmt(placed), fmt(ready), fmt(advert), r[5] / 1_000_000, load());
        if (i >= warmup) results.add(r);

        // The gateway first: a slice change restarts its stand-ins (new upstreams), whose advert would come back.
        LifecycleLab.expect(200, lab.delete(base + "/gateways/" + name));
        lab.awaitRouter("router withdrew " + address, address, String::isBlank, 60_000);
        // A deleted gateway's address must stay withdrawn: say so if it is back.
        Thread.sleep(1_000);
        String back = lab.routerRoute(address).strip();
        if (!back.isEmpty()) {
          System.out.println("round " + i + ": " + address + " announced again 1 s after its gateway was deleted: " + back);
        }
        LifecycleLab.expect(200, lab.delete(base + "/httproutes/" + name));
        LifecycleLab.expect(200, lab.delete(base + "/endpointslices/" + service));
        stamps.clear();
      }
    } finally {
      recorder.interrupt();
    }
    String[] labels = {"gateway create (REST 201) -> router has the address (first next hop)",
        "gateway create (REST 201) -> router has both next hops (ECMP)", "  of which: REST 201 -> first ReplicaPlaced on epic.events",
        "  of which: REST 201 -> last ReplicaReady on epic.events", "  of which: REST 201 -> last EPIC node's advert on epic.node-adverts", 
        "EndpointSlice change (REST 200) -> port in both EPIC nodes' BPF maps"};
    System.out.println("| what | p50 | p99 (n=" + results.size() + ": the max below 100) | min | max |");
    System.out.println("|---|---|---|---|---|");
    for (int k = 0; k < labels.length; k++) {
      int col = k;
      long[] v = results.stream().mapToLong(r -> r[col]).filter(x -> x >= 0).sorted().toArray();
      boolean wall = k >= 2 && k <= 4; // wall-clock ms already
      System.out.printf("| %s | %s | %s | %s | %s |%n", labels[k], show(v, v.length / 2, wall),
          show(v, (int) Math.ceil(v.length * 0.99) - 1, wall), show(v, 0, wall), show(v, v.length - 1, wall));
    }
    System.out.println("load average at the end: " + load());
  }

  private static String show(long[] sorted, int i, boolean ms) {
    if (sorted.length == 0) return "-";
    long v = sorted[Math.max(0, Math.min(i, sorted.length - 1))];
    return ms ? v + " ms" : String.format("%.0f ms", v / 1e6);
  }

  private static String fmt(long ms) {
    return ms < 0 ? "?" : Long.toString(ms);
  }

  /** ms after {@code since} of the first matching record, or -1. */
  private static long firstStamp(ConcurrentLinkedQueue<Stamp> stamps, java.util.function.Predicate<Stamp> match, long since) {
    return stamps.stream().filter(match).mapToLong(s -> s.wallMs() - since).min().orElse(-1);
  }

  private static long lastStamp(ConcurrentLinkedQueue<Stamp> stamps, java.util.function.Predicate<Stamp> match, long since) {
    return stamps.stream().filter(match).mapToLong(s -> s.wallMs() - since).max().orElse(-1);
  }

  /**
   * Records epic.events and epic.node-adverts from now on with when this reader got them (not the record times:
   * Streams outputs carry their input's time, so an advert would read as old as the report behind it).
   */
  private static Thread record(EmbeddedPlatform platform, ConcurrentLinkedQueue<Stamp> stamps) throws InterruptedException {
    SchemaRegistryClient registry = new SchemaRegistryClient(platform.schemaRegistryUrl());
    AvroDeserializer<EventEnvelope> events = new AvroDeserializer<>(EventEnvelope.class, registry);
    AvroDeserializer<NodeAdverts> adverts = new AvroDeserializer<>(NodeAdverts.class, registry);
    java.util.concurrent.CountDownLatch assigned = new java.util.concurrent.CountDownLatch(1);
    Thread t = Thread.ofPlatform().daemon().name("bench-recorder").start(() -> {
      try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(KafkaConnection.with(
          KafkaConnection.plaintext(platform.bootstrapServers()).client("bench"), Map.of(
              ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)),
          new StringDeserializer(), new ByteArrayDeserializer())) {
        List<TopicPartition> parts = new ArrayList<>();
        for (String topic : List.of(Topics.EVENTS, Topics.NODE_ADVERTS)) {
          c.partitionsFor(topic).forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
        }
        c.assign(parts);
        c.seekToEnd(parts);
        parts.forEach(c::position);
        assigned.countDown();
        while (!Thread.currentThread().isInterrupted()) {
          for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
            if (r.value() == null) continue;
            Object v = r.topic().equals(Topics.EVENTS) ? events.deserialize(r.topic(), r.value()).getPayload()
                : adverts.deserialize(r.topic(), r.value());
            stamps.add(new Stamp(r.key(), v, System.currentTimeMillis()));
          }
        }
      } catch (org.apache.kafka.common.errors.InterruptException e) {
        Thread.interrupted(); // the bench ended; the consumer closes without waiting
      }
    });
    if (!assigned.await(60, TimeUnit.SECONDS)) throw new AssertionError("the recorder did not start");
    return t;
  }

  static String load() {
    try {
      return Arrays.stream(Files.readString(Path.of("/proc/loadavg")).split(" ")).limit(3)
          .reduce((a, b) -> a + " " + b).orElse("?");
    } catch (java.io.IOException e) {
      return "?";
    }
  }
}
