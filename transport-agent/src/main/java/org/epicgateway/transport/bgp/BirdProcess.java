package org.epicgateway.transport.bgp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.epicgateway.transport.bgp.BirdControl.BirdException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * BIRD 2 as the agent's child, living exactly as long as the agent. A BIRD started on its own keeps its BGP
 * sessions up (keepalives, BFD) whatever happens to the agent, so no hold or BFD timer can tell a router that the
 * agent died: after a {@code kill -9} the node would go on announcing gateways nobody maintains. So BIRD is started
 * with a parent-death signal ({@code setpriv --pdeathsig KILL}, kept across the exec of {@code ip netns exec} and
 * {@code bird}): when the agent dies, however it dies, the kernel kills BIRD, closes its sessions' TCP connections
 * and every router withdraws the node's routes at once. The kernel sends that signal when the <em>thread</em> that
 * started the child ends, so one thread of this class starts BIRD and waits for it for as long as it runs.
 */
public final class BirdProcess implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BirdProcess.class);
  public static final Path DEFAULT_BIRD = Path.of("/usr/sbin/bird");
  static final Path SETPRIV = Path.of("/usr/bin/setpriv");

  private final Process process;
  private final Thread waiter;
  private volatile boolean closing;

  private BirdProcess(Process process, Thread waiter) {
    this.process = process;
    this.waiter = waiter;
  }

  /**
   * The command line of the node's BIRD: in the foreground (so it stays the agent's child), killed with the agent,
   * in {@code netns} when not null. Pure.
   */
  public static List<String> command(Path bird, String netns, Path config, Path socket) {
    List<String> cmd = new ArrayList<>(List.of(SETPRIV.toString(), "--pdeathsig", "KILL"));
    if (netns != null) cmd.addAll(List.of("ip", "netns", "exec", netns));
    cmd.addAll(List.of(bird.toString(), "-f", "-c", config.toString(), "-s", socket.toString()));
    return cmd;
  }

  /**
   * Writes {@code initialConfig} to {@code config} (the agent owns the file), starts BIRD and returns once its
   * control socket exists. Fails naming the cause: BIRD or setpriv not installed, BIRD refusing the config or
   * exiting (its output is in {@code <config>.log}), no socket within {@code timeout}.
   */
  public static BirdProcess start(Path bird, String netns, Path config, Path socket, String initialConfig, Duration timeout) {
    if (!Files.isExecutable(bird)) throw new BirdException("BIRD is not installed: no executable " + bird + " (Debian package bird2)");
    if (!Files.isExecutable(SETPRIV)) throw new BirdException("no executable " + SETPRIV + " (Debian package util-linux) to tie BIRD's life to the agent's");
    Path log = config.resolveSibling(config.getFileName() + ".log");
    try {
      Files.createDirectories(config.toAbsolutePath().getParent());
      Files.createDirectories(socket.toAbsolutePath().getParent());
      Files.writeString(config, initialConfig);
      Files.deleteIfExists(socket); // a stale socket of a killed BIRD would look like a started one
    } catch (IOException e) {
      throw new BirdException("preparing BIRD's files " + config + ", " + socket + ": " + e.getMessage(), e);
    }
    ProcessBuilder pb = new ProcessBuilder(command(bird, netns, config, socket)).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    CompletableFuture<Process> started = new CompletableFuture<>();
    BirdProcess[] self = new BirdProcess[1];
    Thread waiter = new Thread(() -> {
      Process p;
      try {
        p = pb.start();
      } catch (IOException | RuntimeException e) {
        started.completeExceptionally(e);
        return;
      }
      started.complete(p);
      try {
        int rc = p.waitFor();
        BirdProcess b = self[0];
        if (b == null || !b.closing) LOG.error("BIRD (pid {}) exited with {} while its agent runs; see {}", p.pid(), rc, log);
      } catch (InterruptedException e) {
        // close() interrupts only after BIRD is gone
      }
    }, "epic-bird");
    waiter.setDaemon(true);
    waiter.start();
    Process p;
    try {
      p = started.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new BirdException("cannot start " + bird + ": " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      if (e instanceof InterruptedException) Thread.currentThread().interrupt();
      throw new BirdException("starting " + bird + " did not complete within " + timeout.toMillis() + " ms", e);
    }
    BirdProcess b = new BirdProcess(p, waiter);
    self[0] = b;
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!Files.exists(socket)) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        b.close();
        throw new BirdException((p.isAlive() ? "BIRD did not open its control socket " + socket + " within " + timeout.toMillis() + " ms"
            : "BIRD exited with " + p.exitValue()) + ": " + tail(log));
      }
      sleep(20);
    }
    LOG.info("BIRD started (pid {}{}) with {}, control socket {}; it ends with this agent", p.pid(),
        netns == null ? "" : ", network namespace " + netns, config, socket);
    return b;
  }

  public long pid() {
    return process.pid();
  }

  /** Stops BIRD with SIGTERM: it closes its sessions with a BGP Cease, so peers withdraw at once. */
  @Override
  public void close() {
    closing = true;
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
      waiter.join(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join(" / ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    } catch (IOException e) {
      return "(no output in " + log + ")";
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BirdException("interrupted while waiting for BIRD", e);
    }
  }
}
