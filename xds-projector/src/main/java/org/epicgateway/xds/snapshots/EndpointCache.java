package org.epicgateway.xds.snapshots;

import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.Watch;
import io.envoyproxy.controlplane.cache.WatchCancelledException;
import io.envoyproxy.controlplane.cache.XdsRequest;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.epicgateway.xds.server.NodeIds;

/**
 * EDS served per resource: an endpoint change of one cluster answers only the open EDS watches that name that cluster,
 * with that one ClusterLoadAssignment, in SotW and delta; no gateway snapshot is rebuilt and no other assignment is
 * looked at, so the cost of a change does not grow with the size of the configuration. A proxy gets the assignments
 * of the EDS names its gateway's served revision uses (a name of no revision of its gateway is never answered); a name
 * in use with no endpoints yet gets an empty assignment, so ADS never waits on it.
 *
 * <p>SotW: EDS, unlike LDS and CDS, does not need every resource in every response, so a change sends the changed
 * assignment alone. The response version is a content hash of the watch's names and their assignments' versions, the
 * same after a restart, so a reconnecting proxy that has everything is answered nothing; it is kept as a sum of
 * per-name tokens, so one change updates it in constant time; a proxy that missed changes between two requests (it
 * ACKed late) is sent just the names changed since the version it holds, from a log of the last changes. Delta: each
 * assignment's version is its content hash.
 * Every response's version is remembered with what it carried ({@link #carried}) for receipts.
 */
public final class EndpointCache {
  /** Responses remembered for receipts; older ones are forgotten (receipts answer recent changes). */
  private static final int REMEMBERED_RESPONSES = 4096;
  /** Endpoint changes remembered, so a SotW proxy at most this far behind is sent only what it misses. */
  private static final int REMEMBERED_CHANGES = 65_536;

