package org.epicgateway.xds.revisions;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.epicgateway.xds.snapshots.EnvoySnapshot;

/**
 * The distinct configurations each gateway has had, newest first, bounded per gateway (Marin3r kept 10; we keep a
 * configurable number). Not thread-safe: the projector owns it under its lock.
 */
public final class RevisionHistory {
  private final int keepPerGateway;
  private final Map<String, Deque<Revision>> byGateway = new HashMap<>();

  public RevisionHistory(int keepPerGateway) {
    if (keepPerGateway < 2) {
      throw new IllegalArgumentException("keepPerGateway must be at least 2 to allow a rollback, got "
          + keepPerGateway);
    }
    this.keepPerGateway = keepPerGateway;
  }

  /** Records a revision (or returns the one already recorded with the same version). */
  public Revision record(String gatewayId, EnvoySnapshot snapshot, long now) {
    Deque<Revision> revisions = byGateway.computeIfAbsent(gatewayId, g -> new ArrayDeque<>());
    Optional<Revision> existing = find(gatewayId, snapshot.config().version());
    if (existing.isPresent()) {
      return existing.get();
    }
    Revision revision = new Revision(snapshot, now);
    revisions.addFirst(revision);
    return revision;
  }

  /** Puts back a revision from the archive (oldest first), with what the event log says proxies did with it. */
  public Revision restore(String gatewayId, EnvoySnapshot snapshot, long createdAt, boolean everApplied,
                          boolean tainted) {
    Revision revision = record(gatewayId, snapshot, createdAt);
    if (everApplied) {
      revision.markEverApplied();
    }
    if (tainted) {
      revision.taint();
    }
    return revision;
  }

  /** Drops the oldest revisions beyond the bound; returns them so the archive can forget them too. */
  public List<Revision> trim(String gatewayId) {
    Deque<Revision> revisions = byGateway.getOrDefault(gatewayId, new ArrayDeque<>());
    List<Revision> dropped = new ArrayList<>();
    while (revisions.size() > keepPerGateway) {
      dropped.add(revisions.removeLast());
    }
    return dropped;
  }

  public Optional<Revision> find(String gatewayId, String version) {
    return of(gatewayId).stream().filter(r -> r.version().equals(version)).findFirst();
  }

  /** Newest first. */
  public List<Revision> of(String gatewayId) {
    Deque<Revision> revisions = byGateway.get(gatewayId);
    return revisions == null ? List.of() : new ArrayList<>(revisions);
  }

  /** The newest revision other than {@code bad} that some proxy ran and nobody tainted. */
  public Optional<Revision> lastGood(String gatewayId, Revision bad) {
    return of(gatewayId).stream()
        .filter(r -> r != bad && !r.tainted() && r.everApplied())
        .findFirst();
  }

  /** Marks what a proxy runs now; returns true the first time it runs this revision. */
  public boolean running(String gatewayId, String nodeId, Revision revision, long now) {
    for (Revision r : of(gatewayId)) {
      if (r != revision) {
        r.markNotRunning(nodeId);
      }
    }
    return revision.markApplied(nodeId, now);
  }

  public void disconnected(String gatewayId, String nodeId) {
    of(gatewayId).forEach(r -> r.markNotRunning(nodeId));
  }

  public void taint(Revision revision) {
    revision.taint();
  }

  public void remove(String gatewayId) {
    byGateway.remove(gatewayId);
  }
}
