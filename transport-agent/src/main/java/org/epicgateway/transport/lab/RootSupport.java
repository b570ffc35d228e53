package org.epicgateway.transport.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * For tests that need root, network namespaces and the compiled bpf/ object. They fail (never skip) when the
 * machine cannot run them, naming what is missing.
 */
public final class RootSupport {
  private RootSupport() {}

  public static void requireRootAndTools(String... tools) {
    if (!"root".equals(System.getProperty("user.name")) && !uid0()) {
      throw new AssertionError("this test needs root (network namespaces, BPF); run the build as root");
    }
    for (String tool : tools) {
      if (!onPath(tool)) throw new AssertionError("this test needs '" + tool + "' on PATH (see .ci/run for the packages)");
    }
  }

  private static boolean uid0() {
    try {
      return Files.readAllLines(Path.of("/proc/self/status")).stream()
          .anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[1].equals("0"));
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) return true;
    }
    return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/sbin", tool));
  }

  /** The repository root (the directory holding bpf/ and transport-agent/). */
  public static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve("bpf"))) p = p.getParent();
    if (p == null) throw new AssertionError("cannot find the repository root (a directory with bpf/) above " + Path.of("").toAbsolutePath());
    return p;
  }

  /** Builds (make, incremental) and returns bpf/target/epic_tc.bpf.o. */
  public static Path bpfObject() {
    Path root = repoRoot();
    run("make", "-s", "-C", root.resolve("bpf").toString(), "target/epic_tc.bpf.o");
    return root.resolve("bpf/target/epic_tc.bpf.o");
  }

  /** A short unique suffix for namespace, interface and pin names (interface names have 15 characters at most). */
  public static String uniqueSuffix() {
    return Integer.toString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff), 36);
  }

  /** Runs a command, returns its output; fails with the command and its output when the exit code is not 0. */
  public static String run(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("timed out: " + String.join(" ", cmd));
      }
      if (p.exitValue() != 0) throw new AssertionError("failed (" + p.exitValue() + "): " + String.join(" ", cmd) + "\n" + out);
      return out;
    } catch (IOException e) {
      throw new AssertionError("cannot run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted: " + String.join(" ", cmd), e);
    }
  }

  /** A veth pair between two namespaces, each end with its address (with prefix length) and up. */
  public static void link(String ns1, String if1, String addr1, String ns2, String if2, String addr2) {
    run("ip", "link", "add", if1, "netns", ns1, "type", "veth", "peer", "name", if2, "netns", ns2);
    run("ip", "-n", ns1, "addr", "add", addr1, "dev", if1);
    run("ip", "-n", ns2, "addr", "add", addr2, "dev", if2);
    run("ip", "-n", ns1, "link", "set", if1, "up");
    run("ip", "-n", ns2, "link", "set", if2, "up");
  }

  /** Polls {@code condition} every 50 ms; fails naming {@code what} after {@code ms}. */
  public static void waitFor(String what, long ms, java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.currentTimeMillis() + ms;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) throw new AssertionError("timed out after " + ms + " ms waiting for: " + what);
      Thread.sleep(50);
    }
  }

  /** Runs a command, ignoring failure (cleanup of things that may not exist). */
  public static void runQuietly(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      p.waitFor(60, TimeUnit.SECONDS);
    } catch (IOException e) {
      // cleanup best effort: the resource did not exist or the tool is gone
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Namespaces and pin directories a test created, removed in reverse order by {@link #close()}. */
  public static final class Scratch implements AutoCloseable {
    private final List<Runnable> cleanups = new ArrayList<>();

    public String netns(String name) {
      run("ip", "netns", "add", name);
      cleanups.add(() -> runQuietly("ip", "netns", "delete", name));
      run("ip", "-n", name, "link", "set", "lo", "up");
      return name;
    }

    public Path pinDir(String name) {
      Path dir = Path.of("/sys/fs/bpf", name);
      cleanups.add(() -> runQuietly("rm", "-rf", dir.toString()));
      return dir;
    }

    public void onClose(Runnable r) {
      cleanups.add(r);
    }

    @Override
    public void close() {
      List<Runnable> reversed = new ArrayList<>(cleanups);
      Collections.reverse(reversed);
      // Every cleanup runs even when an earlier one fails, so namespaces never outlive the test.
      RuntimeException first = null;
      for (Runnable r : reversed) {
        try {
          r.run();
        } catch (RuntimeException e) {
          if (first == null) first = e;
          else first.addSuppressed(e);
        }
      }
      if (first != null) throw first;
    }
  }
}
