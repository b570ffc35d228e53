package org.epicgateway.transport.libbpf;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/** Loads libbpf and libc once; turns -errno results into {@link BpfException}s with libbpf's message. */
public final class Native {
  public static final LibBpf BPF = LibraryLoader.create(LibBpf.class).failImmediately().load("bpf");
  public static final LibC C = LibraryLoader.create(LibC.class).failImmediately().load("c");
  public static final Runtime RUNTIME = Runtime.getRuntime(BPF);

  static {
    LibbpfLog.install(BPF);
  }

  private Native() {}

  /** libbpf's text for an error code (positive or negative errno, or libbpf's own 4000+ codes). */
  public static String strerror(int err) {
    byte[] buf = new byte[256];
    BPF.libbpf_strerror(err, buf, buf.length);
    int n = 0;
    while (n < buf.length && buf[n] != 0) n++;
    return new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Returns {@code rc} when it is not negative, else throws naming {@code what}. */
  public static int check(int rc, String what) {
    if (rc < 0) throw new BpfException(what, -rc);
    return rc;
  }

  /** For calls that return -1 and set errno (libc, and libbpf pointer functions). */
  public static int lastErrno() {
    return RUNTIME.getLastError();
  }
}
