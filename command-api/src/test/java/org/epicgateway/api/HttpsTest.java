package org.epicgateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/** The API serves HTTPS with its self-signed certificate, which a client trusting exactly that certificate accepts. */
class HttpsTest {

    @Test
    void aClientPinningTheGeneratedCertificateGetsTheSameApiOverHttps() throws Exception {
        ApiFixture f = ApiFixture.get();
        X509Certificate certificate = f.api.tls().certificate();
        assertThat(f.api.tls().selfSigned()).isTrue();
        assertThat(Files.getPosixFilePermissions(f.api.tls().keystore()))
            .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(f.api.urls()).containsEntry("REST API (HTTPS)", "https://127.0.0.1:" + f.api.httpsPort() + "/api/v1")
            .containsEntry("TLS certificate SHA-256", f.api.tls().fingerprint() + " (self-signed, "
                + f.api.tls().keystore() + ")");

        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        trusted.setCertificateEntry("epic-api", certificate);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        HttpClient pinned = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(10)).build();

        for (String host : new String[] {"localhost", "127.0.0.1"}) {
            HttpResponse<String> accounts = pinned.send(HttpRequest.newBuilder(
                    URI.create("https://" + host + ":" + f.api.httpsPort() + "/api/v1/accounts/system"))
                .header("Authorization", ApiFixture.ADMIN).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(accounts.statusCode()).as(accounts.body()).isEqualTo(200);
            assertThat(accounts.body()).contains("\"account\":\"system\"");
            // The certificate served is the one whose fingerprint `epic up` prints.
            X509Certificate served = (X509Certificate) accounts.sslSession().orElseThrow().getPeerCertificates()[0];
            assertThat(HexFormat.ofDelimiter(":").withUpperCase().formatHex(
                MessageDigest.getInstance("SHA-256").digest(served.getEncoded()))).isEqualTo(f.api.tls().fingerprint());
        }

        // A client with only the public CAs refuses it, and plain HTTP is not spoken on the HTTPS port.
        HttpClient defaults = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        assertThatThrownBy(() -> defaults.send(HttpRequest.newBuilder(
                URI.create("https://localhost:" + f.api.httpsPort() + "/healthz")).build(),
            HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);
        assertThatThrownBy(() -> defaults.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + f.api.httpsPort() + "/healthz")).build(),
            HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
    }
}
