package org.epicgateway.xds.revisions;

import java.util.LinkedHashMap;
import java.util.Map;
import org.epicgateway.xds.snapshots.EnvoySnapshot;
import org.epicgateway.xds.snapshots.GatewayConfig;

/** One distinct configuration of a gateway and what its proxies made of it. Guarded by the history's owner. */
public final class Revision {
  private final EnvoySnapshot snapshot;
  private final long createdAt;
  private boolean tainted;
  private final Map<String, Long> appliedBy = new LinkedHashMap<>();
  private final Map<String, String> rejectedBy = new LinkedHashMap<>();
  private boolean everApplied;

  Revision(EnvoySnapshot snapshot, long createdAt) {
    this.snapshot = snapshot;
    this.createdAt = createdAt;
  }

  public EnvoySnapshot snapshot() { return snapshot; }
  public GatewayConfig config() { return snapshot.config(); }
  public String version() { return snapshot.config().version(); }
  public long createdAt() { return createdAt; }
  public boolean tainted() { return tainted; }
  public boolean everApplied() { return everApplied; }
  /** Proxies (node ids) running this revision now, with when they ACKed it. */
  public Map<String, Long> appliedBy() { return Map.copyOf(appliedBy); }
  public boolean runsOn(String nodeId) {
    return appliedBy.containsKey(nodeId);
  }

  /** Proxies that NACKed this revision, with Envoy's error detail. */
  public Map<String, String> rejectedBy() { return Map.copyOf(rejectedBy); }

  /** Returns true the first time this proxy applies the revision. */
  boolean markApplied(String nodeId, long at) {
    everApplied = true;
    rejectedBy.remove(nodeId);
    return appliedBy.putIfAbsent(nodeId, at) == null;
  }

  void markEverApplied() {
    everApplied = true;
  }

  void markNotRunning(String nodeId) {
    appliedBy.remove(nodeId);
  }

  /** Returns true the first time this proxy rejects the revision. */
  public boolean markRejectedBy(String nodeId, String errorDetail) {
    return rejectedBy.put(nodeId, errorDetail) == null;
  }

  void taint() {
    tainted = true;
  }
}
