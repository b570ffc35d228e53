package org.epicgateway.platform.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production store against fabric8's KubernetesMockServer in CRUD mode (the one accepted stand-in for an API
 * server): certificates are {@code kubernetes.io/tls} Secrets, a Secret rotated behind the store's back is heard
 * through the watch and served, a Secret that is not a usable certificate is not served.
 */
class KubernetesCertificateStoreTest {
    @TempDir
    static Path dir;
    private static KeytoolCertificates.Pem shop;
    private static KeytoolCertificates.Pem rotated;
    private static KeytoolCertificates.Pem expired;

    private KubernetesMockServer server;
    private KubernetesClient client;
    private KubernetesCertificateStore store;

    @BeforeAll
    static void certificates() throws Exception {
        shop = KeytoolCertificates.selfSigned(dir, "shop.example.com", null, 30);
        rotated = KeytoolCertificates.selfSigned(dir, "shop.example.com", null, 60);
        expired = KeytoolCertificates.selfSigned(dir, "old.example.com", "-30d", 10);
    }

    @BeforeEach
    void cluster() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
            new KubernetesCrudDispatcher(), false);
        server.init();
        client = server.createClient();
        store = new KubernetesCertificateStore(client, "epic", Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        store.close();
        client.close();
        server.destroy();
    }

    private static CertificateBundle bundle(KeytoolCertificates.Pem pem) {
        return CertificateBundle.parse(pem.chain(), pem.key(), java.time.Instant.now());
    }

    private static String text(Secret s, String key) {
        return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
    }

    @Test
    void aCertificateIsATlsSecretReadBackWithItsHash() {
        CertificateBundle put = bundle(shop);
        assertThat(store.put("acme/shop/store-tls", put)).isEqualTo(put.sha256());

        Secret secret = client.secrets().inNamespace("epic").withName("acme.shop.store-tls").get();
        assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(text(secret, "tls.crt")).isEqualTo(put.certificateChainPem());
        assertThat(text(secret, "tls.key")).isEqualTo(put.privateKeyPem());
        assertThat(secret.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "epic")
            .containsEntry("epic-gateway.org/account", "acme").containsEntry("epic-gateway.org/namespace", "shop")
            .containsEntry("epic-gateway.org/name", "store-tls");
        assertThat(secret.getMetadata().getAnnotations()).containsEntry("epic-gateway.org/sha256", put.sha256());
        assertThat(store.get("acme/shop/store-tls")).hasValue(put);
        assertThat(store.get("acme/shop/other")).isEmpty();

        // Replacing it under the same name is an update of the same Secret.
        CertificateBundle next = bundle(rotated);
        store.put("acme/shop/store-tls", next);
        assertThat(store.get("acme/shop/store-tls")).hasValue(next);

        assertThat(store.remove("acme/shop/store-tls")).isTrue();
        assertThat(store.get("acme/shop/store-tls")).isEmpty();
        assertThat(store.remove("acme/shop/store-tls")).isFalse();
        assertThatThrownBy(() -> store.put("acme/../x", put)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("<account>/<namespace>/<secret>");
    }

    @Test
    void aSecretRotatedInTheClusterIsHeardAndServed() throws Exception {
        store.put("acme/shop/store-tls", bundle(shop));
        LinkedBlockingQueue<String> heard = new LinkedBlockingQueue<>();
        store.onChange(heard::add);
        assertThat(heard.poll(10, TimeUnit.SECONDS)).as("the existing Secret, when the watch starts")
            .isEqualTo("acme/shop/store-tls");

        // A certificate manager (not EPIC) writes the new certificate into the Secret.
        edit(rotated.chain(), rotated.key(), "kubernetes.io/tls");
        assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("acme/shop/store-tls");
        assertThat(store.get("acme/shop/store-tls")).hasValue(bundle(rotated));

        // Edited into something unusable: heard, and not served (its listener serves nothing, never a wrong one).
        edit(expired.chain(), expired.key(), "kubernetes.io/tls");
        assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("acme/shop/store-tls");
        assertThat(store.get("acme/shop/store-tls")).as("expired").isEmpty();
        edit(shop.chain(), rotated.key(), "kubernetes.io/tls");
        assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("acme/shop/store-tls");
        assertThat(store.get("acme/shop/store-tls")).as("key of another certificate").isEmpty();
        edit(shop.chain(), shop.key(), "Opaque");
        assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("acme/shop/store-tls");
        assertThat(store.get("acme/shop/store-tls")).as("not a TLS Secret").isEmpty();

        client.secrets().inNamespace("epic").withName("acme.shop.store-tls").delete();
        assertThat(heard.poll(10, TimeUnit.SECONDS)).as("deleted").isEqualTo("acme/shop/store-tls");
    }

    @Test
    void configurationSelectsTheStore() {
        assertThat(CertificateStores.configured(dir)).isInstanceOf(EncryptedCertificateStore.class);
        System.setProperty(CertificateStores.STORE, "kubernetes");
        System.setProperty(CertificateStores.NAMESPACE, "epic-configured");
        System.setProperty("kubernetes.master", client.getMasterUrl().toString());
        try {
            CertificateStore configured = CertificateStores.configured(dir);
            assertThat(configured).isInstanceOf(KubernetesCertificateStore.class)
                .isSameAs(CertificateStores.configured(dir));
            configured.put("acme/shop/store-tls", bundle(shop));
            assertThat(client.secrets().inNamespace("epic-configured").withName("acme.shop.store-tls").get())
                .isNotNull();
            System.setProperty(CertificateStores.STORE, "vault");
            assertThatThrownBy(() -> CertificateStores.configured(dir)).hasMessageContaining(
                "-Depic.certificates.store=vault is not a certificate store: embedded or kubernetes");
        } finally {
            System.clearProperty(CertificateStores.STORE);
            System.clearProperty(CertificateStores.NAMESPACE);
            System.clearProperty("kubernetes.master");
        }
    }

    /** Writes the Secret as someone else than the store would (kubectl, a certificate manager). */
    private void edit(String chain, String key, String type) {
        Secret current = client.secrets().inNamespace("epic").withName("acme.shop.store-tls").get();
        client.secrets().inNamespace("epic").resource(new SecretBuilder(current).withType(type).withData(Map.of(
            "tls.crt", Base64.getEncoder().encodeToString(chain.getBytes(StandardCharsets.UTF_8)),
            "tls.key", Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8)))).build()).update();
    }
}
