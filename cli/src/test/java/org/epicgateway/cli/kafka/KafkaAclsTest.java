package org.epicgateway.cli.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What `epic kafka acls` prints: each service's principal gets its own topics and nothing of the others'. */
class KafkaAclsTest {

  @Test
  void eachServiceIsGrantedWhatItUses() {
    StringWriter out = new StringWriter();
    int status = new CommandLine(new KafkaCommand()).setOut(new PrintWriter(out)).execute("acls",
        "--bootstrap-server", "kafka:9093", "--command-config", "admin.properties");
    assertThat(status).isZero();
    String acls = out.toString();
    String prefix = "kafka-acls.sh --bootstrap-server kafka:9093 --command-config admin.properties --add --allow-principal ";
    assertThat(acls.lines()).isNotEmpty().allMatch(l -> l.startsWith(prefix));
    assertThat(acls).contains(
        prefix + "User:epic-decider --operation Write --topic epic.events",
        prefix + "User:epic-decider --operation Read --topic epic.commands",
        prefix + "User:epic-decider --operation All --topic epic-decider- --resource-pattern-type prefixed",
        prefix + "User:epic-decider --operation Write --transactional-id epic-decider- --resource-pattern-type prefixed",
        prefix + "User:epic-command-api --operation Read --topic epic.events",
        prefix + "User:epic-command-api --operation Read --topic epic.gateway-state",
        prefix + "User:epic-command-api --operation Read --topic epic.node-adverts",
        prefix + "User:epic-gateway-view --operation Write --topic epic.gateway-state",
        prefix + "User:epic-envoy-projection --operation Read --topic epic.gateway-state",
        prefix + "User:epic-xds-projector --operation Write --topic epic.commands",
        prefix + "User:epic-xds-projector --operation Read --topic epic.envoy-config",
        prefix + "User:epic-transport-agent --operation Read --topic epic.node-bpf",
        prefix + "User:epic-transport-agent --operation Read --topic epic.node-adverts",
        prefix + "User:epic-transport-agent --operation Write --topic epic.commands");
    // Only the decider writes the event log; the command API writes nothing itself (its commands go through the
    // decider's command bus, in the same process).
    assertThat(acls.lines().filter(l -> l.contains("--operation Write --topic epic.events")))
        .containsExactly(prefix + "User:epic-decider --operation Write --topic epic.events");
    assertThat(acls.lines().filter(l -> l.startsWith(prefix + "User:epic-command-api")))
        .noneMatch(l -> l.contains("--operation Write"));
    // A node's agent writes only commands (its reports) and reads only the per-node records.
    assertThat(acls.lines().filter(l -> l.startsWith(prefix + "User:epic-transport-agent ")).map(l -> l.substring(prefix.length())))
        .containsExactlyInAnyOrder(
            "User:epic-transport-agent --operation Read --topic epic.node-bpf",
            "User:epic-transport-agent --operation Describe --topic epic.node-bpf",
            "User:epic-transport-agent --operation Read --topic epic.node-adverts",
            "User:epic-transport-agent --operation Describe --topic epic.node-adverts",
            "User:epic-transport-agent --operation Write --topic epic.commands",
            "User:epic-transport-agent --operation Describe --topic epic.commands");
  }
}