  private final Map<String, EndpointAssignment> assignments = new HashMap<>();
  private final Map<String, Long> tokens = new HashMap<>();
  private final Map<String, Set<String>> namesByGateway = new HashMap<>();
  private final Map<String, Set<String>> gatewaysByName = new HashMap<>();
  private final Map<String, Set<EdsWatch>> watchesByGateway = new HashMap<>();
  private final Map<String, List<EndpointAssignment>> responses = new LinkedHashMap<>(256, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, List<EndpointAssignment>> eldest) {
      return size() > REMEMBERED_RESPONSES;
    }
  };
  private long deltaResponses;
  /** The names of the last endpoint changes, oldest first; {@code changes} counts every change ever. */
  private final ArrayDeque<String> changeLog = new ArrayDeque<>();
  private long changes;
  /** Bumped when a gateway's served names change, which the change log does not record. */
  private final Map<String, Long> servedEpochs = new HashMap<>();
  /** Per {@code <gatewayId>@<SotW version>} sent: {change count, served epoch, hash of the watch's names} then. */
  private final Map<String, long[]> sotwSent = new LinkedHashMap<>(256, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
      return size() > REMEMBERED_RESPONSES;
    }
  };

  // ---- what is served

  /** A cluster's new endpoints: answered to the watches naming it, nothing else. */
  public synchronized void changed(EndpointAssignment assignment) {
    String name = assignment.cluster();
    long before = tokenOf(name);
    assignments.put(name, assignment);
    tokens.put(name, token(name, assignment.version()));
    logChange(name);
    push(name, before);
  }

  /** A cluster without endpoints: a name still in use is served an empty assignment. */
  public synchronized void removed(String name) {
    long before = tokenOf(name);
    assignments.remove(name);
    tokens.remove(name);
    logChange(name);
    push(name, before);
  }

  /** The EDS names a gateway's proxies may get (those of the revision it is served); re-answers its open watches. */
  public synchronized void serve(String gatewayId, Set<String> names) {
    Set<String> before = namesByGateway.getOrDefault(gatewayId, Set.of());
    if (before.equals(names)) {
      return;
    }
    before.forEach(n -> unindex(n, gatewayId));
    servedEpochs.merge(gatewayId, 1L, Long::sum);
    if (names.isEmpty()) {
      namesByGateway.remove(gatewayId);
    } else {
      namesByGateway.put(gatewayId, Set.copyOf(names));
      names.forEach(n -> gatewaysByName.computeIfAbsent(n, k -> new HashSet<>()).add(gatewayId));
    }
    Set<EdsWatch> open = watchesByGateway.get(gatewayId);
    if (open != null) {
      open.removeIf(this::answer);
    }
  }

  /** What the EDS response of that version carried (empty when unknown or forgotten). */
  public synchronized List<EndpointAssignment> carried(String responseVersion) {
    return responses.getOrDefault(responseVersion, List.of());
  }

  // ---- watches (called by the xDS server through XdsCache)

  public synchronized Watch sotwWatch(XdsRequest request, Consumer<Response> responder, boolean clusterChanged) {
    Watch watch = new Watch(true, false, request, responder);
    EdsWatch eds = new EdsWatch(gatewayOf(request.v3Request().getNode()), watch, null,
        new HashSet<>(request.getResourceNamesList()), null);
    // Answered even with nothing new: the first request of a stream (as java-control-plane does for named types), and
    // after a CDS change, since Envoy keeps the changed clusters warming until EDS arrives.
    boolean answerAnyway = clusterChanged || request.getResponseNonce().isEmpty();
    if (answerAnyway ? !respondSotw(eds, eds.names(this)) : !answer(eds)) {
      open(eds);
    }
    return watch;
  }

  public synchronized DeltaWatch deltaWatch(DeltaXdsRequest request, String version, Map<String, String> tracked,
                                            Set<String> pending, boolean wildcard, Consumer<DeltaResponse> responder) {
    DeltaWatch watch = new DeltaWatch(request, tracked, pending, version, wildcard, responder);
    Set<String> names = null;
    if (!wildcard) {
      names = new HashSet<>(tracked.keySet());
      names.addAll(pending);
    }
    EdsWatch eds = new EdsWatch(gatewayOf(request.v3Request().getNode()), null, watch, names,
        new HashMap<>(tracked));
    if (!answer(eds)) {
      open(eds);
    }
    return watch;
  }

  // ---- internals

  /**
   * One open EDS watch: SotW ({@code sotw}, with the token sum of the version its proxy holds) or delta ({@code delta},
   * with the versions its proxy holds). {@code requested} empty or null means every name the gateway serves.
   */
  private static final class EdsWatch {
    final String gatewayId;
    final Watch sotw;
    final DeltaWatch delta;
    final Set<String> requested;
    final Map<String, String> held;
    final long namesHash;
    long sum;

    EdsWatch(String gatewayId, Watch sotw, DeltaWatch delta, Set<String> requested, Map<String, String> held) {
      this.gatewayId = gatewayId;
      this.sotw = sotw;
      this.delta = delta;
      this.requested = requested;
      this.held = held;
      this.namesHash = requested == null ? 0 : requested.hashCode();
    }

    Set<String> names(EndpointCache cache) {
      return requested != null && !requested.isEmpty() ? requested
          : cache.namesByGateway.getOrDefault(gatewayId, Set.of());
    }

    boolean wants(String name) {
      return requested == null || requested.isEmpty() || requested.contains(name);
    }

    boolean cancelled() {
      return sotw != null ? sotw.isCancelled() : delta.isCancelled();
    }
  }

  private void open(EdsWatch eds) {
    watchesByGateway.computeIfAbsent(eds.gatewayId, g -> new HashSet<>()).add(eds);
    Runnable stop = () -> {
      synchronized (this) {
        Set<EdsWatch> open = watchesByGateway.get(eds.gatewayId);
        if (open != null) {
          open.remove(eds);
          if (open.isEmpty()) {
            watchesByGateway.remove(eds.gatewayId);
          }
        }
      }
    };
    if (eds.sotw != null) {
      eds.sotw.setStop(stop);
    } else {
      eds.delta.setStop(stop);
    }
  }

  /** Answers a watch whose proxy lacks something of its names; true when it was answered (the watch is done). */
  private boolean answer(EdsWatch eds) {
    Set<String> names = eds.names(this);
    if (eds.sotw != null) {
      eds.sum = tokenSum(eds.gatewayId, names);
      String held = eds.sotw.request().getVersionInfo();
      if (version(eds.sum).equals(held)) {
        return false;
      }
      List<EndpointAssignment> missed = missedSince(eds, held);
      return missed.isEmpty() ? respondSotw(eds, names) : respond(eds, missed, version(eds.sum));
    }
    Map<String, EndpointAssignment> changed = new LinkedHashMap<>();
    List<String> removed = new ArrayList<>();
    Set<String> served = namesByGateway.getOrDefault(eds.gatewayId, Set.of());
    for (String name : names) {
      if (served.contains(name)) {
        EndpointAssignment a = current(name);
        if (!a.version().equals(eds.held.get(name))) {
          changed.put(name, a);
        }
      } else if (eds.held.containsKey(name)) {
        removed.add(name);
      }
    }
    return (!changed.isEmpty() || !removed.isEmpty()) && respondDelta(eds, changed, removed);
  }

  /**
   * Answers the open watches that name {@code name} with its assignment alone; a SotW version moves by the name's old
   * and new token, so the cost is the number of watches on the name, whatever else they ask for.
   */
  private void push(String name, long tokenBefore) {
    EndpointAssignment a = current(name);
    long tokenAfter = tokenOf(name);
    for (String gatewayId : gatewaysByName.getOrDefault(name, Set.of())) {
      Set<EdsWatch> open = watchesByGateway.get(gatewayId);
      if (open == null) {
        continue;
      }
      open.removeIf(eds -> {
        if (eds.cancelled()) {
          return true;
        }
        if (!eds.wants(name)) {
          return false;
        }
        if (eds.sotw != null) {
          return tokenAfter != tokenBefore && respond(eds, List.of(a), version(eds.sum - tokenBefore + tokenAfter));
        }
        return !a.version().equals(eds.held.get(name)) && respondDelta(eds, Map.of(name, a), List.of());
      });
    }
  }

  private boolean respondSotw(EdsWatch eds, Set<String> names) {
    Set<String> served = namesByGateway.getOrDefault(eds.gatewayId, Set.of());
    List<EndpointAssignment> all = new ArrayList<>();
    for (String name : names) {
      if (served.contains(name)) {
        all.add(current(name));
      }
    }
    return respond(eds, all, version(tokenSum(eds.gatewayId, names)));
  }

  /**
   * What a SotW proxy holding {@code held} (a version this cache sent for the same names while the gateway served the
   * same names) lacks: the assignments of the names changed since; empty when that is not known, so all are sent.
   */
  private List<EndpointAssignment> missedSince(EdsWatch eds, String held) {
    long[] sent = sotwSent.get(eds.gatewayId + "@" + held);
    if (sent == null || sent[1] != servedEpochs.getOrDefault(eds.gatewayId, 0L) || sent[2] != eds.namesHash
        || changes - sent[0] > changeLog.size()) {
      return List.of();
    }
    Set<String> served = namesByGateway.getOrDefault(eds.gatewayId, Set.of());
    Map<String, EndpointAssignment> missed = new LinkedHashMap<>();
    var newestFirst = changeLog.descendingIterator();
    for (long seq = changes; seq > sent[0]; seq--) {
      String name = newestFirst.next();
      if (served.contains(name) && eds.wants(name)) {
        missed.putIfAbsent(name, current(name));
      }
    }
    return List.copyOf(missed.values());
  }

  private void logChange(String name) {
    changeLog.addLast(name);
    changes++;
    if (changeLog.size() > REMEMBERED_CHANGES) {
      changeLog.removeFirst();
    }
  }

  private boolean respond(EdsWatch eds, List<EndpointAssignment> carried, String version) {
    remember(version, carried);
    sotwSent.put(eds.gatewayId + "@" + version,
        new long[] {changes, servedEpochs.getOrDefault(eds.gatewayId, 0L), eds.namesHash});
    try {
      eds.sotw.respond(Response.create(eds.sotw.request(),
          carried.stream().map(EndpointAssignment::assignment).toList(), version));
    } catch (WatchCancelledException e) {
      // The proxy sent a newer request meanwhile; that request's watch answers it.
    }
    return true;
  }

  private boolean respondDelta(EdsWatch eds, Map<String, EndpointAssignment> changed, List<String> removed) {
    String version = "delta-" + (++deltaResponses);
    remember(version, List.copyOf(changed.values()));
    Map<String, VersionedResource<?>> resources = new LinkedHashMap<>();
    changed.forEach((name, a) -> resources.put(name, VersionedResource.create(a.assignment(), a.version())));
    try {
      eds.delta.respond(DeltaResponse.create(eds.delta.request(), resources, removed, version));
    } catch (WatchCancelledException e) {
      // As for SotW: a newer watch of the stream answers.
    }
    return true;
  }

  private void remember(String version, List<EndpointAssignment> carried) {
    List<EndpointAssignment> known = responses.get(version);
    if (known == null || known.size() < carried.size()) {
      // Equal SotW versions mean equal content, so the larger record covers the smaller.
      responses.put(version, carried);
    }
  }

  private EndpointAssignment current(String name) {
    EndpointAssignment a = assignments.get(name);
    return a != null ? a : EndpointAssignment.empty(name);
  }

  /** The sum of the served names' tokens: a pure function of the names and their assignments' versions. */
  private long tokenSum(String gatewayId, Set<String> names) {
    Set<String> served = namesByGateway.getOrDefault(gatewayId, Set.of());
    long sum = 0;
    for (String name : names) {
      if (served.contains(name)) {
        sum += tokenOf(name);
      }
    }
    return sum;
  }

  private static String version(long tokenSum) {
    return "eds-" + Long.toHexString(tokenSum);
  }

  private long tokenOf(String name) {
    Long t = tokens.get(name);
    return t != null ? t : token(name, "");
  }

  /** 64-bit FNV-1a of name and version: cheap, deterministic, and summed without regard to order. */
  private static long token(String name, String version) {
    long h = 0xcbf29ce484222325L;
    for (byte b : (name + '\0' + version).getBytes(StandardCharsets.UTF_8)) {
      h ^= b;
      h *= 0x100000001b3L;
    }
    return h;
  }

  private void unindex(String name, String gatewayId) {
    Set<String> gateways = gatewaysByName.get(name);
    if (gateways != null) {
      gateways.remove(gatewayId);
      if (gateways.isEmpty()) {
        gatewaysByName.remove(name);
      }
    }
  }

  private static String gatewayOf(Node node) {
    return NodeIds.gatewayOf(node);
  }

}
