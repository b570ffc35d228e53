package org.epicgateway.transport.bgp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Applies a rendered configuration to a running BIRD 2 through its control socket, all or nothing: the text is
 * written next to the config file, checked by BIRD ({@code birdc configure check}), moved over the config file and
 * only then loaded ({@code birdc configure}). A failure at any step leaves BIRD on its previous configuration and
 * the previous file in place, and the error names the cause (BIRD not installed, not running, config refused).
 */
public final class BirdControl {
  public static final Path DEFAULT_BIRDC = Path.of("/usr/sbin/birdc");
  private static final long TIMEOUT_S = 15;

  private final Path birdc;
  private final Path socket;
  private final Path configFile;
  private String applied;

  public BirdControl(Path birdc, Path socket, Path configFile) {
    this.birdc = birdc;
    this.socket = socket;
    this.configFile = configFile.toAbsolutePath();
  }

  public Path configFile() {
    return configFile;
  }

  /** Loads {@code config} into BIRD unless it is what this instance loaded last. Returns whether BIRD was told. */
  public synchronized boolean apply(String config) {
    if (config.equals(applied)) return false;
    if (!Files.isExecutable(birdc)) {
      throw new BirdException("BIRD is not installed: no executable " + birdc + " (Debian package bird2)");
    }
    if (!Files.exists(socket)) {
      throw new BirdException("BIRD is not running: its control socket " + socket + " does not exist");
    }
    Path next = configFile.resolveSibling(configFile.getFileName() + ".next");
    Path previous = configFile.resolveSibling(configFile.getFileName() + ".previous");
    try {
      Files.createDirectories(configFile.getParent());
      Files.writeString(next, config, StandardCharsets.UTF_8);
      birdc("configure check", "configure", "check", quoted(next));
      boolean hadPrevious = Files.exists(configFile);
      if (hadPrevious) Files.copy(configFile, previous, StandardCopyOption.REPLACE_EXISTING);
      Files.move(next, configFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      try {
        birdc("configure", "configure", quoted(configFile));
      } catch (BirdException e) {
        if (hadPrevious) Files.move(previous, configFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        else Files.deleteIfExists(configFile);
        throw e;
      }
      Files.deleteIfExists(previous);
    } catch (IOException e) {
      throw new BirdException("writing BIRD configuration " + configFile + ": " + e.getMessage(), e);
    } finally {
      try {
        Files.deleteIfExists(next);
      } catch (IOException e) {
        // a stale .next file is rewritten on the next apply
      }
    }
    applied = config;
    return true;
  }

  /** {@code birdc -s SOCKET show route ...}'s output, for operators and tests. */
  public String show(String... what) {
    List<String> args = new ArrayList<>(List.of("show"));
    args.addAll(List.of(what));
    return birdc("show", args.toArray(String[]::new));
  }

  private String birdc(String step, String... args) {
    List<String> cmd = new ArrayList<>(List.of(birdc.toString(), "-s", socket.toString()));
    cmd.addAll(List.of(args));
    String out;
    int rc;
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new BirdException("birdc " + step + " did not answer within " + TIMEOUT_S + " s (socket " + socket + ")");
      }
      rc = p.exitValue();
    } catch (IOException e) {
      throw new BirdException("cannot run " + birdc + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BirdException("interrupted while running birdc " + step, e);
    }
    // birdc exits 1 when it cannot connect or the command failed; a refused config also prints no "OK" line.
    boolean ok = rc == 0 && switch (step) {
      case "configure check" -> out.contains("Configuration OK");
      case "configure" -> out.contains("Reconfigured") || out.contains("Reconfiguration in progress");
      default -> true;
    };
    if (!ok) {
      String cause = out.contains("Unable to connect") ? "BIRD is not running or refuses its control socket " + socket + ": "
          : "birdc " + step + " failed (BIRD keeps its previous configuration): ";
      throw new BirdException(cause + out.lines().filter(l -> !l.startsWith("BIRD ") || !l.endsWith("ready.")).toList());
    }
    return out;
  }

  private static String quoted(Path p) {
    return "\"" + p + "\"";
  }

  public static final class BirdException extends RuntimeException {
    public BirdException(String message) {
      super(message);
    }

    public BirdException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
