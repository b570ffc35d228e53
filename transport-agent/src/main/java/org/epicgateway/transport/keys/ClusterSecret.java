package org.epicgateway.transport.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The cluster secret every agent derives its tunnel keys from, read from a file (a Kubernetes Secret mounted as a
 * volume is such a file). One secret per non-empty line, each at least 32 bytes of text (for example
 * {@code openssl rand -base64 32}): the <b>first line signs</b> control packets, <b>every line verifies</b>. That
 * is what makes rotation gap-free (docs/modules/transport-agent.md, "Rotating the cluster secret"): add the new
 * secret as a second line everywhere, then move it first, then drop the old one.
 */
public final class ClusterSecret {
  public static final int MIN_BYTES = 32;

  private final Path file;
  private final List<byte[]> secrets;

  private ClusterSecret(Path file, List<byte[]> secrets) {
    this.file = file;
    this.secrets = secrets;
  }

  /** Reads and checks {@code file}; every error names the file (and the line at fault). */
  public static ClusterSecret read(Path file) {
    byte[] content;
    try {
      content = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("cluster secret file " + file + " does not exist", e);
    } catch (AccessDeniedException e) {
      throw new IllegalArgumentException("cluster secret file " + file + " is not readable (permission denied)", e);
    } catch (IOException e) {
      throw new IllegalArgumentException("cluster secret file " + file + " cannot be read: " + e.getMessage(), e);
    }
    return parse(file, content);
  }

  static ClusterSecret parse(Path file, byte[] content) {
    List<byte[]> secrets = new ArrayList<>();
    String[] lines = new String(content, StandardCharsets.UTF_8).split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty()) continue;
      byte[] secret = line.getBytes(StandardCharsets.UTF_8);
      if (secret.length < MIN_BYTES) {
        throw new IllegalArgumentException("cluster secret file " + file + " line " + (i + 1) + ": the secret has "
            + secret.length + " bytes, at least " + MIN_BYTES + " are needed");
      }
      if (secrets.stream().anyMatch(s -> Arrays.equals(s, secret))) {
        throw new IllegalArgumentException("cluster secret file " + file + " line " + (i + 1) + ": the same secret twice");
      }
      secrets.add(secret);
    }
    if (secrets.isEmpty()) throw new IllegalArgumentException("cluster secret file " + file + " holds no secret");
    return new ClusterSecret(file, List.copyOf(secrets));
  }

  public Path file() {
    return file;
  }

  /** The secrets, the signing one first. */
  List<byte[]> secrets() {
    return secrets;
  }

  public int count() {
    return secrets.size();
  }

  /** Equal when the same secrets in the same order (a re-read file that did not change is not a rotation). */
  public boolean sameSecrets(ClusterSecret other) {
    if (other.secrets.size() != secrets.size()) return false;
    for (int i = 0; i < secrets.size(); i++) if (!Arrays.equals(secrets.get(i), other.secrets.get(i))) return false;
    return true;
  }
}
