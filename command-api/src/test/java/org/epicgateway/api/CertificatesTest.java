package org.epicgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.CertificateRecorded;
import org.epicgateway.schemas.avro.CertificateRemoved;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.epicgateway.platform.secrets.CertificateBundle;
import org.epicgateway.platform.secrets.EncryptedCertificateStore;
import org.epicgateway.platform.secrets.KeytoolCertificates;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificate upload over REST: a good one is stored encrypted under the data directory and read back as name, hash
 * and expiry only, recorded on epic.events by name and hash; bad ones are 422 naming the problem; another tenant may
 * not touch them; no record of any topic holds the key.
 */
class CertificatesTest {
    @TempDir
    static Path dir;
    private static ApiFixture f;
    private static String a;
    private static String alice;
    private static String bob;
    private static KeytoolCertificates.Pem shop;
    private static KeytoolCertificates.Pem other;
    private static KeytoolCertificates.Pem expired;

    @BeforeAll
    static void setUp() throws Exception {
        f = ApiFixture.get();
        ApiFixture.Tenants t = f.twoTenants("198.18.6.0/28");
        a = t.a();
        alice = t.alice();
        bob = t.bob();
        shop = KeytoolCertificates.selfSigned(dir, "shop.example.com", null, 30);
        other = KeytoolCertificates.selfSigned(dir, "other.example.com", null, 30);
        expired = KeytoolCertificates.selfSigned(dir, "old.example.com", "-30d", 10);
    }

