package org.epicgateway.provisioner.local;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A replica's own network namespace, as the original EPIC gave each Envoy one, so replicas on a node are told apart
 * by the node's eBPF: a veth pair joins the node's namespace ({@code hostInterface}, where the agent attaches
 * {@code epic_tag}, whose ifindex is the replica's instance tag) to the replica's ({@code gw0}, holding the gateway
 * address). The node routes the gateway address to its replica; the replica's default route goes back through the
 * node ({@code 169.254.1.1}, the node side of every replica link, as a /32 on each host interface: no address plan
 * per replica), so its connections to endpoints leave tagged and pick their tunnel. Pure: names and commands only.
 * Names derive from the gateway id and instance, so a restarted provider finds the namespace it made.
 */
public record ReplicaNetwork(String nodeNamespace, String namespace, String hostInterface, String address) {
  static final String REPLICA_INTERFACE = "gw0";
  static final String NODE_SIDE = "169.254.1.1", NODE_SIDE6 = "fe80::1";

  public static ReplicaNetwork of(String nodeNamespace, String gatewayId, String instance, String address) {
    String h = hash(gatewayId + "~" + instance);
    // Interface names have at most 15 characters: "epr" + 8 hex digits.
    return new ReplicaNetwork(nodeNamespace, nodeNamespace + "-" + h, "epr" + h, address);
  }

  /** A command and what it reads on its standard input (an {@code ip -batch -} script), or null. */
  public record Step(List<String> command, String input) {
    static Step of(String... command) {
      return new Step(List.of(command), null);
    }
  }

  /**
   * The commands that make the namespace and its link, in order; run only when the namespace does not exist. One
   * {@code ip -batch} per namespace instead of a process per change: at the loads these machines see, each process
   * start costs tens to hundreds of milliseconds, and these are on the way from a created gateway to its advert.
   */
  public List<Step> create() {
    boolean v6 = address.contains(":");
    String family = v6 ? "-6" : "-4", nodeSide = v6 ? NODE_SIDE6 : NODE_SIDE, host = v6 ? "/128" : "/32";
    return List.of(
        Step.of("ip", "netns", "add", namespace),
        new Step(List.of("ip", family, "-n", nodeNamespace, "-batch", "-"), String.join("\n",
            "link add " + hostInterface + " type veth peer name " + REPLICA_INTERFACE + " netns " + namespace,
            "addr add " + nodeSide + host + " dev " + hostInterface,
            "link set " + hostInterface + " up") + "\n"),
        new Step(List.of("ip", family, "-n", namespace, "-batch", "-"), String.join("\n",
            "link set lo up",
            "link set " + REPLICA_INTERFACE + " up",
            "addr add " + address + host + " dev " + REPLICA_INTERFACE,
            "route add " + nodeSide + " dev " + REPLICA_INTERFACE + " scope link",
            "route add default via " + nodeSide + " dev " + REPLICA_INTERFACE) + "\n"),
        Step.of("ip", family, "-n", nodeNamespace, "route", "replace", address + host, "dev", hostInterface),
        Step.of("ip", "netns", "exec", nodeNamespace, "sysctl", "-qw",
            v6 ? "net.ipv6.conf.all.forwarding=1" : "net.ipv4.ip_forward=1"));
  }

  /** Deleting the namespace deletes the veth pair with it, and so the node's route to the replica. */
  public List<String> delete() {
    return List.of("ip", "netns", "del", namespace);
  }

  private static String hash(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
