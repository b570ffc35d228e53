package org.epicgateway.transport.libbpf;

/** A failed libbpf or kernel call: the operation, its errno and libbpf's text for it. */
public final class BpfException extends RuntimeException {
  public static final int ENOENT = 2;
  public static final int EEXIST = 17;

  private final int errno;

  public BpfException(String operation, int errno) {
    super(operation + ": " + Native.strerror(errno) + " (errno " + errno + ")");
    this.errno = errno;
  }

  public int errno() {
    return errno;
  }
}
