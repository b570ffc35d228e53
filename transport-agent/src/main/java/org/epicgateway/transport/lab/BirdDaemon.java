package org.epicgateway.transport.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A real BIRD 2 daemon started in a named network namespace for a test, stopped (by its pid) on close. */
public final class BirdDaemon implements AutoCloseable {
  private final Path socket;
  private final Path pidFile;

  private BirdDaemon(Path socket, Path pidFile) {
    this.socket = socket;
    this.pidFile = pidFile;
  }

  /** Starts {@code bird -c config} in {@code netns}; returns once its control socket answers. */
  public static BirdDaemon start(String netns, Path dir, String name, String config) throws IOException {
    Files.createDirectories(dir);
    Path conf = dir.resolve(name + ".conf");
    Files.writeString(conf, config);
    Path socket = dir.resolve(name + ".ctl"), pid = dir.resolve(name + ".pid");
    // bird daemonises; its sockets and routes live in the namespace it was started in.
    RootSupport.run("ip", "netns", "exec", netns, "/usr/sbin/bird", "-c", conf.toString(), "-s", socket.toString(), "-P", pid.toString());
    BirdDaemon bird = new BirdDaemon(socket, pid);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!Files.exists(socket) || !Files.exists(pid)) {
      if (System.nanoTime() > deadline) throw new AssertionError("bird in " + netns + " did not create " + socket);
      sleep(20);
    }
    return bird;
  }

  public Path socket() {
    return socket;
  }

  public String birdc(String... args) {
    String[] cmd = new String[args.length + 3];
    cmd[0] = "/usr/sbin/birdc";
    cmd[1] = "-s";
    cmd[2] = socket.toString();
    System.arraycopy(args, 0, cmd, 3, args.length);
    return RootSupport.run(cmd);
  }

  /** Stops BIRD the way a crash or a `kill` would: its BGP sessions drop without a withdraw. */
  @Override
  public void close() {
    try {
      if (Files.exists(pidFile)) {
        String pid = Files.readString(pidFile).strip();
        RootSupport.runQuietly("kill", pid);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (Files.exists(Path.of("/proc", pid)) && System.nanoTime() < deadline) sleep(20);
      }
    } catch (IOException e) {
      throw new AssertionError("reading " + pidFile + ": " + e.getMessage(), e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
