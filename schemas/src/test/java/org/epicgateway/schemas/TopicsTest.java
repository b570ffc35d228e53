package org.epicgateway.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

class TopicsTest {
  @Test
  void eventLogIsKeptForever() {
    Topics.Spec events = Topics.spec(Topics.EVENTS);
    assertThat(events.configs())
        .containsEntry(TopicConfig.RETENTION_MS_CONFIG, "-1")
        .containsEntry(TopicConfig.RETENTION_BYTES_CONFIG, "-1")
        .containsEntry(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
  }

  @Test
  void derivedTopicsAreCompactedAndTheRestExpire() {
    Set<String> compacted = Topics.ALL.stream()
        .filter(s -> TopicConfig.CLEANUP_POLICY_COMPACT.equals(s.configs().get(TopicConfig.CLEANUP_POLICY_CONFIG)))
        .map(Topics.Spec::name).collect(Collectors.toSet());
    assertThat(compacted).containsExactlyInAnyOrder(Topics.GATEWAY_STATE, Topics.ENVOY_CONFIG,
        Topics.ENVOY_ENDPOINTS, Topics.ENVOY_REVISIONS, Topics.NODE_ADVERTS, Topics.NODE_BPF,
        Topics.GATEWAY_VIEW_SHARES);
    assertThat(Topics.spec(Topics.COMMANDS).configs().get(TopicConfig.RETENTION_MS_CONFIG)).isEqualTo("604800000");
    assertThat(Topics.spec(Topics.COMMAND_RESULTS).configs().get(TopicConfig.RETENTION_MS_CONFIG)).isEqualTo("21600000");
    // Receipts are compacted per (command, proxy) and forgotten with the commands they answer for.
    assertThat(Topics.spec(Topics.ENVOY_RECEIPTS).configs()).containsEntry(TopicConfig.CLEANUP_POLICY_CONFIG,
        "compact,delete").containsEntry(TopicConfig.RETENTION_MS_CONFIG, "604800000");
  }

  @Test
  void commandsHaveOnePartitionForTheSingleWriter() {
    assertThat(Topics.spec(Topics.COMMANDS).partitions()).isEqualTo(1);
  }

  @Test
  void newTopicCarriesPartitionsReplicationAndConfigs() {
    NewTopic t = Topics.spec(Topics.NODE_BPF).newTopic((short) 1);
    assertThat(t.name()).isEqualTo("epic.node-bpf");
    assertThat(t.numPartitions()).isEqualTo(Topics.PARTITIONS);
    assertThat(t.replicationFactor()).isEqualTo((short) 1);
    assertThat(t.configs()).containsEntry(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
  }

  @Test
  void unknownTopicIsNamed() {
    assertThatThrownBy(() -> Topics.spec("epic.nope")).hasMessageContaining("unknown topic 'epic.nope'")
        .hasMessageContaining(Topics.EVENTS);
  }
}
