package org.epicgateway.infra.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.epicgateway.schemas.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopicSetupTest {

    @TempDir
    Path dir;

    @Test
    void createsEveryTopicWithItsConfigsAndRestoresChangedConfigs() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir); Admin admin = kafka.admin()) {
            TopicSetup.ensure(admin);
            assertThat(admin.listTopics().names().get()).containsAll(Topics.ALL.stream().map(Topics.Spec::name).toList());
            assertThat(config(admin, Topics.EVENTS, "retention.ms")).isEqualTo("-1");
            assertThat(config(admin, Topics.EVENTS, "cleanup.policy")).isEqualTo("delete");
            for (String derived : List.of(Topics.GATEWAY_STATE, Topics.ENVOY_CONFIG, Topics.ENVOY_ENDPOINTS, Topics.NODE_ADVERTS, Topics.NODE_BPF)) {
                assertThat(config(admin, derived, "cleanup.policy")).as(derived).isEqualTo("compact");
            }
            assertThat(admin.describeTopics(List.of(Topics.COMMANDS)).allTopicNames().get().get(Topics.COMMANDS).partitions())
                    .hasSize(Topics.spec(Topics.COMMANDS).partitions());

            // Someone shortens the audit log's retention; the next start puts the declared config back.
            ConfigResource events = new ConfigResource(ConfigResource.Type.TOPIC, Topics.EVENTS);
            admin.incrementalAlterConfigs(Map.of(events, List.of(
                    new AlterConfigOp(new ConfigEntry("retention.ms", "1000"), AlterConfigOp.OpType.SET)))).all().get();
            TopicSetup.ensure(admin);
            assertThat(config(admin, Topics.EVENTS, "retention.ms")).isEqualTo("-1");
        }
    }

    @Test
    void refusesAnExistingTopicWithOtherPartitions() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir); Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(Topics.EVENTS, Topics.PARTITIONS + 1, (short) 1))).all().get();
            assertThatThrownBy(() -> TopicSetup.ensure(admin))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(Topics.EVENTS + " has " + (Topics.PARTITIONS + 1) + " partitions");
        }
    }

    private static String config(Admin admin, String topic, String name) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config c = admin.describeConfigs(List.of(r)).all().get().get(r);
        return c.get(name).value();
    }
}
