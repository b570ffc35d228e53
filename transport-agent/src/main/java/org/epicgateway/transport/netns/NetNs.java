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
  private volatile Thread owner;

  private NetNs(String name, ExecutorService thread) {
    this.name = name;
    this.thread = thread;
  }

  /** The namespace the JVM started in: calls run on a plain thread. */
  public static NetNs current() {
    NetNs[] ns = new NetNs[1];
    ns[0] = new NetNs("(current)", Executors.newSingleThreadExecutor(r -> ns[0].daemon(r, "netns-current")));
    return ns[0];
  }

  /** The named namespace {@code /run/netns/<name>} (as created by {@code ip netns add}). */
  public static NetNs named(String name) {
    Path path = Path.of("/run/netns", name);
    if (!Files.exists(path)) throw new IllegalArgumentException("network namespace not found: " + path);
    NetNs[] holder = new NetNs[1];
    NetNs ns = holder[0] = new NetNs(name, Executors.newSingleThreadExecutor(r -> holder[0].daemon(r, "netns-" + name)));
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
    if (Thread.currentThread() == owner) return callHere(task);
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
    return existingIfindex(ifname).orElseThrow(() -> new IllegalArgumentException("no interface '" + ifname
        + "' in netns " + name));
  }

  /** The index of interface {@code ifname} in this namespace, empty when it has none of that name. */
  public java.util.OptionalInt existingIfindex(String ifname) {
    int idx = call(() -> Native.C.if_nametoindex(ifname));
    return idx == 0 ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(idx);
  }

  /** The interface's MTU, as the namespace sees it. */
  public int mtu(String ifname) {
    return call(() -> {
      java.net.NetworkInterface nic = java.net.NetworkInterface.getByName(ifname);
      if (nic == null) throw new IllegalArgumentException("no interface '" + ifname + "' in netns " + name);
      return nic.getMTU();
    });
  }

  /** Nested calls from a task already in the namespace run directly (the one thread would wait on itself). */
  private static <T> T callHere(Callable<T> task) {
    try {
      return task.call();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private Thread daemon(Runnable r, String threadName) {
    Thread t = new Thread(r, threadName);
    t.setDaemon(true);
    owner = t;
    return t;
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
