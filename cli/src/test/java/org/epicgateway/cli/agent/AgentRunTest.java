package org.epicgateway.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.epicgateway.cli.Epic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code epic agent run --node}: what it refuses before touching the node, each cause named. */
class AgentRunTest {
  @TempDir Path dir;

  @Test
  void aMissingClusterSecretFileIsNamed() {
    Path missing = dir.resolve("cluster-secret");
    String err = fails("agent", "run", "--node", "epic-a", "--uplink", "lo", "--cluster-secret", missing.toString(),
        "--bootstrap", "127.0.0.1:1", "--metrics", "off");
    assertThat(err).isEqualTo("epic agent run: cluster secret file " + missing + " does not exist\n");
  }

  @Test
  void bgpWithoutItsSettingsIsRefused() throws Exception {
    Path secret = Files.writeString(dir.resolve("secret"), "0123456789abcdef0123456789abcdef\n");
    String err = fails("agent", "run", "--node", "epic-a", "--uplink", "lo", "--cluster-secret", secret.toString(),
        "--bird-socket", dir.resolve("bird.ctl").toString(), "--bgp-as", "65001", "--metrics", "off");
    assertThat(err).isEqualTo("epic agent run: --bird-socket needs --bgp-as, --router-id and at least one --bgp-peer\n");
    String badPeer = fails("agent", "run", "--node", "epic-a", "--uplink", "lo", "--cluster-secret", secret.toString(),
        "--bird-socket", dir.resolve("bird.ctl").toString(), "--bgp-as", "65001", "--router-id", "198.18.0.1",
        "--bgp-peer", "router.example/65000", "--metrics", "off");
    assertThat(badPeer).isEqualTo("epic agent run: BGP peer 'router.example/65000': 'router.example' is not an IP address\n");
  }

  @Test
  void nodeAndConfigExcludeEachOther() {
    String err = fails("agent", "run", "--node", "epic-a", "--config", "node.json");
    assertThat(err).contains("--node", "--config", "mutually exclusive");
  }

  private static String fails(String... args) {
    StringWriter err = new StringWriter();
    int exit = new CommandLine(new Epic()).setErr(new PrintWriter(err, true)).execute(args);
    assertThat(exit).as(err.toString()).isNotZero();
    return err.toString();
  }
}
