package org.epicgateway.provisioner.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.epicgateway.provisioner.provider.ReplicaSpec;
import org.junit.jupiter.api.Test;

/** What the local provider runs where an envoy binary is on PATH, against a golden file. */
class EnvoyLaunchTest {
  static final ReplicaSpec SPEC = new ReplicaSpec("gateway/acme/default/web", 2, Map.of("r0", "epic-a", "r1", "epic-b"),
      "203.0.113.9", List.of(80), "pool-a", List.of("10.77.0.2:8080"), "10.0.0.1", 18000);

  @Test
  void envoyGetsItsBootstrapWithNodeIdGatewayTildeInstanceAndABaseIdOfItsOwn() throws IOException {
    Path dir = Path.of("/var/lib/epic/state/provisioner/gateway_acme_default_web/r0");
    EnvoyLaunch r0 = EnvoyLaunch.of(Path.of("/usr/local/bin/envoy"), SPEC, "r0", dir);
    String golden;
    try (var in = getClass().getResourceAsStream("/envoy/launch-r0.txt")) {
      golden = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat("bootstrap file: " + r0.bootstrapFile() + "\nadmin socket: " + r0.adminSocket() + "\ncommand: "
        + String.join(" ", r0.command()) + "\n---\n" + r0.bootstrap()).isEqualTo(golden);
    // Two replicas of one gateway on one host must not share Envoy's shared-memory base id.
    EnvoyLaunch r1 = EnvoyLaunch.of(Path.of("/usr/local/bin/envoy"), SPEC, "r1", dir.resolveSibling("r1"));
    assertThat(r1.command().get(4)).isNotEqualTo(r0.command().get(4));
    assertThat(r1.bootstrap()).contains("id: \"gateway/acme/default/web~r1\"");
  }
}
