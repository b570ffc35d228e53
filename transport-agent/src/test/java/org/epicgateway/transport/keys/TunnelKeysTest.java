package org.epicgateway.transport.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.epicgateway.transport.control.ControlPacket;
import org.epicgateway.transport.control.ControlVerifier;
import org.epicgateway.transport.control.ControlVerifier.Verdict;
import org.epicgateway.transport.keys.TunnelKeys.TunnelIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TunnelKeysTest {
  static final String OLD = "0123456789abcdef0123456789abcdef", NEW = "fedcba9876543210fedcba9876543210-new";
  static final TunnelIdentity TUNNEL = new TunnelIdentity("epic-a", "client-1", 42);

  @TempDir Path dir;

  @Test
  void keyIsHkdfOfTheSecretAndTheTunnelIdentity() {
    // Expected value computed independently (Python hmac/hashlib, RFC 5869 extract+expand).
    List<byte[]> keys = keys(OLD).keys(TUNNEL);
    assertThat(keys).hasSize(1);
    assertThat(HexFormat.of().formatHex(keys.get(0))).isEqualTo("bae7bef2cd923d26948c727ed836535edb680c73bbc6e63893ad9a85c7e745bb");
  }

  @Test
  void everyPartOfTheIdentityChangesTheKey() {
    TunnelKeys k = keys(OLD);
    byte[] base = k.keys(TUNNEL).get(0);
    assertThat(k.keys(new TunnelIdentity("epic-b", "client-1", 42)).get(0)).isNotEqualTo(base);
    assertThat(k.keys(new TunnelIdentity("epic-a", "client-2", 42)).get(0)).isNotEqualTo(base);
    assertThat(k.keys(new TunnelIdentity("epic-a", "client-1", 43)).get(0)).isNotEqualTo(base);
    // The separator keeps ("epic-a", "bc") and ("epic-ab", "c") apart.
    assertThat(k.keys(new TunnelIdentity("a", "bc", 1)).get(0)).isNotEqualTo(k.keys(new TunnelIdentity("ab", "c", 1)).get(0));
    assertThat(keys(NEW).keys(TUNNEL).get(0)).isNotEqualTo(base);
  }

  @Test
  void identityFieldsAreChecked() {
    assertThatThrownBy(() -> new TunnelIdentity("", "c", 1)).hasMessage("epicNode: missing");
    assertThatThrownBy(() -> new TunnelIdentity("e", null, 1)).hasMessage("clientNode: missing");
    assertThatThrownBy(() -> new TunnelIdentity("e", "c\0", 1)).hasMessage("clientNode: contains a NUL character");
    assertThatThrownBy(() -> new TunnelIdentity("e", "c", 0)).hasMessage("tunnelId: must be 1..4294967295, was 0");
  }

  @Test
  void fileErrorsNameThePath() throws IOException {
    Path missing = dir.resolve("nope");
    assertThatThrownBy(() -> ClusterSecret.read(missing)).hasMessage("cluster secret file " + missing + " does not exist");
    Path empty = write("empty", "\n\n");
    assertThatThrownBy(() -> ClusterSecret.read(empty)).hasMessage("cluster secret file " + empty + " holds no secret");
    Path shortOne = write("short", OLD + "\nshort\n");
    assertThatThrownBy(() -> ClusterSecret.read(shortOne))
        .hasMessage("cluster secret file " + shortOne + " line 2: the secret has 5 bytes, at least 32 are needed");
    Path twice = write("twice", OLD + "\n" + OLD + "\n");
    assertThatThrownBy(() -> ClusterSecret.read(twice)).hasMessage("cluster secret file " + twice + " line 2: the same secret twice");
    Path dirAsFile = dir.resolve("adir");
    Files.createDirectory(dirAsFile);
    assertThatThrownBy(() -> ClusterSecret.read(dirAsFile)).hasMessageStartingWith("cluster secret file " + dirAsFile + " cannot be read");
  }

  @Test
  void kubernetesSecretFileWithTrailingNewlineAndSurroundingBlanks() throws IOException {
    ClusterSecret s = ClusterSecret.read(write("k8s", "  " + OLD + "  \n"));
    assertThat(s.count()).isEqualTo(1);
    assertThat(new TunnelKeys(s).keys(TUNNEL).get(0)).isEqualTo(keys(OLD).keys(TUNNEL).get(0));
  }

  /**
   * The documented rotation, with each node at its own step (a mounted Secret reaches nodes at different times):
   * 1. old; 2. old + new (new verifies); 3. new + old (new signs); 4. new. At every pair of neighbouring steps a
   * client's packets verify on the EPIC node, whichever of the two moved first.
   */
  @Test
  void rotationNeverRejectsAPacketBetweenNeighbouringSteps() {
    List<String> steps = List.of(OLD, OLD + "\n" + NEW, NEW + "\n" + OLD, NEW);
    long now = 1_000_000;
    for (int epicStep = 0; epicStep < steps.size(); epicStep++) {
      for (int clientStep = Math.max(0, epicStep - 1); clientStep <= Math.min(steps.size() - 1, epicStep + 1); clientStep++) {
        byte[] signing = keys(steps.get(clientStep)).keys(TUNNEL).get(0);
        List<byte[]> accepted = keys(steps.get(epicStep)).keys(TUNNEL);
        ControlVerifier verifier = new ControlVerifier(id -> Map.of(42, accepted).get(id), 30_000);
        byte[] packet = ControlPacket.encode(42, now, signing);
        assertThat(verifier.verify(packet, packet.length, now).verdict())
            .as("EPIC node at step %d, client at step %d", epicStep + 1, clientStep + 1).isEqualTo(Verdict.ACCEPTED);
      }
    }
    // Skipping a step is what the procedure forbids: a client already on "new only" against an EPIC node on "old".
    byte[] packet = ControlPacket.encode(42, now, keys(NEW).keys(TUNNEL).get(0));
    ControlVerifier oldOnly = new ControlVerifier(id -> keys(OLD).keys(TUNNEL), 30_000);
    assertThat(oldOnly.verify(packet, packet.length, now).verdict()).isEqualTo(Verdict.BAD_MAC);
  }

  private static TunnelKeys keys(String content) {
    return new TunnelKeys(ClusterSecret.parse(Path.of("test"), content.getBytes(StandardCharsets.UTF_8)));
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }
}
