package org.epicgateway.provisioner.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.epicgateway.provisioner.provider.ReplicaSpec;
import org.epicgateway.provisioner.provider.ReplicaStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local provider for real (root): replicas are processes in namespaces of their own behind their node's, the stand-in
 * forwards TCP to its upstream and follows new upstreams without a restart, a killed replica is reported with its
 * exit code, and a node without a namespace is a reason, not an exception.
 */
class LocalProviderTest {
  @TempDir
  Path work;

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    p.waitFor();
    return out;
  }

  private static List<ReplicaStatus> until(LocalProvider provider, ReplicaSpec spec, ReplicaStatus.Phase phase)
      throws InterruptedException {
    List<ReplicaStatus> s = provider.apply(spec);
    for (int i = 0; i < 60 && s.stream().anyMatch(r -> r.phase() != phase); i++) {
      Thread.sleep(250);
      s = provider.apply(spec);
    }
    return s;
  }

  @Test
  void standInRunsInItsOwnNamespaceBehindItsNodeForwardsAndIsReportedWhenItDies() throws Exception {
    String ns = "lcl" + ProcessHandle.current().pid() + "-epic-x";
    assertThat(run("ip", "netns", "add", ns)).as("needs root and iproute2").isEmpty();
    try (LocalProvider provider = new LocalProvider(
        new LocalProvider.Settings("lcl" + ProcessHandle.current().pid() + "-", true, work), Optional.empty())) {
      ReplicaSpec upstream = new ReplicaSpec("gateway/acme/default/up", 1, Map.of("r0", "epic-x"), "192.0.2.50",
          List.of(9090), "public", List.of(), "127.0.0.1", 18000);
      ReplicaSpec web = new ReplicaSpec("gateway/acme/default/web", 1, Map.of("r0", "epic-x"), "192.0.2.1",
          List.of(8080), "public", List.of("192.0.2.50:9090"), "127.0.0.1", 18000);
      ReplicaNetwork up = ReplicaNetwork.of(ns, "gateway/acme/default/up", "r0", "192.0.2.50");
      ReplicaNetwork webNet = ReplicaNetwork.of(ns, "gateway/acme/default/web", "r0", "192.0.2.1");
      assertThat(until(provider, upstream, ReplicaStatus.Phase.READY)).containsExactly(
          new ReplicaStatus("r0", "epic-x", ReplicaStatus.Phase.READY, up.hostInterface(), null));
      assertThat(until(provider, web, ReplicaStatus.Phase.READY)).extracting(ReplicaStatus::phase)
          .containsExactly(ReplicaStatus.Phase.READY);

      // From the node's namespace through the gateway address (routed to the web replica's namespace) to the
      // upstream replica (routed to its own), which answers who it is.
      String answer = run("ip", "netns", "exec", ns, "bash", "-c",
          "exec 3<>/dev/tcp/192.0.2.1/8080; timeout 5 cat <&3");
      assertThat(answer).isEqualTo("epic stand-in proxy gateway/acme/default/up~r0: no upstream endpoint");

      assertThat(run("ip", "netns", "pids", ns)).as("no replica in the node's own namespace").isEmpty();
      String pid = run("ip", "netns", "pids", webNet.namespace()) + "\n" + run("ip", "netns", "pids", up.namespace());
      assertThat(pid.lines()).hasSize(2);
      for (String p : pid.lines().toList()) {
        ProcessHandle process = ProcessHandle.of(Long.parseLong(p)).orElseThrow();
        process.destroyForcibly();
        process.onExit().get(10, TimeUnit.SECONDS);
      }
      // The provider learns of the exit from its own process reaper, a moment after the handle's: the first FAILED
      // answer is the report (apply starts a failed replica again on the call after it).
      List<ReplicaStatus> afterKill = provider.apply(web);
      for (int i = 0; i < 40 && afterKill.stream().noneMatch(r -> r.phase() == ReplicaStatus.Phase.FAILED); i++) {
        Thread.sleep(250);
        afterKill = provider.apply(web);
      }
      assertThat(afterKill).singleElement().satisfies(s -> {
        assertThat(s.phase()).isEqualTo(ReplicaStatus.Phase.FAILED);
        assertThat(s.reason()).startsWith("the stand-in proxy exited with code 137");
      });

      provider.remove("gateway/acme/default/web");
      provider.remove("gateway/acme/default/up");
      assertThat(run("ip", "netns", "list")).doesNotContain(webNet.namespace()).doesNotContain(up.namespace());
      // The kernel frees a deleted namespace, and the veth with it, in a work queue after `ip netns del` returns.
      String links = run("ip", "-n", ns, "link", "show");
      for (int i = 0; i < 50 && links.contains(webNet.hostInterface()); i++) {
        Thread.sleep(100);
        links = run("ip", "-n", ns, "link", "show");
      }
      assertThat(links).doesNotContain(webNet.hostInterface());

      ReplicaSpec elsewhere = new ReplicaSpec("gateway/acme/default/web", 1, Map.of("r0", "epic-nowhere"),
          "192.0.2.1", List.of(8080), "public", List.of(), "127.0.0.1", 18000);
      assertThat(provider.apply(elsewhere)).singleElement().satisfies(s -> assertThat(s.reason())
          .contains("network namespace lcl" + ProcessHandle.current().pid() + "-epic-nowhere of node epic-nowhere"
              + " does not exist"));
    } finally {
      run("ip", "netns", "del", ns);
    }
  }

  @Test
  void standInTakesNewUpstreamsWithoutARestartAndKeepsTheLastGoodListOnAGarbledFile() throws Exception {
    String prefix = "lcu" + ProcessHandle.current().pid() + "-";
    String ns = prefix + "epic-y";
    assertThat(run("ip", "netns", "add", ns)).as("needs root and iproute2").isEmpty();
    try (LocalProvider provider = new LocalProvider(new LocalProvider.Settings(prefix, true, work), Optional.empty())) {
      // Two upstream replicas that answer who they are (they have no upstream of their own).
      for (String name : List.of("a", "b")) {
        ReplicaSpec upstream = new ReplicaSpec("gateway/acme/default/" + name, 1, Map.of("r0", "epic-y"),
            name.equals("a") ? "192.0.2.60" : "192.0.2.61", List.of(9090), "public", List.of(), "127.0.0.1", 18000);
        assertThat(until(provider, upstream, ReplicaStatus.Phase.READY)).extracting(ReplicaStatus::phase)
            .containsExactly(ReplicaStatus.Phase.READY);
      }
      ReplicaSpec toA = new ReplicaSpec("gateway/acme/default/front", 1, Map.of("r0", "epic-y"), "192.0.2.2",
          List.of(8080), "public", List.of("192.0.2.60:9090"), "127.0.0.1", 18000);
      ReplicaSpec toB = new ReplicaSpec(toA.gatewayId(), 1, toA.replicas(), toA.address(), toA.ports(), toA.network(),
          List.of("192.0.2.61:9090"), "127.0.0.1", 18000);
      assertThat(until(provider, toA, ReplicaStatus.Phase.READY)).extracting(ReplicaStatus::phase)
          .containsExactly(ReplicaStatus.Phase.READY);
      String front = ReplicaNetwork.of(ns, toA.gatewayId(), "r0", toA.address()).namespace();
      String pid = run("ip", "netns", "pids", front);
      String fromA = "epic stand-in proxy gateway/acme/default/a~r0: no upstream endpoint";
      String fromB = "epic stand-in proxy gateway/acme/default/b~r0: no upstream endpoint";
      assertThat(connect(ns)).isEqualTo(fromA);

      // New upstreams: the same process, ready on every pass, and new connections reach the new upstream.
      provider.changed(); // the READY lines so far
      String answer = "";
      for (int i = 0; i < 50 && !answer.equals(fromB); i++) {
        assertThat(provider.apply(toB)).extracting(ReplicaStatus::phase).containsExactly(ReplicaStatus.Phase.READY);
        answer = connect(ns);
        Thread.sleep(100);
      }
      assertThat(answer).isEqualTo(fromB);
      assertThat(run("ip", "netns", "pids", front)).isEqualTo(pid).isNotEmpty();
      assertThat(provider.changed()).as("no READY printed again, no exit").isFalse();

      // A garbled file (not the provider's doing) keeps the last good list, and the replica says so.
      Path dir = work.resolve("gateway_acme_default_front").resolve("r0");
      Files.writeString(dir.resolve("upstreams.new"), "192.0.2.60:90x90\n");
      Files.move(dir.resolve("upstreams.new"), dir.resolve("upstreams"), StandardCopyOption.ATOMIC_MOVE);
      String log = "";
      for (int i = 0; i < 50 && !log.contains("keeping"); i++) {
        Thread.sleep(100);
        log = Files.readString(dir.resolve("replica.log"));
      }
      assertThat(log).contains("line '192.0.2.60:90x90' is not host:port; keeping [/192.0.2.61:9090]");
      assertThat(connect(ns)).isEqualTo(fromB);
      assertThat(run("ip", "netns", "pids", front)).isEqualTo(pid);
    } finally {
      run("ip", "netns", "del", ns);
    }
  }

  /** A connection from the node's namespace to the front gateway: what comes back. */
  private static String connect(String ns) throws Exception {
    return run("ip", "netns", "exec", ns, "bash", "-c", "exec 3<>/dev/tcp/192.0.2.2/8080; timeout 5 cat <&3");
  }
}
