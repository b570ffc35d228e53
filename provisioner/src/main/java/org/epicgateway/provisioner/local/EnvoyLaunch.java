package org.epicgateway.provisioner.local;

import java.nio.file.Path;
import java.util.List;
import org.epicgateway.provisioner.provider.EnvoyBootstrap;
import org.epicgateway.provisioner.provider.ReplicaSpec;

/**
 * What the local provider runs for one Envoy replica, pure: the bootstrap (xDS node id {@code <gatewayId>~<instance>},
 * ADS to the xds-projector, admin on a Unix socket in the replica's directory), where it goes, and Envoy's command
 * line. {@code --base-id} differs per replica because several Envoys share one node's namespace and host, and Envoy's
 * shared-memory region is named by it.
 *
 * @param dir the replica's work directory (bootstrap, admin socket, log)
 */
public record EnvoyLaunch(Path bootstrapFile, String bootstrap, Path adminSocket, List<String> command) {
  public static EnvoyLaunch of(Path envoy, ReplicaSpec spec, String instance, Path dir) {
    Path bootstrapFile = dir.resolve("bootstrap.yaml"), admin = dir.resolve("admin.sock");
    String bootstrap = EnvoyBootstrap.yaml(spec.nodeId(instance), spec.gatewayId(), spec.xdsHost(), spec.xdsPort(), admin.toString());
    List<String> command = List.of(envoy.toString(), "-c", bootstrapFile.toString(),
        "--base-id", Integer.toString(Math.floorMod((spec.gatewayId() + instance).hashCode(), 1 << 20)));
    return new EnvoyLaunch(bootstrapFile, bootstrap, admin, command);
  }
}
