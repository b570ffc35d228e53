package org.epicgateway.transport.libbpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jnr.ffi.byref.IntByReference;

/**
 * A BPF map by fd, with its kernel-reported type and sizes. Keys and values are raw bytes; the layouts live in
 * {@code org.epicgateway.transport.maps.MapLayout}. Per-CPU maps return one value slot per possible CPU.
 */
public final class BpfMap implements AutoCloseable {
  public static final long BPF_ANY = 0;
  private static final int PERCPU_HASH = 5, PERCPU_ARRAY = 6, LRU_PERCPU_HASH = 10;

  private final int fd;
  private final String name;
  private final boolean ownsFd;
  private final int type, keySize, valueSize, maxEntries;

  private BpfMap(int fd, String name, boolean ownsFd) {
    this.fd = fd;
    this.name = name;
    this.ownsFd = ownsFd;
    // struct bpf_map_info starts with u32 type, id, key_size, value_size, max_entries.
    byte[] info = new byte[40];
    IntByReference len = new IntByReference(info.length);
    Native.check(Native.BPF.bpf_obj_get_info_by_fd(fd, info, len), "bpf_obj_get_info_by_fd " + name);
    ByteBuffer b = ByteBuffer.wrap(info).order(ByteOrder.nativeOrder());
    this.type = b.getInt(0);
    this.keySize = b.getInt(8);
    this.valueSize = b.getInt(12);
    this.maxEntries = b.getInt(16);
  }

  static BpfMap ofFd(int fd, String name, boolean ownsFd) {
    return new BpfMap(fd, name, ownsFd);
  }

  /** Opens a map pinned on bpffs (the operator CLI reads the live maps this way, without loading programs). */
  public static BpfMap openPinned(Path path) {
    int fd = Native.BPF.bpf_obj_get(path.toString());
    if (fd < 0) throw new BpfException("bpf_obj_get " + path, -fd);
    return new BpfMap(fd, path.getFileName().toString(), true);
  }

  public String name() { return name; }
  public int keySize() { return keySize; }
  public int valueSize() { return valueSize; }
  public int maxEntries() { return maxEntries; }

  public boolean perCpu() {
    return type == PERCPU_HASH || type == PERCPU_ARRAY || type == LRU_PERCPU_HASH;
  }

  /** Bytes of one lookup result: per-CPU maps hold one 8-byte-aligned slot per possible CPU. */
  public int lookupSize() {
    return perCpu() ? ((valueSize + 7) & ~7) * Native.BPF.libbpf_num_possible_cpus() : valueSize;
  }

  /** Fails naming the map when the kernel map does not have the sizes the Java mirror expects. */
  public BpfMap requireSizes(int expectedKey, int expectedValue) {
    if (keySize != expectedKey || valueSize != expectedValue) {
      throw new IllegalStateException("BPF map " + name + " has key/value size " + keySize + "/" + valueSize
          + ", the agent expects " + expectedKey + "/" + expectedValue + " (bpf/include/epic_maps.h changed?)");
    }
    return this;
  }

  public void update(byte[] key, byte[] value) {
    checkKey(key);
    if (value.length != (perCpu() ? lookupSize() : valueSize)) {
      throw new IllegalArgumentException("value of " + value.length + " bytes for map " + name);
    }
    Native.check(Native.BPF.bpf_map_update_elem(fd, key, value, BPF_ANY), "bpf_map_update_elem " + name);
  }

  public Optional<byte[]> lookup(byte[] key) {
    checkKey(key);
    byte[] value = new byte[lookupSize()];
    int rc = Native.BPF.bpf_map_lookup_elem(fd, key, value);
    if (rc == -BpfException.ENOENT) return Optional.empty();
    Native.check(rc, "bpf_map_lookup_elem " + name);
    return Optional.of(value);
  }

  /** Deletes {@code key}; false when it was not there. */
  public boolean delete(byte[] key) {
    checkKey(key);
    int rc = Native.BPF.bpf_map_delete_elem(fd, key);
    if (rc == -BpfException.ENOENT) return false;
    Native.check(rc, "bpf_map_delete_elem " + name);
    return true;
  }

  /** All keys at this moment (a concurrent delete by the kernel may end the walk early; the next pass sees it). */
  public List<byte[]> keys() {
    List<byte[]> keys = new ArrayList<>();
    byte[] prev = null;
    while (true) {
      byte[] next = new byte[keySize];
      int rc = Native.BPF.bpf_map_get_next_key(fd, prev, next);
      if (rc == -BpfException.ENOENT) return keys;
      Native.check(rc, "bpf_map_get_next_key " + name);
      keys.add(next);
      prev = next;
      if (keys.size() > maxEntries) throw new IllegalStateException("map " + name + " iteration does not end");
    }
  }

  private void checkKey(byte[] key) {
    if (key.length != keySize) throw new IllegalArgumentException("key of " + key.length + " bytes for map " + name);
  }

  @Override
  public void close() {
    if (ownsFd) Native.C.close(fd);
  }
}
