package org.epicgateway.xds.acks;

import io.envoyproxy.controlplane.cache.SnapshotResources;
import io.envoyproxy.controlplane.cache.VersionedResource;
import java.util.List;
import java.util.Map;

/** What a proxy has ACKed (or what a response it NACKed carried) for one resource type. */
public sealed interface AckedState {

  /** A type served from the gateway's snapshot: listeners, routes, clusters, secrets. */
  sealed interface OfSnapshot extends AckedState {
    /** True when these are exactly the given snapshot resources' versions (for the names the proxy asked for). */
    boolean matches(SnapshotResources<?> resources, boolean mustCoverAll);
  }

  /** State-of-the-world: the response's version_info for the names the request listed (empty = all). */
  record Sotw(String version, List<String> names) implements OfSnapshot {
    @Override
    public boolean matches(SnapshotResources<?> resources, boolean mustCoverAll) {
      if (mustCoverAll && !names.isEmpty() && !names.containsAll(resources.resources().keySet())) {
        return false;
      }
      return resources.version(names).equals(version);
    }
  }

  /** Delta: the per-resource versions the proxy holds after applying the responses. */
  record Delta(Map<String, String> resourceVersions) implements OfSnapshot {
    @Override
    public boolean matches(SnapshotResources<?> resources, boolean mustCoverAll) {
      var have = resources.versionedResources();
      if (mustCoverAll && !resourceVersions.keySet().equals(have.keySet())) {
        return false;
      }
      for (var e : resourceVersions.entrySet()) {
        VersionedResource<?> r = (VersionedResource<?>) have.get(e.getKey());
        if (r == null || !r.version().equals(e.getValue())) {
          return false;
        }
      }
      return true;
    }
  }

  /**
   * EDS, served per resource (SotW or delta): the version of the response, which the endpoint cache remembers with
   * the assignments it carried. Nothing of the proxy's other endpoints is copied, so an ACK costs the same whatever
   * the number of clusters.
   */
  record Endpoints(String responseVersion) implements AckedState {}
}
