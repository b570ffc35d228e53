package org.epicgateway.projections.decider;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import org.epicgateway.schemas.EventHashes;
import org.epicgateway.schemas.avro.Actor;
import org.epicgateway.schemas.avro.ActorKind;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.ConfigApplied;
import org.epicgateway.schemas.avro.ConfigRejected;
import org.epicgateway.schemas.avro.ConfigRolledBack;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.GatewayConfigState;
import org.epicgateway.schemas.avro.RejectionCode;
import org.epicgateway.schemas.avro.ReportConfigApplied;
import org.epicgateway.schemas.avro.ReportConfigRejected;
import org.epicgateway.schemas.avro.ReportConfigRolledBack;
import org.junit.jupiter.api.Test;

/** The xds-projector's reports are commands like any other: decided into chained events of the gatewayconfig aggregate. */
class ConfigReportsDecisionTest {
  private static final Actor PROJECTOR = new Actor(ActorKind.AGENT, "xds-projector", null);
  private static final String GATEWAY = "gateway/acme/default/web";
  private static final String TARGET = "gatewayconfig/acme/default/web";
  private static final String PROXY = GATEWAY + "~envoy-0";

  private final Commands c = new Commands();
  private final MapLookup store = new MapLookup();

  private CommandEnvelope report(String target, Object payload) {
    CommandEnvelope command = c.envelope(target, null, payload);
    command.setActor(PROJECTOR);
    return command;
  }

  private void rejected(CommandEnvelope command, RejectionCode code, String field, String messagePart) {
    Decision d = store.submit(command);
    assertThat(d.accepted()).isFalse();
    assertThat(d.rejection().getCode()).isEqualTo(code);
    assertThat(d.rejection().getField()).isEqualTo(field);
    assertThat(d.rejection().getMessage()).contains(messagePart);
    assertThat(d.events()).isEmpty();
  }

  @Test
  void reportsBecomeChainedEventsActedByTheAgent() {
    CommandEnvelope applied = report(TARGET, new ReportConfigApplied(GATEWAY, PROXY, "v1", List.of("cmd-a")));
    Decision first = store.submit(applied);
    assertThat(first.accepted()).isTrue();
    EventEnvelope e1 = first.events().get(0);
    assertThat(e1.getAggregateId()).isEqualTo(TARGET);
    assertThat(e1.getAggregateType()).isEqualTo("gatewayconfig");
    assertThat(e1.getAccount()).isEqualTo("acme");
    assertThat(e1.getActor()).isEqualTo(PROJECTOR);
    assertThat(e1.getCorrelationId()).isEqualTo(applied.getCommandId());
    assertThat(e1.getSequence()).isEqualTo(1);
    assertThat(e1.getPreviousHash()).isEqualTo(EventHashes.genesis());
    assertThat(e1.getPayload()).isEqualTo(new ConfigApplied(GATEWAY, PROXY, "v1", List.of("cmd-a")));

    EventEnvelope e2 = store.submit(report(TARGET, new ReportConfigRejected(GATEWAY, PROXY, "v2",
        "type.googleapis.com/envoy.config.route.v3.RouteConfiguration", "bad regex"))).events().get(0);
    assertThat(e2.getPayload()).isEqualTo(new ConfigRejected(GATEWAY, PROXY, "v2",
        "type.googleapis.com/envoy.config.route.v3.RouteConfiguration", "bad regex"));
    EventEnvelope e3 = store.submit(report(TARGET, new ReportConfigRolledBack(GATEWAY, "v2", "v1", "all rejected")))
        .events().get(0);
    assertThat(e3.getPayload()).isEqualTo(new ConfigRolledBack(GATEWAY, "v2", "v1", "all rejected"));
    assertThat(e3.getSequence()).isEqualTo(3);
    assertThat(e3.getPreviousHash()).isEqualTo(ByteBuffer.wrap(EventHashes.hash(e2)));
    assertThat(store.states.get(TARGET).getResource()).isEqualTo(new GatewayConfigState(GATEWAY));
    assertThat(store.states.get(TARGET).getVersion()).isEqualTo(3);
  }

  @Test
  void onlyAnAgentReportsAndOnlyOnTheGatewaysOwnConfigAggregate() {
    CommandEnvelope byUser = c.envelope(TARGET, null, new ReportConfigApplied(GATEWAY, PROXY, "v1", List.of()));
    rejected(byUser, RejectionCode.FORBIDDEN, "actor", "only an agent reports what proxies did, not USER 'admin'");
    CommandEnvelope byTenant = report(TARGET, new ReportConfigApplied(GATEWAY, PROXY, "v1", List.of()));
    byTenant.setAccount("acme");
    rejected(byTenant, RejectionCode.FORBIDDEN, "actor", "only an agent");
    rejected(report("gateway/acme/default/web", new ReportConfigApplied(GATEWAY, PROXY, "v1", List.of())),
        RejectionCode.VALIDATION, "targetAggregateId", "targets a gatewayconfig aggregate");
    rejected(report("gatewayconfig/acme/default/other", new ReportConfigApplied(GATEWAY, PROXY, "v1", List.of())),
        RejectionCode.VALIDATION, "targetAggregateId", "does not match the command's resource '" + TARGET + "'");
    rejected(report(TARGET, new ReportConfigApplied("account/acme", PROXY, "v1", List.of())),
        RejectionCode.VALIDATION, "gatewayId", "'account/acme' is not a gateway id");
    rejected(report(TARGET, new ReportConfigApplied(GATEWAY, "", "v1", List.of())),
        RejectionCode.VALIDATION, "proxy", "is required");
    rejected(report(TARGET, new ReportConfigRolledBack(GATEWAY, "v2", "", "x")),
        RejectionCode.VALIDATION, "toVersion", "is required");
    assertThat(store.states).isEmpty();
  }
}
