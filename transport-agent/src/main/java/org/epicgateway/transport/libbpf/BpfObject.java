package org.epicgateway.transport.libbpf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import jnr.ffi.Pointer;

/**
 * One opened and loaded BPF object file. Its maps are pinned under a directory by name before load, so libbpf
 * reuses a map already pinned there (an agent restart keeps the live maps and traffic keeps flowing) and pins the
 * ones it creates. Program fds stay valid while this object is open; tc filters keep the programs alive after.
 */
public final class BpfObject implements AutoCloseable {
  private final Path file;
  private Pointer obj;

  private BpfObject(Path file, Pointer obj) {
    this.file = file;
    this.obj = obj;
  }

  /** Opens {@code file}, pins {@code maps} under {@code pinDir}/name, and loads the programs into the kernel. */
  public static BpfObject load(Path file, Path pinDir, Collection<String> maps) {
    if (!Files.isRegularFile(file)) throw new IllegalArgumentException("BPF object file not found: " + file);
    Pointer obj = Native.BPF.bpf_object__open_file(file.toString(), null);
    if (obj == null) throw new BpfException("bpf_object__open_file " + file, Native.lastErrno());
    BpfObject o = new BpfObject(file, obj);
    try {
      for (String name : maps) {
        Native.check(Native.BPF.bpf_map__set_pin_path(o.mapPtr(name), pinDir.resolve(name).toString()),
            "bpf_map__set_pin_path " + name);
      }
      Native.check(Native.BPF.bpf_object__load(obj), "bpf_object__load " + file);
      return o;
    } catch (RuntimeException e) {
      o.close();
      throw e;
    }
  }

  /** The fd of program {@code name}; fails naming the program and file when it is absent. */
  public int programFd(String name) {
    Pointer p = Native.BPF.bpf_object__find_program_by_name(obj, name);
    if (p == null) throw new IllegalArgumentException("no BPF program '" + name + "' in " + file);
    return Native.check(Native.BPF.bpf_program__fd(p), "bpf_program__fd " + name);
  }

  /** Map {@code name} of this object (borrowing the object's fd: valid while the object is open). */
  public BpfMap map(String name) {
    return BpfMap.ofFd(Native.check(Native.BPF.bpf_map__fd(mapPtr(name)), "bpf_map__fd " + name), name, false);
  }

  private Pointer mapPtr(String name) {
    Pointer p = Native.BPF.bpf_object__find_map_by_name(obj, name);
    if (p == null) throw new IllegalArgumentException("no BPF map '" + name + "' in " + file);
    return p;
  }

  @Override
  public void close() {
    if (obj != null) Native.BPF.bpf_object__close(obj);
    obj = null;
  }
}
