package org.epicgateway.transport.libbpf;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.types.size_t;

/**
 * The few libbpf 1.x entry points the agent needs, bound by JNR-FFI to the system libbpf.so.1. Int functions
 * return -errno; pointer functions return NULL and set errno (hence {@code @SaveError}). Callers go through the
 * typed wrappers in this package, never through this interface directly.
 */
public interface LibBpf {
  @SaveError Pointer bpf_object__open_file(String path, Pointer opts);
  int bpf_object__load(Pointer obj);
  void bpf_object__close(Pointer obj);
  Pointer bpf_object__find_program_by_name(Pointer obj, String name);
  Pointer bpf_object__find_map_by_name(Pointer obj, String name);
  int bpf_program__fd(Pointer prog);
  int bpf_map__fd(Pointer map);
  int bpf_map__set_pin_path(Pointer map, String path);

  int bpf_obj_get(String path);
  int bpf_obj_get_info_by_fd(int fd, @Out byte[] info, IntByReference infoLen);
  int bpf_map_update_elem(int fd, @In byte[] key, @In byte[] value, long flags);
  int bpf_map_lookup_elem(int fd, @In byte[] key, @Out byte[] value);
  int bpf_map_delete_elem(int fd, @In byte[] key);
  int bpf_map_get_next_key(int fd, @In byte[] key, @Out byte[] nextKey);

  int bpf_tc_hook_create(Pointer hook);
  int bpf_tc_attach(Pointer hook, Pointer opts);
  int bpf_tc_detach(Pointer hook, Pointer opts);
  int bpf_tc_query(Pointer hook, Pointer opts);

  int libbpf_strerror(int err, @Out byte[] buf, @size_t long size);

  /** {@code libbpf_print_fn_t}: a level (0 warn, 1 info, 2 debug), a printf format and its va_list. */
  interface Print {
    @jnr.ffi.annotations.Delegate int print(int level, Pointer format, Pointer args);
  }

  /** Where libbpf's messages go instead of stderr; returns the previous function. */
  Pointer libbpf_set_print(Print print);
  int libbpf_num_possible_cpus();
}
