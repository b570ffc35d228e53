package org.epicgateway.provisioner.liveness;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When a node counts as lost: no heartbeat seen for longer than the timeout. Time-driven, so it cannot live in the
 * decider (which reads no clock: replaying the log must decide the same); the watcher that applies it sends
 * {@code MarkNodeLost} and the decider decides it like any report. A watcher that just started has seen no
 * heartbeat yet, so it counts from its own start: a restart never declares every node lost at once.
 */
public final class Liveness {
  private Liveness() {}

  /** Heartbeat as the watcher saw it: when, and the id of its command (the fact a loss is declared after). */
  public record Seen(Instant at, String commandId) {}

  /**
   * @return how long the node has been silent, if longer than {@code timeout}
   */
  public static Optional<Duration> silentBeyond(Seen last, Instant watcherStart, Instant now, Duration timeout) {
    Instant since = last == null ? watcherStart : last.at();
    Duration silent = Duration.between(since, now);
    return silent.compareTo(timeout) > 0 ? Optional.of(silent) : Optional.empty();
  }

  /** The id a loss is reported under: the node and the last heartbeat seen, so a resent report is decided once. */
  public static String lossFact(String node, Seen last, Instant watcherStart) {
    return "lost|" + node + "|" + (last == null ? "since-start:" + watcherStart.toEpochMilli() : last.commandId());
  }
}
