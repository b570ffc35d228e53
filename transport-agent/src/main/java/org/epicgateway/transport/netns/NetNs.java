package org.epicgateway.transport.netns;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.epicgateway.transport.libbpf.BpfException;
import org.epicgateway.transport.libbpf.LibC;
import org.epicgateway.transport.libbpf.Native;

/**
 * A network namespace the agent works in. Netlink (tc attach), interface lookups and socket creation act in the
 * calling thread's namespace, so each NetNs owns one thread that entered the namespace with setns(2) and runs
 * those calls. Sockets created there stay in that namespace when used from other threads. Only the network
 * namespace is entered: bpffs (a mount) stays the host's, unlike under {@code ip netns exec}.
 */
public final class NetNs implements AutoCloseable {
  private final String name;
  private final ExecutorService thread;

  private NetNs(String name, ExecutorService thread) {
    this.name = name;
    this.thread = thread;
  }

  /** The namespace the JVM started in: calls run on a plain thread. */
  public static NetNs current() {
    return new NetNs("(current)", Executors.newSingleThreadExecutor(r -> daemon(r, "netns-current")));
  }

  /** The named namespace {@code /run/netns/<name>} (as created by {@code ip netns add}). */
  public static NetNs named(String name) {
    Path path = Path.of("/run/netns", name);
    if (!Files.exists(path)) throw new IllegalArgumentException("network namespace not found: " + path);
    NetNs ns = new NetNs(name, Executors.newSingleThreadExecutor(r -> daemon(r, "netns-" + name)));
    ns.call(() -> {
      int fd = Native.C.open(path.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
      if (fd < 0) throw new BpfException("open " + path, Native.lastErrno());
      try {
        if (Native.C.setns(fd, LibC.CLONE_NEWNET) < 0) throw new BpfException("setns " + path, Native.lastErrno());
      } finally {
        Native.C.close(fd);
      }
      return null;
    });
    return ns;
  }

  public String name() {
    return name;
  }

  /** Runs {@code task} inside the namespace and returns its result; its exception is rethrown as is. */
  public <T> T call(Callable<T> task) {
    try {
      return thread.submit(task).get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) throw re;
      if (e.getCause() instanceof Error er) throw er;
      throw new IllegalStateException("in netns " + name + ": " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while working in netns " + name, e);
    }
  }

  /** The index of interface {@code ifname} in this namespace. */
  public int ifindex(String ifname) {
    return call(() -> {
      int idx = Native.C.if_nametoindex(ifname);
      if (idx == 0) throw new IllegalArgumentException("no interface '" + ifname + "' in netns " + name);
      return idx;
    });
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
