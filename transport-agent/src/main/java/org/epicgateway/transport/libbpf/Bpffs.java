package org.epicgateway.transport.libbpf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** bpffs at /sys/fs/bpf, where the maps are pinned; fresh machines do not mount it. */
public final class Bpffs {
  public static final Path ROOT = Path.of("/sys/fs/bpf");

  private Bpffs() {}

  public static synchronized void ensureMounted() {
    if (mounted()) return;
    if (Native.C.mount("bpf", ROOT.toString(), "bpf", 0, null) < 0) {
      throw new BpfException("mount -t bpf bpf " + ROOT + " (run as root)", Native.lastErrno());
    }
  }

  static boolean mounted() {
    try {
      return Files.readAllLines(Path.of("/proc/self/mounts")).stream()
          .map(l -> l.split(" ")).anyMatch(f -> f.length > 2 && f[1].equals(ROOT.toString()) && f[2].equals("bpf"));
    } catch (IOException e) {
      throw new UncheckedIOException("reading /proc/self/mounts", e);
    }
  }
}
