package org.epicgateway.cli.up;

import static org.assertj.core.api.Assertions.assertThat;
import static org.epicgateway.transport.lab.RootSupport.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.epicgateway.cli.lab.LifecycleLab;
import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.schemas.avro.NodeJoined;
import org.epicgateway.schemas.avro.TunnelRemoteLearned;
import org.epicgateway.transport.lab.RootSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 end to end (root), on {@link LifecycleLab}: the services of {@code epic up} on the real broker, a node
 * agent per node with real eBPF and a real BIRD, a router BIRD with ECMP, all in network namespaces. From REST
 * commands alone a connection from the "internet" to the gateway address reaches the workload pod through the GUE
 * tunnel and back. The first EPIC node's agent is a real {@code epic agent run --run-bird} process, so the test can
 * {@code kill -9} it. The lab is built once every node has joined, so the time to the router is the gateway's own
 * (a node joining later gets its replica then: ProvisionerServiceTest); bench/lifecycle measures it repeatedly.
 */
class GatewayLifecycleRootTest {
  @TempDir Path dir;

  @Test
  void restCommandsAloneBringInternetTrafficToThePodThroughEitherEpicNode() throws Exception {
    LifecycleLab lab = LifecycleLab.start(EmbeddedPlatform.sharedForTests(), dir, true);
    try {
      // REST: pool, template with two replicas, account, gateway, route, EndpointSlice on the client node.
      String acme = "acme-" + lab.x, base = "/api/v1/accounts/" + acme;
      LifecycleLab.expect(201, lab.post("/api/v1/pools", "{\"pool\":\"pool-" + lab.x + "\",\"ranges\":[\"203.0.113.8/29\"]}"));
      LifecycleLab.expect(201, lab.post("/api/v1/templates", "{\"template\":\"tmpl-" + lab.x + "\",\"pool\":\"pool-" + lab.x
          + "\",\"replicas\":2,\"shareable\":false,\"envoyBaseConfig\":\"{}\"}"));
      LifecycleLab.expect(201, lab.post("/api/v1/accounts", "{\"account\":\"" + acme + "\"}"));
      long gatewayCreated = System.nanoTime();
      JsonNode gw = LifecycleLab.expect(201, lab.post(base + "/gateways", "{\"name\":\"web\",\"template\":\"tmpl-" + lab.x
          + "\",\"listeners\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"HTTP\"}]}"));
      String address = LifecycleLab.expect(200, lab.get(base + "/gateways/web")).at("/spec/address").asText();
      lab.log.add("gateway created (REST 201): " + gw.path("commandId").asText() + ", address " + address);
      LifecycleLab.expect(201, lab.post(base + "/httproutes", """
          {"name":"web","parentRefs":[{"name":"web"}],"rules":[{"backendRefs":[{"name":"web","port":8080}]}]}"""));
      LifecycleLab.expect(201, lab.post(base + "/endpointslices", lab.slice("web-1", "web", List.of(8080))));

      // Placement, tunnels and adverts: the router learns the gateway address with both EPIC nodes as next hops.
      RootSupport.waitFor("router has " + address + " via both EPIC nodes", 120_000,
          () -> lab.routerRoute(address).contains("198.19.1.1") && lab.routerRoute(address).contains("198.19.2.1"));
      long learnedMs = (System.nanoTime() - gatewayCreated) / 1_000_000;
      lab.log.add("router learned " + address + " " + learnedMs + " ms after the gateway's REST 201: " + lab.routerRoute(address).replace('\n', ' '));
      assertThat(lab.routerRoute(address)).contains("nexthop via 198.19.1.1").contains("nexthop via 198.19.2.1");
      assertThat(run("ip", "-n", lab.router, "route", "show")).doesNotContain("10.77.");
      // Each node routes the gateway address to its replica's own namespace (the node holds no such address).
      for (String node : lab.epic) {
        assertThat(run("ip", "-n", node, "addr", "show")).doesNotContain(address + "/");
        assertThat(run("ip", "-n", node, "route", "show", address + "/32")).contains("dev epr");
        assertThat(LifecycleLab.replicaNamespaces(node)).isNotEmpty();
      }
      lab.log.add("replicas in their own namespaces: " + LifecycleLab.replicaNamespaces(lab.epic[0]) + " " + LifecycleLab.replicaNamespaces(lab.epic[1])
          + "; " + lab.epic[0] + " routes " + run("ip", "-n", lab.epic[0], "route", "show", address + "/32").strip());

      // The internet namespace reaches the pod through a replica and the GUE tunnel, and the answer comes back.
      RootSupport.waitFor("a connection through the gateway reaches the pod", 60_000, () -> lab.reaches(address, 4096) != null);
      String via = lab.reaches(address, 256 * 1024);
      assertThat(via).isNotNull();
      lab.log.add("256 KiB internet -> " + address + ":80 -> stand-in replica on " + via + " -> GUE -> pod " + LifecycleLab.POD + ":8080, digest back");

      // What the agents reported became events of the decider: the nodes joined, each EPIC node learned the client.
      List<Object> nodeEvents = lab.eventsOf(List.of(lab.epic[0], lab.epic[1], lab.client), 30_000, es -> es.stream()
          .filter(TunnelRemoteLearned.class::isInstance).count() >= 2 && es.stream().filter(NodeJoined.class::isInstance).count() >= 3);
      assertThat(nodeEvents).filteredOn(TunnelRemoteLearned.class::isInstance).extracting(e -> ((TunnelRemoteLearned) e).getEpicNode()
          + " " + ((TunnelRemoteLearned) e).getRemoteAddress() + ":" + ((TunnelRemoteLearned) e).getRemotePort())
          .containsExactlyInAnyOrder(lab.epic[0] + " 198.19.3.1:6080", lab.epic[1] + " 198.19.3.1:6080");
      lab.log.add("epic.events: NodeJoined x" + nodeEvents.stream().filter(NodeJoined.class::isInstance).count()
          + ", TunnelRemoteLearned " + nodeEvents.stream().filter(TunnelRemoteLearned.class::isInstance).toList());

      // kill -9 the first EPIC node's agent process: BIRD dies with it (parent-death signal), its BGP session
      // closes, the router withdraws that next hop within 3 s and traffic goes through the other node meanwhile.
      long killAt = System.nanoTime();
      long birdPid = lab.agentProcess().descendants().filter(p -> p.info().command().orElse("").endsWith("/bird")).findFirst()
          .orElseThrow(() -> new AssertionError("no bird child of the agent process")).pid();
      run("kill", "-9", Long.toString(lab.agentProcess().pid()));
      RootSupport.waitFor("router withdrew " + lab.epic[0] + " after its agent was killed", 3_000, () -> !lab.routerRoute(address).contains("198.19.1.1"));
      lab.log.add("agent process of " + lab.epic[0] + " killed (kill -9 " + lab.agentProcess().pid() + "): next hop withdrawn after "
          + (System.nanoTime() - killAt) / 1_000_000 + " ms; its BIRD (pid " + birdPid + ") running: " + LifecycleLab.running(birdPid));
      assertThat(LifecycleLab.running(birdPid)).as("BIRD died with its agent").isFalse();
      assertThat(lab.routerRoute(address)).contains("via 198.19.2.1");
      assertThat(lab.reaches(address, 64 * 1024)).isEqualTo(lab.epic[1]);
      lab.log.add("meanwhile 64 KiB internet -> " + address + ":80 -> " + lab.epic[1] + " -> GUE -> pod, digest back");
      // Restarted: the 5 s bound counts from the agent running (its start line), the JVM's start is logged apart.
      long respawnAt = System.nanoTime(), runningAt = lab.restartEpicAgent(0);
      RootSupport.waitFor("restarted agent process reconverged", 5_000, () -> lab.routerRoute(address).contains("198.19.1.1")
          && lab.routerRoute(address).contains("198.19.2.1") && lab.hasPort(0, 8080));
      lab.log.add("agent process of " + lab.epic[0] + " restarted: running after " + (runningAt - respawnAt) / 1_000_000
          + " ms (JVM start), both next hops and its maps back " + (System.nanoTime() - runningAt) / 1_000_000 + " ms after that");

      // Stop the agent of the node the connection went through: its next hop goes within 3 s, traffic uses the other.
      int stopped = via.equals(lab.epic[0]) ? 0 : 1, other = 1 - stopped;
      String stoppedHop = "198.19." + (stopped + 1) + ".1", otherHop = "198.19." + (other + 1) + ".1";
      long stopAt = System.nanoTime();
      lab.stopEpicAgent(stopped, false);
      RootSupport.waitFor("router withdrew " + lab.epic[stopped], 3_000, () -> !lab.routerRoute(address).contains(stoppedHop));
      lab.log.add("agent of " + lab.epic[stopped] + " stopped: next hop withdrawn after " + (System.nanoTime() - stopAt) / 1_000_000 + " ms");
      assertThat(lab.routerRoute(address)).contains("via " + otherHop);
      assertThat(lab.reaches(address, 64 * 1024)).isEqualTo(lab.epic[other]);
      lab.log.add("meanwhile 64 KiB internet -> " + address + ":80 -> " + lab.epic[other] + " -> GUE -> pod, digest back");

      // Restart it: adverts and maps reconverge within 5 s.
      long restartAt = lab.restartEpicAgent(stopped);
      RootSupport.waitFor("restarted agent reconverged", 5_000, () -> lab.routerRoute(address).contains(stoppedHop)
          && lab.routerRoute(address).contains(otherHop) && lab.hasPort(stopped, 8080));
      lab.log.add("agent of " + lab.epic[stopped] + " restarted: both next hops and its maps back after " + (System.nanoTime() - restartAt) / 1_000_000 + " ms");

      // Stop the replica (the stand-in process the provider started) on the other node: its advert goes, the router
      // withdraws that next hop within 3 s, traffic goes through the restarted agent's node; the provider restarts it.
      String replica = LifecycleLab.standInPid(lab.epic[other], "gateway/" + acme + "/default/web~");
      long replicaStopAt = System.nanoTime();
      run("kill", replica);
      RootSupport.waitFor("router withdrew " + lab.epic[other] + " after its replica stopped", 3_000, () -> !lab.routerRoute(address).contains(otherHop));
      lab.log.add("replica on " + lab.epic[other] + " stopped (kill " + replica + "): next hop withdrawn after " + (System.nanoTime() - replicaStopAt) / 1_000_000 + " ms");
      assertThat(lab.reaches(address, 64 * 1024)).isEqualTo(lab.epic[stopped]);
      RootSupport.waitFor("the replica is back and announced", 90_000, () -> lab.routerRoute(address).contains(otherHop) && lab.routerRoute(address).contains(stoppedHop));
      lab.log.add("replica on " + lab.epic[other] + " restarted by the provider: both next hops after " + (System.nanoTime() - replicaStopAt) / 1_000_000 + " ms");

      // An EndpointSlice change reaches the EPIC nodes' BPF maps and the running stand-in replicas (their upstreams
      // file, as Envoy's xDS): the same processes, so no advert is withdrawn.
      List<String> replicas = List.of(LifecycleLab.standInPid(lab.epic[0], "gateway/" + acme + "/default/web~"),
          LifecycleLab.standInPid(lab.epic[1], "gateway/" + acme + "/default/web~"));
      long sliceChanged = System.nanoTime();
      LifecycleLab.expect(200, lab.put(base + "/endpointslices/web-1", lab.slice("web-1", "web", List.of(8080, 8081))));
      RootSupport.waitFor("port 8081 in both EPIC nodes' endpoint maps", 60_000, () -> lab.hasPort(0, 8081) && lab.hasPort(1, 8081));
      lab.log.add("EndpointSlice change (REST 200) -> endpoint in both nodes' BPF maps: " + (System.nanoTime() - sliceChanged) / 1_000_000 + " ms");
      RootSupport.waitFor("port 8081 in both stand-ins' upstreams", 30_000, () -> replicas.stream().allMatch(pid -> upstreams(pid).contains(":8081")));
      assertThat(List.of(LifecycleLab.standInPid(lab.epic[0], "gateway/" + acme + "/default/web~"),
          LifecycleLab.standInPid(lab.epic[1], "gateway/" + acme + "/default/web~"))).as("not restarted").isEqualTo(replicas);
      assertThat(lab.routerRoute(address)).contains(otherHop).contains(stoppedHop);
      lab.log.add("EndpointSlice change -> both stand-ins' upstreams, same processes (" + replicas + "): " + (System.nanoTime() - sliceChanged) / 1_000_000 + " ms");
    } finally {
      lab.close();
      lab.log.forEach(l -> System.out.println("GatewayLifecycleRootTest: " + l));
    }
  }

  /** A running stand-in's upstreams file (its last argument) as it is now. */
  private static String upstreams(String pid) {
    try {
      String[] args = Files.readString(Path.of("/proc", pid, "cmdline")).split("\0");
      return Files.readString(Path.of(args[args.length - 1]));
    } catch (IOException e) {
      return "";
    }
  }
}
