package org.epicgateway.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroDeserializer;

/** Reads epic.events directly (read_committed), to check what the API's writes really appended. */
final class EventLog {
    private EventLog() {
    }

    private static KafkaConsumer<String, EventEnvelope> consumer(ApiFixture f) {
        return new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, f.platform.bootstrapServers(),
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
            new StringDeserializer(),
            new AvroDeserializer<>(EventEnvelope.class, new SchemaRegistryClient(f.platform.schemaRegistryUrl())));
    }

    /** Total committed records over all partitions: unchanged means nothing was appended. */
    static long size(ApiFixture f) {
        try (var c = consumer(f)) {
            List<TopicPartition> tps = c.partitionsFor(Topics.EVENTS).stream()
                .map(p -> new TopicPartition(Topics.EVENTS, p.partition())).toList();
            return c.endOffsets(tps).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** Every event of one aggregate, in log order. */
    static List<EventEnvelope> of(ApiFixture f, String aggregateId) {
        List<EventEnvelope> out = new ArrayList<>();
        try (var c = consumer(f)) {
            List<TopicPartition> tps = c.partitionsFor(Topics.EVENTS).stream()
                .map(p -> new TopicPartition(Topics.EVENTS, p.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read epic.events to its end within 60 s");
                }
                for (ConsumerRecord<String, EventEnvelope> r : c.poll(Duration.ofMillis(200))) {
                    if (r.key().equals(aggregateId)) {
                        out.add(r.value());
                    }
                }
            }
        }
        return out;
    }
}
