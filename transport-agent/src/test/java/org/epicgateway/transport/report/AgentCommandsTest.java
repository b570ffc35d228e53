package org.epicgateway.transport.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.epicgateway.schemas.avro.ActorKind;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.NodeHeartbeat;
import org.epicgateway.schemas.avro.NodeKind;
import org.epicgateway.schemas.avro.ReportTunnelRemoteLearned;
import org.junit.jupiter.api.Test;

class AgentCommandsTest {
  static final Instant T1 = Instant.parse("2026-12-04T17:00:00Z"), T2 = T1.plusSeconds(30);

  @Test
  void idsAreHashesOfTheFactNotOfWhenItWasSent() {
    CommandEnvelope a = AgentCommands.tunnelRemoteLearned("epic-a", 3, "198.18.0.254", 40000, T1);
    assertThat(AgentCommands.tunnelRemoteLearned("epic-a", 3, "198.18.0.254", 40000, T2).getCommandId()).isEqualTo(a.getCommandId());
    assertThat(AgentCommands.tunnelRemoteLearned("epic-a", 3, "198.18.0.254", 40001, T1).getCommandId()).isNotEqualTo(a.getCommandId());
    assertThat(a.getCommandId()).matches("agent-learned-[0-9a-f]{32}");
    assertThat(a.getTargetAggregateId()).isEqualTo("node/epic-a");
    assertThat(a.getActor().getKind()).isEqualTo(ActorKind.AGENT);
    assertThat(a.getActor().getId()).isEqualTo("transport-agent/epic-a");
    assertThat((ReportTunnelRemoteLearned) a.getPayload()).isEqualTo(new ReportTunnelRemoteLearned("epic-a", 3L, "198.18.0.254", 40000));

    CommandEnvelope f = AgentCommands.applyFailed("epic-a", "bgp", "v7", "BIRD is not running", T1);
    assertThat(AgentCommands.applyFailed("epic-a", "bgp", "v7", "BIRD is not running", T2).getCommandId()).isEqualTo(f.getCommandId());
    assertThat(AgentCommands.applyFailed("epic-a", "bgp", "v8", "BIRD is not running", T1).getCommandId()).isNotEqualTo(f.getCommandId());
  }

  @Test
  void eachHeartbeatOfARunIsItsOwnFact() {
    CommandEnvelope b0 = AgentCommands.heartbeat("epic-a", NodeKind.EPIC, List.of("198.18.0.1"), "eth0", null, "boot1", 0, T1);
    assertThat(AgentCommands.heartbeat("epic-a", NodeKind.EPIC, List.of("198.18.0.1"), "eth0", null, "boot1", 0, T2).getCommandId())
        .isEqualTo(b0.getCommandId());
    assertThat(AgentCommands.heartbeat("epic-a", NodeKind.EPIC, List.of("198.18.0.1"), "eth0", null, "boot1", 1, T1).getCommandId())
        .isNotEqualTo(b0.getCommandId());
    assertThat(AgentCommands.heartbeat("epic-a", NodeKind.EPIC, List.of("198.18.0.1"), "eth0", null, "boot2", 0, T1).getCommandId())
        .isNotEqualTo(b0.getCommandId());
    NodeHeartbeat hb = (NodeHeartbeat) b0.getPayload();
    assertThat(hb.getNode()).isEqualTo("epic-a");
    assertThat(hb.getAddresses()).containsExactly("198.18.0.1");
    assertThat(hb.getUplinkInterface()).isEqualTo("eth0");
  }
}
