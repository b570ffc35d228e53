package org.epicgateway.bench.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/** The bench's REST client side: tenants with bearer tokens, and bulk loads through the batch endpoint. */
final class Rest {
  /** Objects per batch request; a batch of slices with ten endpoints each stays well under the 1 MB body limit. */
  static final int BATCH = 200;
  /** Batch requests in flight at once during a load. */
  static final int LOADERS = 8;

  private final String host;
  private final int port;
  private final String admin;

  Rest(String host, int port, String adminBasic) {
    this.host = host;
    this.port = port;
    this.admin = adminBasic;
  }

  KeepAliveConnection connect() throws IOException {
    return new KeepAliveConnection(host, port);
  }

  String admin() {
    return admin;
  }

  /** An account with one user; its bearer token. */
  String tenant(String account) throws IOException {
    try (KeepAliveConnection c = connect()) {
      expect(c.send("POST", "/api/v1/accounts", admin, "{\"account\":\"" + account + "\"}"), 201);
      expect(c.send("POST", "/api/v1/accounts/" + account + "/users", admin,
          "{\"username\":\"bench\",\"password\":\"bench-password\"}"), 201);
      String user = "Basic " + Base64.getEncoder().encodeToString(("bench@" + account + ":bench-password")
          .getBytes(StandardCharsets.UTF_8));
      return "Bearer " + json(expect(c.send("POST", "/api/v1/tokens", user, ""), 201)).get("token").asText();
    }
  }

  /**
   * Posts {@code count} objects, {@link #BATCH} per request and {@link #LOADERS} requests at a time, to a batch
   * endpoint; every object must be answered 2xx. Prints progress; returns the seconds it took.
   *
   * @param item the JSON of object {@code i}
   */
  double load(String label, String path, String authorization, int count, IntFunction<String> item,
      Set<String> acknowledged) throws Exception {
    long start = System.nanoTime();
    AtomicLong next = new AtomicLong();
    AtomicLong done = new AtomicLong();
    AtomicLong reported = new AtomicLong();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> loaders = new ArrayList<>();
      for (int l = 0; l < LOADERS; l++) {
        loaders.add(pool.submit(() -> {
          try (KeepAliveConnection c = connect()) {
            for (long from = next.getAndAdd(BATCH); from < count; from = next.getAndAdd(BATCH)) {
              StringBuilder body = new StringBuilder("{\"items\":[");
              for (long i = from; i < Math.min(count, from + BATCH); i++) {
                body.append(i == from ? "" : ",").append(item.apply((int) i));
              }
              JsonNode answer = json(expect(c.send("POST", path, authorization, body.append("]}").toString()), 200));
              for (JsonNode r : answer.get("results")) {
                if (r.get("status").asInt() / 100 != 2) {
                  throw new IllegalStateException(label + ": an object was refused: " + r);
                }
                acknowledged.add(r.get("commandId").asText());
              }
              long n = done.addAndGet(answer.get("results").size());
              long step = Math.max(BATCH, count / 20);
              if (n / step > reported.get() / step) {
                reported.set(n);
                System.out.printf("  %s: %d/%d (%.0f/s)%n", label, n, count, n / ((System.nanoTime() - start) / 1e9));
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> f : loaders) {
        f.get();
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("%s: %d objects in %.1f s (%.0f/s)%n", label, count, seconds, count / seconds);
    return seconds;
  }

  /** Loads {@code count} EndpointSlices (one endpoint each) into the account through its batch endpoint. */
  void loadSlices(String account, String bearer, int count, String prefix, Set<String> acknowledged)
      throws Exception {
    load("preload " + account, "/api/v1/accounts/" + account + "/batch", bearer, count, i -> """
        {"kind":"EndpointSlice","name":"%s%d","serviceName":"svc-%d","ports":[{"name":"http","port":8080,\
        "protocol":"TCP"}],"endpoints":[{"addresses":["10.2.%d.%d"],"conditions":{"ready":true}}]}"""
        .formatted(prefix, i, i % 1000, (i / 250) % 250, i % 250 + 1), acknowledged);
  }

  static String expect(KeepAliveConnection.Response r, int status) {
    if (r.status() != status) {
      throw new IllegalStateException("expected " + status + ", got " + r.status() + ": " + r.body());
    }
    return r.body();
  }

  static JsonNode json(String body) {
    try {
      return RestVsProducerBench.JSON.readTree(body);
    } catch (IOException e) {
      throw new IllegalStateException("not JSON: " + body, e);
    }
  }
}
