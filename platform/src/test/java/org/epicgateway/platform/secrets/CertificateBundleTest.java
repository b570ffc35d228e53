package org.epicgateway.platform.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an upload is checked for (expired, mismatched, malformed, oversized) and how the encrypted store keeps it. */
class CertificateBundleTest {
    @TempDir
    static Path dir;
    static KeytoolCertificates.Pem shop;
    static KeytoolCertificates.Pem other;
    static KeytoolCertificates.Pem expired;

    @BeforeAll
    static void certificates() throws Exception {
        shop = KeytoolCertificates.selfSigned(dir, "shop.example.com", null, 30);
        other = KeytoolCertificates.selfSigned(dir, "other.example.com", null, 30);
        expired = KeytoolCertificates.selfSigned(dir, "old.example.com", "-30d", 10);
    }

    private static void refused(String chain, String key, String field, String problem) {
        assertThatThrownBy(() -> CertificateBundle.parse(chain, key, Instant.now()))
                .isInstanceOfSatisfying(CertificateBundle.InvalidCertificateException.class,
                        e -> assertThat(e.field()).isEqualTo(field))
                .hasMessageContaining(problem);
    }

    @Test
    void aValidCertificateIsAcceptedWithItsContentHash() {
        CertificateBundle b = CertificateBundle.parse(shop.chain(), shop.key(), Instant.now());
        assertThat(b.sha256()).hasSize(64).isEqualTo(CertificateBundle.sha256(b.certificateChainPem()
                + b.privateKeyPem()));
        assertThat(b.notAfter()).isAfter(Instant.now().plusSeconds(29 * 86_400L));
        assertThat(CertificateBundle.parse(other.chain(), other.key(), Instant.now()).sha256()).isNotEqualTo(b.sha256());
    }

    /**
     * The traditional forms openssl writes and cert-manager stores for RSA (PKCS#1) and EC (SEC1) are accepted and
     * kept as uploaded; a key of the other type, or of another certificate, is still refused naming the problem.
     */
    @Test
    void pkcs1RsaAndSec1EcKeysAreAccepted() throws Exception {
        KeytoolCertificates.Pem rsa = KeytoolCertificates.selfSignedRsa(dir, "rsa.example.com");
        String pkcs1 = traditional(rsa.key());
        assertThat(pkcs1).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        CertificateBundle b = CertificateBundle.parse(rsa.chain(), pkcs1, Instant.now());
        assertThat(b.privateKeyPem()).isEqualTo(pkcs1.strip() + "\n");
        assertThat(b.sha256()).isNotEqualTo(CertificateBundle.parse(rsa.chain(), rsa.key(), Instant.now()).sha256());

        String sec1 = traditional(shop.key());
        assertThat(sec1).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertThat(CertificateBundle.parse(shop.chain(), sec1, Instant.now()).privateKeyPem())
                .isEqualTo(sec1.strip() + "\n");

        refused(shop.chain(), traditional(other.key()), "privateKey", "does not match the certificate's public key");
        refused(shop.chain(), pkcs1, "privateKey", "is not a PKCS#1 RSA private key (the certificate's key is EC)");
        refused(rsa.chain(), sec1, "privateKey", "is not a SEC1 EC private key (the certificate's key is RSA)");
        refused(rsa.chain(), pkcs1.replace("MII", "MIJ"), "privateKey", "is not a PKCS#1 RSA private key");
    }

    /** The key in the traditional form, as {@code openssl pkey -traditional} writes it (openssl is required). */
    private static String traditional(String pkcs8Pem) throws Exception {
        Process p = new ProcessBuilder("openssl", "pkey", "-traditional").start();
        p.getOutputStream().write(pkcs8Pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        if (p.waitFor() != 0) {
            throw new AssertionError("openssl pkey -traditional failed: " + err);
        }
        return out;
    }

    @Test
    void badUploadsAreRefusedNamingTheProblem() {
        refused(expired.chain(), expired.key(), "certificate", "expired at");
        refused(shop.chain(), other.key(), "privateKey", "does not match the certificate's public key");
        refused("hello", shop.key(), "certificate", "is not PEM");
        refused(shop.chain(), "", "privateKey", "is empty");
        refused(shop.chain().replace("MII", "M!I"), shop.key(), "certificate", "not PEM");
        refused(KeytoolCertificates.pem("CERTIFICATE", new byte[] {1, 2, 3}), shop.key(), "certificate",
                "block 1 is not an X.509 certificate");
        refused(shop.chain(), shop.key().replace("PRIVATE KEY", "ENCRYPTED PRIVATE KEY"), "privateKey",
                "openssl pkcs8");
        refused(shop.chain(), shop.key().replace("PRIVATE KEY", "EC PRIVATE KEY"), "privateKey",
                "is not a SEC1 EC private key: it names no curve");
        refused(shop.chain(), shop.key() + shop.key(), "privateKey", "holds 2 keys");
        refused(shop.chain().repeat(CertificateBundle.MAX_PEM_BYTES / shop.chain().length() + 1), shop.key(),
                "certificate", "at most 65536 are allowed");
        refused(shop.chain().repeat(CertificateBundle.MAX_CHAIN + 1), shop.key(), "certificate", "at most 8");
        assertThatThrownBy(() -> CertificateBundle.parse(shop.chain(), shop.key(), Instant.now().minusSeconds(86_400)))
                .hasMessageContaining("certificate is not valid before");
    }

    @Test
    void theStoreKeepsCertificatesSealedWithAKeyOutsideIt() throws Exception {
        Path storeDir = dir.resolve("store");
        Path keyFile = dir.resolve("certificates.key");
        EncryptedCertificateStore store = EncryptedCertificateStore.open(storeDir, keyFile);
        List<String> changed = new ArrayList<>();
        store.onChange(changed::add);
        CertificateBundle b = CertificateBundle.parse(shop.chain(), shop.key(), Instant.now());
        assertThat(store.put("acme/shop/tls", b)).isEqualTo(b.sha256());
        Path file = storeDir.resolve("acme/shop/tls.pem.sealed");
        assertThat(Files.readString(file)).startsWith(SecretBox.PREFIX).doesNotContain("PRIVATE KEY")
                .doesNotContain("CERTIFICATE");
        assertThat(Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE);
        assertThat(EncryptedCertificateStore.open(storeDir, keyFile).get("acme/shop/tls")).hasValue(b);
        assertThat(changed).containsExactly("acme/shop/tls");
        assertThat(store.remove("acme/shop/tls")).isTrue();
        assertThat(store.get("acme/shop/tls")).isEmpty();
        assertThat(changed).containsExactly("acme/shop/tls", "acme/shop/tls");

        store.put("acme/shop/tls", b);
        Files.delete(keyFile); // crypto-erasure: a new key reads nothing
        assertThat(EncryptedCertificateStore.open(storeDir, keyFile).get("acme/shop/tls")).isEmpty();
        assertThatThrownBy(() -> store.put("acme/../etc", b)).hasMessageContaining("DNS labels");
        assertThatThrownBy(() -> EncryptedCertificateStore.open(storeDir, storeDir.resolve("k")))
                .hasMessageContaining("must live outside the store");
    }
}
