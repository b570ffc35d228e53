package org.epicgateway.transport.libbpf;

import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;
import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libbpf's messages through SLF4J (logger {@code libbpf}) instead of libbpf's default, stderr, where they bypassed
 * the agent's logging: warnings as WARN, information as INFO, debug as DEBUG. The kernel's refusals that this package
 * provokes on purpose are DEBUG: an attach to an interface without a clsact qdisc ("Parent Qdisc doesn't exists",
 * every new replica interface; the qdisc is then created), a qdisc that exists already ("Exclusivity flag on"), a
 * detach or query of a filter that is not there. Each is the answer the caller handles, not a problem.
 */
final class LibbpfLog {
  private static final Logger LOG = LoggerFactory.getLogger("libbpf");
  private static final int WARN = 0, INFO = 1;
  /** Set while this thread makes a call whose kernel refusal is expected. */
  private static final ThreadLocal<Boolean> EXPECTED = ThreadLocal.withInitial(() -> false);
  /** Referenced for as long as libbpf may call it: JNR frees the native stub of an unreferenced callback. */
  private static final LibBpf.Print PRINT = LibbpfLog::print;

  private LibbpfLog() {}

  static void install(LibBpf bpf) {
    bpf.libbpf_set_print(PRINT);
  }

  /** Runs a libbpf call whose refusal by the kernel is one of its expected answers: libbpf's message is DEBUG. */
  static int expectingRefusal(IntSupplier call) {
    EXPECTED.set(true);
    try {
      return call.getAsInt();
    } finally {
      EXPECTED.set(false);
    }
  }

  private static int print(int level, Pointer format, Pointer args) {
    boolean debug = level > INFO || EXPECTED.get();
    if (debug ? !LOG.isDebugEnabled() : level == INFO ? !LOG.isInfoEnabled() : !LOG.isWarnEnabled()) {
      return 0;
    }
    byte[] buf = new byte[1024];
    int wanted = Native.C.vsnprintf(buf, buf.length, format, args);
    String message = new String(buf, 0, Math.max(0, Math.min(wanted, buf.length - 1)), StandardCharsets.UTF_8).strip();
    if (message.startsWith("libbpf: ")) {
      message = message.substring("libbpf: ".length()); // the logger's name says it
    }
    if (debug) {
      LOG.debug(message);
    } else if (level == INFO) {
      LOG.info(message);
    } else {
      LOG.warn(message);
    }
    return 0;
  }
}
