package org.epicgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * and expiry only; bad ones are 422 naming the problem; another tenant may not touch them; nothing reaches Kafka.
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
    void anUploadIsStoredEncryptedAndReadBackWithoutItsKey() throws Exception {
        String path = "/api/v1/accounts/" + a + "/certificates/shop/store-tls";
        long events = EventLog.size(f);
        Http.Response put = f.http.put(path, body(shop.chain(), shop.key()), alice, null);
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        assertThat(put.json().get("name").asText()).isEqualTo(a + "/shop/store-tls");
        assertThat(put.json().get("sha256").asText()).hasSize(64);
        JsonNode read = f.http.get(path, alice).json();
        assertThat(read).isEqualTo(put.json());
        assertThat(read.toString()).doesNotContain("PRIVATE KEY");

        Path stored = f.context.dataDir().resolve("tls/certificates/" + a + "/shop/store-tls.pem.sealed");
        assertThat(Files.readString(stored)).doesNotContain("PRIVATE KEY").doesNotContain("CERTIFICATE");
        assertThat(EncryptedCertificateStore.ofDataDir(f.context.dataDir()).get(a + "/shop/store-tls"))
            .hasValueSatisfying(c -> assertThat(c.sha256()).isEqualTo(put.json().get("sha256").asText()));
        assertThat(EventLog.size(f)).as("key material never travels as a command or event").isEqualTo(events);

        // Rotation: a new upload under the same name replaces it.
        Http.Response rotated = f.http.put(path, body(other.chain(), other.key()), alice, null);
        assertThat(rotated.json().get("sha256").asText()).isNotEqualTo(put.json().get("sha256").asText());

        refused(403, "FORBIDDEN", f.http.get(path, bob));
        refused(403, "FORBIDDEN", f.http.put(path, body(shop.chain(), shop.key()), bob, null));
        refused(403, "FORBIDDEN", f.http.delete(path, bob, null));

        assertThat(f.http.delete(path, alice, null).status()).isEqualTo(200);
        refused(404, "NOT_FOUND", f.http.get(path, alice));
        assertThat(Files.exists(stored)).isFalse();
    }

    @Test
    void badUploadsAre422NamingTheProblem() {
        String path = "/api/v1/accounts/" + a + "/certificates/shop/bad";
        record Case(String chain, String key, String field, String problem) {}
        Stream.of(
            new Case(expired.chain(), expired.key(), "certificate", "expired at"),
            new Case(shop.chain(), other.key(), "privateKey", "does not match the certificate's public key"),
            new Case("not a certificate", shop.key(), "certificate", "is not PEM"),
            new Case(shop.chain(), shop.key().replace("PRIVATE KEY", "RSA PRIVATE KEY"), "privateKey", "PKCS#8"),
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
