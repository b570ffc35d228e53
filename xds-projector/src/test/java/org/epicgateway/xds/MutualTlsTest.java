package org.epicgateway.xds;

import static io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.epicgateway.xds.metrics.XdsMetrics;
import org.epicgateway.xds.server.XdsServer;
import org.epicgateway.xds.tls.XdsTls;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The xDS port with TLS and required client certificates, with a CA and certificates made by the JDK's keytool. */
class MutualTlsTest {
  static final char[] PASSWORD = "test-pass".toCharArray();
  @TempDir static Path dir;

  @BeforeAll
  static void certificates() throws Exception {
    keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=epic-test-ca",
        "-ext", "bc:c", "-validity", "2", "-keystore", "ca.p12");
    keytool("-exportcert", "-alias", "ca", "-keystore", "ca.p12", "-rfc", "-file", "ca.pem");
    keytool("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", "-keystore", "trust.p12");
    signed("server", "CN=xds.epic.test", "san=ip:127.0.0.1");
    signed("client", "CN=" + RawAdsClientTest.NODE, "eku=clientAuth");
  }

  /** A key pair in {@code <name>.p12} whose certificate the test CA signed, chain included. */
  static void signed(String name, String dname, String ext) throws Exception {
    keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", dname,
        "-validity", "2", "-keystore", name + ".p12");
    keytool("-certreq", "-alias", name, "-keystore", name + ".p12", "-file", name + ".csr");
    keytool("-gencert", "-alias", "ca", "-keystore", "ca.p12", "-infile", name + ".csr", "-outfile", name + ".pem",
        "-rfc", "-ext", ext, "-validity", "2");
    keytool("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", "-keystore", name + ".p12");
    keytool("-importcert", "-alias", name, "-file", name + ".pem", "-keystore", name + ".p12");
  }

  static void keytool(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
        .toString()));
    command.addAll(List.of(args));
    command.addAll(List.of("-storetype", "PKCS12", "-storepass", new String(PASSWORD)));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new AssertionError("keytool " + String.join(" ", args) + " failed: " + output);
    }
  }

  static KeyStore load(String file) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(dir.resolve(file))) {
      ks.load(in, PASSWORD);
    }
    return ks;
  }

  static ChannelCredentials credentials(boolean withClientCertificate) throws Exception {
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(load("trust.p12"));
    TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder().trustManager(tmf.getTrustManagers());
    if (withClientCertificate) {
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(load("client.p12"), PASSWORD);
      b.keyManager(kmf.getKeyManagers());
    }
    return b.build();
  }

  @Test
  void clientsWithACertificateFromTheClientCaGetConfigurationOthersAreRefused() throws Exception {
    RecordedArchive archive = new RecordedArchive();
    XdsProjector projector = new XdsProjector(new RecordedReports(), archive, archive,
        new XdsMetrics(new SimpleMeterRegistry()), 10, 100, Clock.systemUTC());
    projector.configChanged(RawAdsClientTest.revision("cmd-1", "/"));
    XdsTls tls = new XdsTls(dir.resolve("server.p12"), PASSWORD, Optional.of(dir.resolve("trust.p12")));
    try (XdsServer server = XdsServer.start(projector, "127.0.0.1", 0, Optional.of(tls))) {
      ManagedChannel trusted = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(), credentials(true))
          .build();
      try (AdsClient envoy = AdsClient.sotw(trusted, RawAdsClientTest.NODE)) {
        envoy.request(LISTENER_TYPE_URL, List.of(), "", "");
        assertThat(EnvoyFixtures.names(envoy.response().getResourcesList())).containsExactly("web-80");
      } finally {
        trusted.shutdownNow();
      }

      ManagedChannel anonymous = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(), credentials(false))
          .build();
      try (AdsClient stranger = AdsClient.sotw(anonymous, RawAdsClientTest.NODE)) {
        stranger.request(LISTENER_TYPE_URL, List.of(), "", "");
        assertThat(Status.fromThrowable(stranger.error()).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      } finally {
        anonymous.shutdownNow();
      }
    }
  }

  @Test
  void aMissingKeyStoreIsNamedInTheError() {
    XdsTls tls = new XdsTls(dir.resolve("nope.p12"), PASSWORD, Optional.empty());
    org.assertj.core.api.Assertions.assertThatThrownBy(tls::credentials)
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope.p12");
  }
}
