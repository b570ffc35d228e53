package org.epicgateway.xds;

import static io.envoyproxy.controlplane.cache.Resources.V3.CLUSTER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ENDPOINT_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ROUTE_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.SECRET_TYPE_URL;

import io.envoyproxy.controlplane.cache.SnapshotResources;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.epicgateway.xds.acks.AckListener;
import org.epicgateway.xds.acks.AckedState;
import org.epicgateway.xds.acks.ConfigReports;
import org.epicgateway.xds.acks.ProxyStream;
import org.epicgateway.xds.acks.ProxyTracker;
import org.epicgateway.xds.metrics.XdsMetrics;
import org.epicgateway.xds.receipts.ReceiptArchive;
import org.epicgateway.xds.receipts.Receipts;
import org.epicgateway.xds.revisions.Revision;
import org.epicgateway.xds.revisions.RevisionArchive;
import org.epicgateway.xds.revisions.RevisionHistory;
import org.epicgateway.xds.snapshots.EndpointAssignment;
import org.epicgateway.xds.snapshots.EnvoySnapshot;
import org.epicgateway.xds.snapshots.GatewayConfig;
import org.epicgateway.platform.secrets.CertificateStore;
import org.epicgateway.xds.snapshots.SnapshotPublisher;
import org.epicgateway.xds.snapshots.XdsCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The projector's state machine: derived revisions and endpoints in, snapshots out, proxies' ACKs and NACKs turned
 * into revision history, receipts, reports and automatic rollback (when every connected proxy of a gateway rejects
 * the revision it is served, the newest revision some proxy ran is served again and the bad one is never republished).
 */
public final class XdsProjector implements AckListener {
  private static final Logger LOG = LoggerFactory.getLogger(XdsProjector.class);

  private final XdsCache cache = new XdsCache();
  private final SnapshotPublisher publisher;
  private final RevisionHistory history;
  private final Receipts receipts;
  private final ProxyTracker tracker = new ProxyTracker(this);
  private final ConfigReports reports;
  private final RevisionArchive archive;
  private final ReceiptArchive receiptArchive;
  private final XdsMetrics metrics;
  private final Clock clock;

  public XdsProjector(ConfigReports reports, RevisionArchive archive, ReceiptArchive receiptArchive,
                      XdsMetrics metrics, int revisionsPerGateway, int receiptCommands, Clock clock) {
    this(reports, archive, receiptArchive, metrics, revisionsPerGateway, receiptCommands, clock, CertificateStore.NONE);
  }

  /** A projector serving HTTPS listeners' certificates from {@code certificates}, following its changes. */
  public XdsProjector(ConfigReports reports, RevisionArchive archive, ReceiptArchive receiptArchive,
                      XdsMetrics metrics, int revisionsPerGateway, int receiptCommands, Clock clock,
                      CertificateStore certificates) {
    this.publisher = new SnapshotPublisher(cache, certificates);
    certificates.onChange(this::certificateChanged);
    this.reports = reports;
    this.archive = archive;
    this.receiptArchive = receiptArchive;
    this.metrics = metrics;
    this.history = new RevisionHistory(revisionsPerGateway);
    this.receipts = new Receipts(receiptCommands);
    this.clock = clock;
  }

  public XdsCache cache() {
    return cache;
  }

  public ProxyTracker tracker() {
    return tracker;
  }

  public XdsMetrics metrics() {
    return metrics;
  }

  // ---- input from the derived topics ----

  /** A gateway's latest derived revision. A revision that proxies rejected before is not served again. */
  public synchronized void configChanged(GatewayConfig config) {
    String gatewayId = config.gatewayId();
    Optional<Revision> known = history.find(gatewayId, config.version());
    if (known.isPresent() && known.get().tainted()) {
      LOG.warn("gateway {}: revision {} was rolled back before; not serving it again", gatewayId, config.version());
      if (publisher.published(gatewayId) == null) {
        // First sight since a restart: serve what the rollback chose.
        history.lastGood(gatewayId, known.get()).ifPresent(good -> publisher.publish(good.snapshot()));
      }
      return;
    }
    Revision revision = known.orElseGet(() -> {
      Revision created = history.record(gatewayId, publisher.assemble(config), clock.millis());
      archive.keep(config, created.createdAt(), false, false);
      history.trim(gatewayId).forEach(old -> archive.forget(gatewayId, old.version()));
      return created;
    });
    publisher.publish(revision.snapshot());
  }

  /** Puts an archived revision back into the history at start, before the topics are read; serves nothing. */
  public synchronized void restore(GatewayConfig config, long createdAt, boolean everApplied, boolean rolledBack) {
    history.restore(config.gatewayId(), publisher.assemble(config), createdAt, everApplied, rolledBack);
  }

