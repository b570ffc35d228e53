package org.epicgateway.provisioner.provider;

/**
 * What a provider observes of one replica. {@code PLACED}: it exists on {@code node} but does not serve yet;
 * {@code READY}: it serves; {@code FAILED}: it cannot run or stopped, {@code reason} says why in words an operator
 * acts on (the provisioner reports it lost with that reason).
 */
public record ReplicaStatus(String instance, String node, Phase phase, String interfaceName, String reason) {
  public enum Phase { PLACED, READY, FAILED }

  public static ReplicaStatus failed(String instance, String node, String reason) {
    return new ReplicaStatus(instance, node, Phase.FAILED, null, reason);
  }
}
