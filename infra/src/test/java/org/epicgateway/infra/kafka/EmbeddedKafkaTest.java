package org.epicgateway.infra.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {

    @TempDir
    Path dir;

    @Test
    void recordsAndConsumerOffsetsSurviveARestartOnTheSameDirectory() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir)) {
            try (Admin admin = kafka.admin()) {
                admin.createTopics(List.of(new NewTopic("t", 1, (short) 1))).all().get();
            }
            produce(kafka, "t", "k1", "v1", "k2", "v2");
            assertThat(consume(kafka, "t", "g", 2)).containsExactly("k1=v1", "k2=v2");
        }
        // A new broker on new ports over the same data: the old records and the group's offsets are still there.
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir)) {
            produce(kafka, "t", "k3", "v3");
            assertThat(consume(kafka, "t", "fresh-group", 3)).containsExactly("k1=v1", "k2=v2", "k3=v3");
            assertThat(consume(kafka, "t", "g", 1)).containsExactly("k3=v3");
        }
    }

    @Test
    void theCoordinatorTopicsKeepSmallSegmentsAlsoInADirectoryMadeBeforeThem() throws Exception {
        ConfigResource offsets = new ConfigResource(ConfigResource.Type.TOPIC, "__consumer_offsets");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir)) {
            try (Admin admin = kafka.admin()) {
                admin.createTopics(List.of(new NewTopic("t", 1, (short) 1))).all().get();
            }
            produce(kafka, "t", "k1", "v1");
            consume(kafka, "t", "g", 1); // the group's commit creates __consumer_offsets
            try (Admin admin = kafka.admin()) {
                assertThat(segmentBytes(admin, offsets)).isEqualTo(EmbeddedKafka.COORDINATOR_SEGMENT_BYTES);
                // As a data directory from before the setting has it: the 100 MiB default stored on the topic.
                admin.incrementalAlterConfigs(Map.of(offsets, List.of(new AlterConfigOp(
                        new ConfigEntry(TopicConfig.SEGMENT_BYTES_CONFIG, String.valueOf(100 * 1024 * 1024)),
                        AlterConfigOp.OpType.SET)))).all().get();
                assertThat(segmentBytes(admin, offsets)).isEqualTo(100 * 1024 * 1024);
            }
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir); Admin admin = kafka.admin()) {
            assertThat(segmentBytes(admin, offsets)).isEqualTo(EmbeddedKafka.COORDINATOR_SEGMENT_BYTES);
        }
    }

    private static int segmentBytes(Admin admin, ConfigResource topic) throws Exception {
        return Integer.parseInt(admin.describeConfigs(List.of(topic)).all().get().get(topic)
                .get(TopicConfig.SEGMENT_BYTES_CONFIG).value());
    }

    @Test
    void aTopicIsNeverCreatedImplicitly() {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir); Admin admin = kafka.admin()) {
            assertThatThrownBy(() -> admin.describeTopics(List.of("typo")).allTopicNames().get())
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
        }
    }

    private static void produce(EmbeddedKafka kafka, String topic, String... keyValues) throws Exception {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < keyValues.length; i += 2) {
                p.send(new ProducerRecord<>(topic, keyValues[i], keyValues[i + 1])).get();
            }
        }
    }

    /** Reads exactly {@code count} records as a group member, committing what it read. */
    private static List<String> consume(EmbeddedKafka kafka, String topic, String group, int count) {
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, count), new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (seen.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    seen.add(r.key() + "=" + r.value());
                }
            }
            c.commitSync();
        }
        return seen;
    }
}
