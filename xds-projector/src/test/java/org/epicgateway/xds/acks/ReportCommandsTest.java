package org.epicgateway.xds.acks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.epicgateway.schemas.avro.ActorKind;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.ReportConfigApplied;
import org.epicgateway.schemas.avro.ReportConfigRejected;
import org.epicgateway.schemas.avro.ReportConfigRolledBack;
import org.junit.jupiter.api.Test;

class ReportCommandsTest {
  private static final String GATEWAY = "gateway/acme/default/web";
  private static final String NODE = GATEWAY + "~envoy-0";
  private static final Instant T1 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant T2 = Instant.parse("2026-01-01T00:05:00Z");
  private static final String RDS = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";

  @Test
  void aReportIsAnAgentsCommandOnTheGatewaysConfigAggregate() {
    CommandEnvelope c = ReportCommands.applied(GATEWAY, NODE, "v1", List.of("cmd-1", "cmd-2"), T1);
    assertThat(c.getTargetAggregateId()).isEqualTo("gatewayconfig/acme/default/web");
    assertThat(c.getActor().getKind()).isEqualTo(ActorKind.AGENT);
    assertThat(c.getActor().getId()).isEqualTo("xds-projector");
    assertThat(c.getAccount()).isNull();
    assertThat(c.getExpectedVersion()).isNull();
    assertThat(c.getTimestamp()).isEqualTo(T1);
    assertThat(c.getPayload()).isEqualTo(new ReportConfigApplied(GATEWAY, NODE, "v1", List.of("cmd-1", "cmd-2")));
    assertThat(ReportCommands.rejected(GATEWAY, NODE, "v2", RDS, "bad", T1).getPayload())
        .isEqualTo(new ReportConfigRejected(GATEWAY, NODE, "v2", RDS, "bad"));
    assertThat(ReportCommands.rolledBack(GATEWAY, "v2", "v1", "all rejected", T1).getPayload())
        .isEqualTo(new ReportConfigRolledBack(GATEWAY, "v2", "v1", "all rejected"));
  }

  @Test
  void theSameObservationHasTheSameIdWhenever() {
    String id = ReportCommands.applied(GATEWAY, NODE, "v1", List.of("cmd-1"), T1).getCommandId();
    assertThat(id).isEqualTo("xds-applied-" + id.substring("xds-applied-".length())).hasSize(12 + 32);
    assertThat(ReportCommands.applied(GATEWAY, NODE, "v1", List.of("cmd-1"), T2).getCommandId()).isEqualTo(id);
    assertThat(ReportCommands.applied(GATEWAY, GATEWAY + "~envoy-1", "v1", List.of("cmd-1"), T1).getCommandId())
        .isNotEqualTo(id);
    assertThat(ReportCommands.applied(GATEWAY, NODE, "v2", List.of("cmd-1"), T1).getCommandId()).isNotEqualTo(id);
    assertThat(ReportCommands.rejected(GATEWAY, NODE, "v1", RDS, "one error", T1).getCommandId())
        .isEqualTo(ReportCommands.rejected(GATEWAY, NODE, "v1", RDS, "another wording", T2).getCommandId())
        .startsWith("xds-rejected-");
    assertThat(ReportCommands.rolledBack(GATEWAY, "v2", "v1", "x", T1).getCommandId())
        .isEqualTo(ReportCommands.rolledBack(GATEWAY, "v2", "v1", "y", T2).getCommandId())
        .isNotEqualTo(ReportCommands.rolledBack(GATEWAY, "v3", "v1", "x", T1).getCommandId());
    // Parts are separated, so shifting a character from one part to the next is another observation.
    assertThat(ReportCommands.commandId("applied", "ab", "c")).isNotEqualTo(ReportCommands.commandId("applied", "a", "bc"));
  }

  @Test
  void aNodeOfNoGatewayCannotBeReportedOn() {
    assertThatThrownBy(() -> ReportCommands.applied("account/acme", NODE, "v1", List.of(), T1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a gateway id: account/acme");
  }
}
