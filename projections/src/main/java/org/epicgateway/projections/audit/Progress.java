package org.epicgateway.projections.audit;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar for long reads of the log, on stderr so stdout stays machine-readable. On a terminal it redraws in
 * place a few times a second; otherwise it prints a line at every tenth.
 */
public class Progress {

  private static final long REDRAW_NANOS = 250_000_000L;

  private final String label;
  private final PrintStream out;
  private final boolean terminal;
  private long total;
  private long done;
  private long startNanos;
  private long lastDrawNanos;
  private int lastTenth = -1;

  public Progress(String label, PrintStream out, boolean terminal) {
    this.label = label;
    this.out = out;
    this.terminal = terminal;
  }

  /** The bar for a command-line run: redraws in place when stderr is a terminal. */
  public static Progress onStderr(String label) {
    return new Progress(label, System.err, System.console() != null);
  }

  /** No output, for reads too small to report. */
  public static Progress silent() {
    return new Progress("", null, false) {
      @Override
      void draw(boolean last) {}
    };
  }

  void start(long expectedTotal) {
    total = Math.max(expectedTotal, 0);
  }

  void advance(long n) {
    long now = System.nanoTime();
    if (done == 0) {
      // The rate is the read's, from the first record: connecting and fetching metadata are not replay work.
      startNanos = now;
    }
    done += n;
    int tenth = total == 0 ? 10 : (int) Math.min(10, done * 10 / total);
    if (terminal ? now - lastDrawNanos >= REDRAW_NANOS : tenth != lastTenth) {
      lastDrawNanos = now;
      lastTenth = tenth;
      draw(false);
    }
  }

  void finish() {
    total = done;
    draw(true);
  }

  /** Records per second since the first record. */
  public double perSecond() {
    double seconds = Math.max(System.nanoTime() - startNanos, 1) / 1e9;
    return done / seconds;
  }

  void draw(boolean last) {
    int percent = total == 0 ? 100 : (int) Math.min(100, done * 100 / total);
    int filled = percent / 5;
    String line = String.format(Locale.ROOT, "%s [%s%s] %3d%% %,d/%,d events, %,.0f events/s", label,
        "#".repeat(filled), " ".repeat(20 - filled), percent, done, Math.max(done, total),
        perSecond());
    if (terminal) {
      out.print("\r" + line + (last ? "\n" : ""));
    } else {
      out.println(line);
    }
    out.flush();
  }
}