  /** Puts a kept receipt entry back at start, before proxies connect. */
  public synchronized void restoreReceipt(String commandId, Receipts.Ack ack) {
    receipts.acked(commandId, ack);
  }

  public synchronized void gatewayRemoved(String gatewayId) {
    publisher.remove(gatewayId);
    history.remove(gatewayId);
  }

  public synchronized void endpointsChanged(EndpointAssignment assignment) {
    publisher.endpointsChanged(assignment);
  }

  public synchronized void endpointsRemoved(String cluster) {
    publisher.endpointsRemoved(cluster);
  }

  /** A certificate was stored, replaced or removed: the gateways naming it get their secrets again (SDS only). */
  public synchronized void certificateChanged(String name) {
    publisher.certificateChanged(name);
  }

  // ---- what proxies report ----

  @Override
  public void connected(ProxyStream stream) {
    LOG.info("proxy {} connected for gateway {} ({})", stream.nodeId(), stream.gatewayId(),
        stream.delta() ? "delta" : "sotw");
  }

  @Override
  public synchronized void acked(ProxyStream stream, String typeUrl, long sendToAckNanos) {
    metrics.acked(typeUrl, sendToAckNanos);
    String gatewayId = stream.gatewayId();
    long now = clock.millis();
    if (typeUrl.equals(ENDPOINT_TYPE_URL)) {
      endpointReceipts(stream, now);
      return;
    }
    List<Revision> revisions = history.of(gatewayId);
    for (int i = 0; i < revisions.size(); i++) {
      Revision revision = revisions.get(i);
      if (revision.tainted() || !runs(stream, revision.snapshot())) {
        continue;
      }
      Optional<Revision> before = revisions.stream().filter(r -> r.runsOn(stream.nodeId()))
          .findFirst();
      boolean firstRun = !revision.everApplied();
      if (history.running(gatewayId, stream.nodeId(), revision, now)) {
        if (firstRun) {
          archive.keep(revision.config(), revision.createdAt(), true, false);
        }
        reports.applied(gatewayId, stream.nodeId(), revision.version(), revision.config().sourceCommandIds());
        // Configuration is cumulative: a proxy that skipped revisions (coalesced pushes) runs their commands too.
        for (Revision included : revisions.subList(i, revisions.size())) {
          if (before.isPresent() && included == before.get()) {
            break;
          }
          if (!included.tainted()) {
            for (String commandId : included.config().sourceCommandIds()) {
              credit(commandId, new Receipts.Ack(stream.nodeId(), gatewayId, "revision " + revision.version(),
                  now));
            }
          }
        }
      }
      return;
    }
  }

  @Override
  public synchronized void rejected(ProxyStream stream, String typeUrl, AckedState rejected, String errorDetail) {
    String gatewayId = stream.gatewayId();
    if (typeUrl.equals(ENDPOINT_TYPE_URL)) {
      EnvoySnapshot served = publisher.published(gatewayId);
      if (served != null) {
        reports.rejected(gatewayId, stream.nodeId(), served.config().version(), typeUrl, errorDetail);
      }
      return;
    }
    Optional<Revision> found = history.of(gatewayId).stream()
        .filter(r -> rejected instanceof AckedState.OfSnapshot s && s.matches(resources(r.snapshot(), typeUrl), false))
        .findFirst();
    if (found.isEmpty()) {
      LOG.warn("proxy {} rejected {} of gateway {} that matches no known revision: {}", stream.nodeId(), typeUrl,
          gatewayId, errorDetail);
      return;
    }
    Revision revision = found.get();
    if (revision.markRejectedBy(stream.nodeId(), errorDetail)) {
      reports.rejected(gatewayId, stream.nodeId(), revision.version(), typeUrl, errorDetail);
    }
    rollBackIfRejectedByAll(gatewayId, revision, errorDetail);
  }

  @Override
  public synchronized void disconnected(ProxyStream stream) {
    boolean stillConnected = tracker.streams().stream().anyMatch(s -> s.nodeId().equals(stream.nodeId()));
    if (!stillConnected) {
      history.disconnected(stream.gatewayId(), stream.nodeId());
    }
  }

  // ---- queries ----

  /** Revisions of a gateway, newest first, with what each proxy runs. */
  public synchronized List<RevisionView> revisions(String gatewayId) {
    EnvoySnapshot served = publisher.published(gatewayId);
    List<RevisionView> views = new ArrayList<>();
    for (Revision r : history.of(gatewayId)) {
      boolean isServed = served != null && served.config().version().equals(r.version());
      views.add(new RevisionView(r.version(), r.createdAt(), isServed, r.tainted(), r.config().sourceCommandIds(),
          new TreeSet<>(r.appliedBy().keySet()), r.rejectedBy()));
    }
    return views;
  }