    private static String body(String chain, String key) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("certificate", chain);
        o.put("privateKey", key);
        return o.toString();
    }

    private static JsonNode refused(int status, String code, Http.Response r) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.json().get("code").asText()).isEqualTo(code);
        return r.json();
    }

    @Test
    void anUploadIsStoredEncryptedRecordedByItsHashAndNoKeyReachesKafka() throws Exception {
        String path = "/api/v1/accounts/" + a + "/certificates/shop/store-tls";
        Http.Response put = f.http.put(path, body(shop.chain(), shop.key()), alice, null);
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        assertThat(put.json().get("name").asText()).isEqualTo(a + "/shop/store-tls");
        assertThat(put.json().get("sha256").asText()).hasSize(64);
        JsonNode read = f.http.get(path, alice).json();
        assertThat(read).isEqualTo(((ObjectNode) put.json().deepCopy()).without(List.of("commandId", "version")));
        assertThat(read.toString()).doesNotContain("PRIVATE KEY");

        Path stored = f.context.dataDir().resolve("tls/certificates/" + a + "/shop/store-tls.pem.sealed");
        assertThat(Files.readString(stored)).doesNotContain("PRIVATE KEY").doesNotContain("CERTIFICATE");
        assertThat(EncryptedCertificateStore.ofDataDir(f.context.dataDir()).get(a + "/shop/store-tls"))
            .hasValueSatisfying(c -> assertThat(c.sha256()).isEqualTo(put.json().get("sha256").asText()));
        // The event is the reference only: name, content hash, expiry.
        assertThat(EventLog.of(f, "certificate/" + a + "/shop/store-tls")).singleElement().satisfies(e -> {
            assertThat(e.getPayload()).isEqualTo(new CertificateRecorded(a, "shop", "store-tls",
                put.json().get("sha256").asText(), Instant.parse(put.json().get("notAfter").asText())));
            assertThat(e.getCorrelationId()).isEqualTo(put.json().get("commandId").asText());
        });
        assertNoKeyOnKafka(shop.key());

        // Rotation: a new upload under the same name replaces it.
        Http.Response rotated = f.http.put(path, body(other.chain(), other.key()), alice, null);
        assertThat(rotated.json().get("sha256").asText()).isNotEqualTo(put.json().get("sha256").asText());

        assertThat(EventLog.of(f, "certificate/" + a + "/shop/store-tls")).hasSize(2);
        assertNoKeyOnKafka(other.key());

        refused(403, "FORBIDDEN", f.http.get(path, bob));
        refused(403, "FORBIDDEN", f.http.put(path, body(shop.chain(), shop.key()), bob, null));
        refused(403, "FORBIDDEN", f.http.delete(path, bob, null));

        assertThat(f.http.delete(path, alice, null).status()).isEqualTo(200);
        refused(404, "NOT_FOUND", f.http.get(path, alice));
        assertThat(Files.exists(stored)).isFalse();
        assertThat(EventLog.of(f, "certificate/" + a + "/shop/store-tls")).last()
            .satisfies(e -> assertThat(e.getPayload()).isInstanceOf(CertificateRemoved.class));
    }

    /**
     * A key decided before is answered as it was, says {@code replayed: true} and touches the store not at all: an
     * upload replayed after its removal stores nothing (the workload controllers check and upload under a new key),
     * and a removal replayed after a new upload removes nothing, so record and stored key never part.
     */
    @Test
    void aReplayedUploadOrRemovalSaysSoAndLeavesTheStoreAsItIs() {
        String path = "/api/v1/accounts/" + a + "/certificates/shop/replay-tls";
        Http.Response put = f.http.sendWithHeaders("PUT", path, body(shop.chain(), shop.key()), alice,
            Map.of("Idempotency-Key", "upload-1"));
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        assertThat(put.json().has("replayed")).as("stored now").isFalse();
        Http.Response delete = f.http.sendWithHeaders("DELETE", path, null, alice, Map.of("Idempotency-Key", "remove-1"));
        assertThat(delete.status()).as(delete.body()).isEqualTo(200);
        assertThat(delete.json().has("replayed")).isFalse();
        int events = EventLog.of(f, "certificate/" + a + "/shop/replay-tls").size();

        Http.Response again = f.http.sendWithHeaders("PUT", path, body(shop.chain(), shop.key()), alice,
            Map.of("Idempotency-Key", "upload-1"));
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.json().path("replayed").asBoolean()).as("answered from the decided commands").isTrue();
        assertThat(again.json().get("commandId")).isEqualTo(put.json().get("commandId"));
        refused(404, "NOT_FOUND", f.http.get(path, alice));

        Http.Response fresh = f.http.sendWithHeaders("PUT", path, body(shop.chain(), shop.key()), alice,
            Map.of("Idempotency-Key", "upload-2", "Epic-Cluster", "east"));
        assertThat(fresh.json().has("replayed")).isFalse();
        Http.Response replayedDelete = f.http.sendWithHeaders("DELETE", path, null, alice,
            Map.of("Idempotency-Key", "remove-1"));
        assertThat(replayedDelete.status()).as(replayedDelete.body()).isEqualTo(200);
        assertThat(replayedDelete.json().path("replayed").asBoolean()).isTrue();
        assertThat(f.http.get(path, alice).json().path("sha256").asText()).as("still stored")
            .isEqualTo(fresh.json().path("sha256").asText());
        assertThat(EventLog.of(f, "certificate/" + a + "/shop/replay-tls")).as("the new upload's event only")
            .hasSize(events + 1).last().satisfies(e -> assertThat(e.getPayload()).isInstanceOf(CertificateRecorded.class));

        // The records a workload cluster uploaded, as its controller's start lists them.
        JsonNode owned = f.http.get("/api/v1/accounts/" + a + "/certificates?owner=east", alice).json();
        assertThat(owned.get("items")).singleElement().satisfies(i -> {
            assertThat(i.get("aggregateId").asText()).isEqualTo("certificate/" + a + "/shop/replay-tls");
            assertThat(i.at("/spec/sha256").asText()).isEqualTo(fresh.json().get("sha256").asText());
        });
        assertThat(f.http.get("/api/v1/accounts/" + a + "/certificates?owner=west", alice).json().get("items")).isEmpty();
    }

    /**
     * No record of any topic on the broker (commands, results, events, the decider's changelogs, whatever exists)
     * holds the key: its PEM base64 lines, its DER bytes, or a PEM key header.
     */
    private static void assertNoKeyOnKafka(String keyPem) throws Exception {
        String base64 = keyPem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        byte[] der = Base64.getDecoder().decode(base64);
        List<String> lines = keyPem.lines().filter(l -> !l.startsWith("-----")).toList();
        Set<String> topics;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            f.platform.bootstrapServers()))) {
            topics = admin.listTopics(new ListTopicsOptions().listInternal(false)).names().get();
        }
        assertThat(topics).contains(Topics.EVENTS, Topics.COMMANDS);
        int read = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, f.platform.bootstrapServers(),
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = topics.stream().flatMap(t -> consumer.partitionsFor(t).stream()
                .map(p -> new TopicPartition(t, p.partition()))).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
                && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    read++;
                    for (byte[] bytes : new byte[][] {r.key(), r.value()}) {
                        if (bytes == null) {
                            continue;
                        }
                        String text = new String(bytes, StandardCharsets.ISO_8859_1);
                        String where = r.topic() + "-" + r.partition() + "@" + r.offset();
                        assertThat(text).as(where).doesNotContain("PRIVATE KEY");
                        lines.forEach(l -> assertThat(text).as(where).doesNotContain(l));
                        assertThat(indexOf(bytes, der)).as(where).isNegative();
                    }
                }
            }
            assertThat(partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp)))
                .as("read every topic to its end").isTrue();
        }
        assertThat(read).isPositive();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void badUploadsAre422NamingTheProblem() {
        String path = "/api/v1/accounts/" + a + "/certificates/shop/bad";
        record Case(String chain, String key, String field, String problem) {}
        Stream.of(
            new Case(expired.chain(), expired.key(), "certificate", "expired at"),
            new Case(shop.chain(), other.key(), "privateKey", "does not match the certificate's public key"),
            new Case("not a certificate", shop.key(), "certificate", "is not PEM"),
            new Case(shop.chain(), shop.key().replace("PRIVATE KEY", "RSA PRIVATE KEY"), "privateKey",
                "is not a PKCS#1 RSA private key (the certificate's key is EC)"),
            new Case(shop.chain(), shop.key().replace("PRIVATE KEY", "ENCRYPTED PRIVATE KEY"), "privateKey",
                "unencrypted PKCS#8, PKCS#1 RSA or SEC1 EC"),
            new Case(shop.chain().repeat(CertificateBundle.MAX_PEM_BYTES / shop.chain().length() + 1), shop.key(), "certificate", "at most 65536 are allowed")
        ).forEach(c -> {
            JsonNode error = refused(422, "INVALID_CERTIFICATE", f.http.put(path, body(c.chain(), c.key()), alice, null));
            assertThat(error.get("field").asText()).isEqualTo(c.field());
            assertThat(error.get("message").asText()).contains(c.problem());
        });
        refused(400, "BAD_REQUEST", f.http.put(path, "{\"certificate\":\"x\"}", alice, null));
        refused(404, "NOT_FOUND", f.http.get(path, alice));
    }
}
