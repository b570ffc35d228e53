package org.epicgateway.transport.libbpf;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.SaveError;

/** libc calls the JDK does not offer: network-namespace switching, interface indexes, mounting bpffs. */
public interface LibC {
  int O_RDONLY = 0;
  int O_CLOEXEC = 0x80000;
  int CLONE_NEWNET = 0x40000000;

  @SaveError int open(String path, int flags);
  int close(int fd);
  @SaveError int setns(int fd, int nstype);
  @SaveError int if_nametoindex(String name);
  @SaveError int mount(String source, String target, String fstype, long flags, Pointer data);
  /** Formats a va_list (as libbpf's print function receives it) into {@code buf}; the length it wanted. */
  int vsnprintf(@jnr.ffi.annotations.Out byte[] buf, @jnr.ffi.types.size_t long size, Pointer format, Pointer args);
}
