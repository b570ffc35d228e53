package org.epicgateway.xds.acks;

import io.envoyproxy.controlplane.cache.SnapshotResources;
import io.envoyproxy.controlplane.cache.VersionedResource;
import java.util.List;
import java.util.Map;

/** What a proxy has ACKed (or what a response it NACKed carried) for one resource type. */
public sealed interface AckedState {

  /** True when these are exactly the given snapshot resources' versions (for the names the proxy asked for). */
  boolean matches(SnapshotResources<?> resources, boolean mustCoverAll);

  /** Resource versions by name as far as this state tells them, looked up in the resources it matches. */
  Map<String, String> versions(SnapshotResources<?> resources);

  /** State-of-the-world: the response's version_info for the names the request listed (empty = all). */
  record Sotw(String version, List<String> names) implements AckedState {
    @Override
    public boolean matches(SnapshotResources<?> resources, boolean mustCoverAll) {
      if (mustCoverAll && !names.isEmpty() && !names.containsAll(resources.resources().keySet())) {
        return false;
      }
      return resources.version(names).equals(version);
    }

    @Override
    public Map<String, String> versions(SnapshotResources<?> resources) {
      var result = new java.util.TreeMap<String, String>();
      resources.versionedResources().forEach((name, r) -> {
        if (names.isEmpty() || names.contains(name)) {
          result.put(name, ((VersionedResource<?>) r).version());
        }
      });
      return result;
    }
  }

  /** Delta: the per-resource versions the proxy holds after applying the responses. */
  record Delta(Map<String, String> resourceVersions) implements AckedState {
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

    @Override
    public Map<String, String> versions(SnapshotResources<?> resources) {
      return Map.copyOf(resourceVersions);
    }
  }
}
