package org.epicgateway.transport.bgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BirdProcessTest {
  @Test
  void birdRunsInTheForegroundInTheNodesNamespaceAndDiesWithTheAgent() {
    assertThat(BirdProcess.command(Path.of("/usr/sbin/bird"), "epic-node-a", Path.of("/etc/bird/bird.conf"), Path.of("/run/bird/bird.ctl")))
        .containsExactly("/usr/bin/setpriv", "--pdeathsig", "KILL", "ip", "netns", "exec", "epic-node-a",
            "/usr/sbin/bird", "-f", "-c", "/etc/bird/bird.conf", "-s", "/run/bird/bird.ctl");
    assertThat(BirdProcess.command(Path.of("/opt/bird"), null, Path.of("b.conf"), Path.of("b.ctl")))
        .containsExactly("/usr/bin/setpriv", "--pdeathsig", "KILL", "/opt/bird", "-f", "-c", "b.conf", "-s", "b.ctl");
  }

  @Test
  void aMissingBirdIsNamed() {
    assertThatThrownBy(() -> BirdProcess.start(Path.of("/nonexistent/node-bird"), null, Path.of("x.conf"), Path.of("x.ctl"), "", Duration.ofSeconds(1)))
        .hasMessage("BIRD is not installed: no executable /nonexistent/node-bird (Debian package bird2)");
  }
}