  /** Which proxies ACKed configuration containing the command, and which connected ones have not (yet). */
  public synchronized ReceiptView receipt(String commandId) {
    List<Receipts.Ack> acked = receipts.of(commandId);
    Set<String> gateways = new LinkedHashSet<>();
    acked.forEach(a -> gateways.add(a.gatewayId()));
    Set<String> ackedNodes = new TreeSet<>();
    acked.forEach(a -> ackedNodes.add(a.nodeId()));
    Set<String> pending = new TreeSet<>();
    for (ProxyStream s : tracker.streams()) {
      if (gateways.contains(s.gatewayId()) && !ackedNodes.contains(s.nodeId())) {
        pending.add(s.nodeId());
      }
    }
    return new ReceiptView(commandId, acked, pending);
  }

  public record RevisionView(String version, long createdAt, boolean served, boolean rolledBack,
                             List<String> sourceCommandIds, Set<String> runningOn, Map<String, String> rejectedBy) {}

  public record ReceiptView(String commandId, List<Receipts.Ack> acked, Set<String> pending) {}

  // ---- internals ----

  private void rollBackIfRejectedByAll(String gatewayId, Revision revision, String errorDetail) {
    EnvoySnapshot served = publisher.published(gatewayId);
    if (served == null || !served.config().version().equals(revision.version())) {
      return; // already replaced by a newer revision or a rollback
    }
    Set<String> connected = new TreeSet<>();
    tracker.streams().stream().filter(s -> s.gatewayId().equals(gatewayId)).forEach(s -> connected.add(s.nodeId()));
    if (!revision.rejectedBy().keySet().containsAll(connected)) {
      return;
    }
    history.taint(revision);
    archive.keep(revision.config(), revision.createdAt(), revision.everApplied(), true);
    Optional<Revision> good = history.lastGood(gatewayId, revision);
    if (good.isEmpty()) {
      LOG.warn("gateway {}: every proxy rejected revision {} and no earlier revision ever ran; nothing to roll back to",
          gatewayId, revision.version());
      return;
    }
    publisher.publish(good.get().snapshot());
    metrics.rolledBack();
    reports.rolledBack(gatewayId, revision.version(), good.get().version(),
        "rejected by all " + connected.size() + " connected proxies: " + errorDetail);
  }

  /**
   * A proxy runs a revision when its ACKed listeners, clusters and routes are that revision's. Secrets are not part
   * of a revision: a certificate rotates on its own (the revision only names it), so an SDS ACK credits nothing.
   */
  private static boolean runs(ProxyStream stream, EnvoySnapshot snapshot) {
    for (String type : List.of(LISTENER_TYPE_URL, CLUSTER_TYPE_URL)) {
      if (!(stream.acked(type) instanceof AckedState.OfSnapshot acked)
          || !acked.matches(resources(snapshot, type), true)) {
        return false;
      }
    }
    AckedState routes = stream.acked(ROUTE_TYPE_URL);
    if (routes == null) {
      return snapshot.routes().resources().isEmpty();
    }
    return routes instanceof AckedState.OfSnapshot s && s.matches(resources(snapshot, ROUTE_TYPE_URL), false);
  }

  /** A receipt entry, kept on the archive when it is new, so receipts survive a restart. */
  private void credit(String commandId, Receipts.Ack ack) {
    if (receipts.acked(commandId, ack)) {
      receiptArchive.keep(commandId, ack);
    }
  }

  /** Credits the commands of the assignments the ACKed EDS response carried (it alone, not the proxy's others). */
  private void endpointReceipts(ProxyStream stream, long now) {
    if (!(stream.acked(ENDPOINT_TYPE_URL) instanceof AckedState.Endpoints acked)) {
      return;
    }
    for (EndpointAssignment assignment : cache.endpoints().carried(acked.responseVersion())) {
      for (String commandId : assignment.sourceCommandIds()) {
        credit(commandId, new Receipts.Ack(stream.nodeId(), stream.gatewayId(),
            "endpoints " + assignment.cluster() + "@" + assignment.version(), now));
      }
    }
  }

  private static SnapshotResources<?> resources(EnvoySnapshot snapshot, String typeUrl) {
    return switch (typeUrl) {
      case LISTENER_TYPE_URL -> snapshot.listeners();
      case CLUSTER_TYPE_URL -> snapshot.clusters();
      case ROUTE_TYPE_URL -> snapshot.routes();
      case SECRET_TYPE_URL -> snapshot.secrets();
      default -> throw new IllegalArgumentException("unknown xDS type " + typeUrl);
    };
  }
}
