package org.epicgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.epicgateway.infra.Directories;
import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.projections.audit.ChainVerifier;
import org.epicgateway.projections.audit.EventLog;
import org.epicgateway.projections.audit.Progress;
import org.epicgateway.projections.topology.DeciderService;
import org.epicgateway.projections.topology.DeciderTopology;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.console.EventJsonFormatter;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.junit.jupiter.api.Test;

/**
 * Password hashes on Kafka are encrypted with the API's secrets key, and deleting that key erases them while the log
 * stays verifiable. Runs its own platform: erasing the key re-creates the admin, which the shared log must not see.
 */
class SecretsOnKafkaTest {
    private static final String BCRYPT = "\\$2[aby]\\$";

    @Test
    void hashesAreEncryptedOnEveryTopicAndDeletingTheKeyErasesThem() throws Exception {
        Path dir = Files.createTempDirectory("epic-secrets-test-");
        EmbeddedPlatform platform = EmbeddedPlatform.start(dir);
        DeciderService decider = new DeciderService();
        ApiService api = null;
        try {
            decider.start(platform.context());
            api = new ApiService(ApiFixture.config(), decider);
            api.start(platform.context());
            Http http = new Http(api.port());
            ApiFixture.created(http.post("/api/v1/accounts", "{\"account\":\"acme\"}", ApiFixture.ADMIN));
            ApiFixture.created(http.post("/api/v1/accounts/acme/users",
                "{\"username\":\"alice\",\"password\":\"alice-password-1\"}", ApiFixture.ADMIN));
            String alice = Http.basic("alice@acme", "alice-password-1");
            assertThat(http.get("/api/v1/accounts/acme", alice).status()).isEqualTo(200);

            // What any Kafka client with read access sees, through the operators' console formatter.
            String events = formatted(platform, Topics.EVENTS);
            assertThat(events).contains("\"@type\":\"ApiUserAdded\"").contains("\"passwordHash\":\"aesgcm1:")
                .doesNotContainPattern(BCRYPT);
            assertThat(formatted(platform, Topics.COMMANDS)).contains("\"passwordHash\":\"aesgcm1:")
                .doesNotContainPattern(BCRYPT);
            for (String topic : List.of(Topics.EVENTS, Topics.COMMANDS, DeciderTopology.STORE_CHANGELOG)) {
                List<ConsumerRecord<byte[], byte[]>> records = records(platform, topic);
                assertThat(records).as(topic).isNotEmpty();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    assertThat(r.value() == null ? "" : new String(r.value(), StandardCharsets.ISO_8859_1))
                        .as("%s-%d@%d", topic, r.partition(), r.offset()).doesNotContainPattern(BCRYPT);
                }
            }

            // Crypto-erasure: without the key no stored hash opens; the admin is re-created from its configured
            // password through the decider; the log itself is untouched and still verifies.
            api.close();
            Files.delete(dir.resolve("api/secrets.key"));
            api = new ApiService(ApiFixture.config(), decider);
            api.start(platform.context());
            http = new Http(api.port());
            assertThat(http.get("/api/v1/accounts/acme", alice).status()).isEqualTo(401);
            assertThat(http.get("/api/v1/accounts/acme", ApiFixture.ADMIN).status()).isEqualTo(200);
            assertThat(http.get("/api/v1/audit?aggregate=account/system", ApiFixture.ADMIN).json().get("items"))
                .extracting(e -> e.get("type").asText())
                .containsExactly("ApiUserAdded", "ApiUserRemoved", "ApiUserAdded", "AccountCreated");
            ChainVerifier verifier = new ChainVerifier(DeciderService.chainKey(platform.context()));
            new EventLog(platform.kafkaClient(), new SchemaRegistryClient(platform.schemaRegistryUrl()))
                .readEvents(Progress.silent(), verifier::check);
            assertThat(verifier.result().firstBreak()).isEmpty();
            Http.Response replay = http.get("/api/v1/audit/replay?at=2999-01-01T00:00:00Z&account=acme",
                ApiFixture.ADMIN);
            assertThat(replay.status()).as(replay.body()).isEqualTo(200);
            assertThat(replay.body()).contains("alice").doesNotContainPattern(BCRYPT);
        } finally {
            if (api != null) {
                api.close();
            }
            decider.close();
            platform.close();
            Directories.deleteRecursively(dir);
        }
    }

    private static String formatted(EmbeddedPlatform platform, String topic) {
        EventJsonFormatter formatter = new EventJsonFormatter();
        formatter.configure(Map.of("schema.registry.url", platform.schemaRegistryUrl()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            records(platform, topic).forEach(r -> formatter.writeTo(r, print));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Every committed record of {@code topic}, from the beginning to its current end. */
    private static List<ConsumerRecord<byte[], byte[]>> records(EmbeddedPlatform platform, String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers(),
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
                && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }
}
