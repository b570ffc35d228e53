package org.epicgateway.transport.control;

import java.util.function.LongSupplier;

/**
 * The control packet counter: the wall clock in ms, but never repeating or going back (clock steps), so it keeps
 * rising across agent restarts without stored state.
 */
public final class MonotonicCounter {
  private final LongSupplier clockMs;
  private long last;

  public MonotonicCounter(LongSupplier clockMs) {
    this.clockMs = clockMs;
  }

  public synchronized long next() {
    last = Math.max(last + 1, clockMs.getAsLong());
    return last;
  }
}
