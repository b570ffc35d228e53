package org.epicgateway.transport.libbpf;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * Attaches a program as a direct-action tc filter on an interface's clsact ingress or egress. Always at the same
 * handle and priority with BPF_TC_F_REPLACE, so attaching again (a re-attach or an agent restart) swaps the program
 * in place: one filter, no window without one. Works in the calling thread's network namespace (netlink).
 */
public final class TcAttachment {
  public enum Direction {
    INGRESS(1), EGRESS(2);
    final int attachPoint;
    Direction(int attachPoint) { this.attachPoint = attachPoint; }
  }

  static final int HANDLE = 1, PRIORITY = 1;
  private static final int BPF_TC_F_REPLACE = 1, EINVAL = 22;
  // Layouts of struct bpf_tc_hook / bpf_tc_opts in libbpf 1.x on x86_64 (both padded to 8-byte size_t).
  private static final int HOOK_SIZE = 24, OPTS_SIZE = 32;

  private TcAttachment() {}

  /** Creates the clsact qdisc if missing and (re)places {@code progFd} as the one EPIC filter. */
  public static void attach(int ifindex, Direction dir, int progFd) {
    Pointer hook = hook(ifindex, dir);
    // Attach first: on a re-attach the clsact qdisc exists, and creating it again would only make the kernel answer
    // "Exclusivity flag on". Without the qdisc the kernel answers EINVAL; create it, then attach.
    int rc = LibbpfLog.expectingRefusal(() -> Native.BPF.bpf_tc_attach(hook, opts(progFd, BPF_TC_F_REPLACE)));
    if (rc == -EINVAL) {
      int created = LibbpfLog.expectingRefusal(() -> Native.BPF.bpf_tc_hook_create(hook));
      if (created < 0 && created != -BpfException.EEXIST) Native.check(created, "bpf_tc_hook_create ifindex " + ifindex);
      rc = Native.BPF.bpf_tc_attach(hook, opts(progFd, BPF_TC_F_REPLACE));
    }
    Native.check(rc, "bpf_tc_attach ifindex " + ifindex + " " + dir);
  }

  /** Removes the EPIC filter; false when none was attached. The qdisc stays (other filters may use it). */
  public static boolean detach(int ifindex, Direction dir) {
    int rc = LibbpfLog.expectingRefusal(() -> Native.BPF.bpf_tc_detach(hook(ifindex, dir), opts(0, 0)));
    if (rc == -BpfException.ENOENT || rc == -EINVAL /* no clsact qdisc at all */) return false;
    Native.check(rc, "bpf_tc_detach ifindex " + ifindex + " " + dir);
    return true;
  }

  /** The kernel id of the program in the EPIC filter slot, or 0 when none is attached. */
  public static int attachedProgramId(int ifindex, Direction dir) {
    Pointer opts = opts(0, 0);
    int rc = LibbpfLog.expectingRefusal(() -> Native.BPF.bpf_tc_query(hook(ifindex, dir), opts));
    if (rc == -BpfException.ENOENT || rc == -EINVAL) return 0;
    Native.check(rc, "bpf_tc_query ifindex " + ifindex + " " + dir);
    return opts.getInt(16);
  }

  private static Pointer hook(int ifindex, Direction dir) {
    Pointer p = Memory.allocateDirect(Native.RUNTIME, HOOK_SIZE, true);
    p.putLong(0, HOOK_SIZE);
    p.putInt(8, ifindex);
    p.putInt(12, dir.attachPoint);
    return p;
  }

  private static Pointer opts(int progFd, int flags) {
    Pointer p = Memory.allocateDirect(Native.RUNTIME, OPTS_SIZE, true);
    p.putLong(0, OPTS_SIZE);
    p.putInt(8, progFd);
    p.putInt(12, flags);
    p.putInt(20, HANDLE);
    p.putInt(24, PRIORITY);
    return p;
  }
}
