package org.epicgateway.provisioner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Network namespaces for root tests, named with this test run's pid so two people's runs never collide. Fails
 * (never skips) without root or iproute2.
 */
final class NetNamespaces implements AutoCloseable {
  final String prefix = "lcp" + ProcessHandle.current().pid() + "-";
  private final List<String> created = new ArrayList<>();

  NetNamespaces add(String node) {
    String name = prefix + node;
    String out = run("ip", "netns", "add", name);
    assertThat(out).as("ip netns add %s needs root and iproute2", name).isEmpty();
    created.add(name);
    return this;
  }

  /** Runs a shell command inside a namespace; returns its output (stdout + stderr). */
  String exec(String node, String script) {
    return run("ip", "netns", "exec", prefix + node, "sh", "-c", script);
  }

  static String run(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      p.waitFor();
      return out;
    } catch (IOException e) {
      throw new AssertionError("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    created.forEach(name -> run("ip", "netns", "del", name));
  }
}
