package org.epicgateway.xds;

import static io.envoyproxy.controlplane.cache.Resources.V3.CLUSTER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ROUTE_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.SECRET_TYPE_URL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.epicgateway.xds.EnvoyFixtures.names;

import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.epicgateway.platform.secrets.CertificateBundle;
import org.epicgateway.platform.secrets.EncryptedCertificateStore;
import org.epicgateway.platform.secrets.KeytoolCertificates;
import org.epicgateway.projections.envoy.EnvoyDerivation;
import org.epicgateway.projections.envoy.EnvoyRecords;
import org.epicgateway.projections.envoy.EnvoyTypes;
import org.epicgateway.projections.routecheck.ManifestLoader;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.xds.metrics.XdsMetrics;
import org.epicgateway.xds.server.XdsServer;
import org.epicgateway.xds.snapshots.EnvoyRecordCodec;
import org.epicgateway.xds.snapshots.GatewayConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An HTTPS gateway, derived by the projections' own code and passed through its epic.envoy-config record, served to a
 * raw ADS client: the listener names its certificate by SDS name only, the secret comes from the encrypted store, a
 * missing certificate is not served (the listener waits instead of using a wrong one), and a rotated certificate is
 * one SDS push with no listener update.
 */
class SdsTest {
  static final String GATEWAY = """
      apiVersion: gateway.networking.k8s.io/v1
      kind: Gateway
      metadata: {name: secure, namespace: shop}
      spec:
        gatewayClassName: epic
        listeners:
          - {name: store, port: 443, protocol: HTTPS, hostname: store.example.com, tls: {certificateRefs: [{name: store-tls}]}}
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata: {name: store, namespace: shop}
      spec:
        parentRefs: [{name: secure}]
        rules: [{matches: [{path: {type: PathPrefix, value: PREFIX}}], backendRefs: [{name: web, port: 80}]}]
      """;
  static final String SECRET = "manifests/shop/store-tls";
  static final String GATEWAY_ID = "gateway/manifests/shop/secure";
  static final String NODE = GATEWAY_ID + "~envoy-0";

  @TempDir Path dir;
  EncryptedCertificateStore store;
  XdsProjector projector;
  XdsServer server;
  ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    store = EncryptedCertificateStore.open(dir.resolve("certificates"), dir.resolve("certificates.key"));
    RecordedArchive archive = new RecordedArchive();
    projector = new XdsProjector(new RecordedReports(), archive, archive, new XdsMetrics(new SimpleMeterRegistry()),
        3, 10_000, Clock.systemUTC(), store);
    server = XdsServer.start(projector, "127.0.0.1", 0, Optional.empty());
    channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(), InsecureChannelCredentials.create())
        .build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow();
    server.close();
  }

  /** The revision the Envoy projection publishes for the manifests, read back as the projector reads the topic. */
  static GatewayConfig revision(String prefix) {
    List<GatewayView> views = ManifestLoader.parse("sds.yaml", GATEWAY.replace("PREFIX", prefix));
    return EnvoyRecordCodec.config(EnvoyRecords.config(EnvoyDerivation.derive(views.get(0)), List.of("cmd-" + prefix)));
  }

  static CertificateBundle certificate(Path dir, String name) throws Exception {
    KeytoolCertificates.Pem pem = KeytoolCertificates.selfSigned(dir, name, null, 30);
    return CertificateBundle.parse(pem.chain(), pem.key(), Instant.now());
  }

  @Test
  void theCertificateIsServedOverSdsAndARotationIsAnSdsPushAlone() throws Exception {
    GatewayConfig v1 = revision("/");
    assertThat(v1.secretNames()).containsExactly(SECRET);
    projector.configChanged(v1);

    try (AdsClient envoy = AdsClient.sotw(channel, NODE)) {
      envoy.request(LISTENER_TYPE_URL, List.of(), "", "");
      DiscoveryResponse lds = envoy.response();
      assertThat(names(lds.getResourcesList())).containsExactly("https-443");
      DownstreamTlsContext tls = lds.getResources(0).unpack(Listener.class).getFilterChains(0).getTransportSocket()
          .getTypedConfig().unpack(DownstreamTlsContext.class);
      assertThat(tls.getCommonTlsContext().getTlsCertificateSdsSecretConfigsList())
          .extracting(c -> c.getName(), c -> c.getSdsConfig().hasAds()).containsExactly(
              org.assertj.core.groups.Tuple.tuple(SECRET, true));
      assertThat(tls.getCommonTlsContext().getTlsCertificatesCount()).as("no key material in the listener").isZero();
      envoy.ack(lds, List.of());
      envoy.request(CLUSTER_TYPE_URL, List.of(), "", "");
      envoy.ack(envoy.response(), List.of());
      envoy.request(ROUTE_TYPE_URL, List.of("https-443"), "", "");
      envoy.ack(envoy.response(), List.of("https-443"));

      // No certificate stored yet: the SDS request stays unanswered, so Envoy keeps the listener warming (it serves
      // nothing); the answer is the first message after the certificate is stored.
      envoy.request(SECRET_TYPE_URL, List.of(SECRET), "", "");
      assertThat(projector.cache().snapshots().getSnapshot(GATEWAY_ID).secrets().resources()).isEmpty();
      CertificateBundle first = certificate(dir, "store.example.com");
      store.put(SECRET, first);
      DiscoveryResponse sds1 = envoy.response();
      assertThat(sds1.getTypeUrl()).isEqualTo(SECRET_TYPE_URL);
      Secret served1 = sds1.getResources(0).unpack(Secret.class);
      assertThat(served1.getName()).isEqualTo(SECRET);
      assertThat(served1.getTlsCertificate().getCertificateChain().getInlineString())
          .isEqualTo(first.certificateChainPem());
      assertThat(served1.getTlsCertificate().getPrivateKey().getInlineString()).isEqualTo(first.privateKeyPem());
      envoy.ack(sds1, List.of(SECRET));

      // Rotation: a new certificate under the same name is the next message, and it is SDS, not LDS.
      CertificateBundle second = certificate(dir, "store.example.com");
      assertThat(second.sha256()).isNotEqualTo(first.sha256());
      store.put(SECRET, second);
      DiscoveryResponse sds2 = envoy.response();
      assertThat(sds2.getTypeUrl()).isEqualTo(SECRET_TYPE_URL);
      assertThat(sds2.getVersionInfo()).isNotEqualTo(sds1.getVersionInfo());
      assertThat(sds2.getResources(0).unpack(Secret.class).getTlsCertificate().getCertificateChain()
          .getInlineString()).isEqualTo(second.certificateChainPem());
      envoy.ack(sds2, List.of(SECRET));
      assertThat(projector.cache().snapshots().getSnapshot(GATEWAY_ID).listeners()
          .version(List.of())).as("listeners kept their version").isEqualTo(lds.getVersionInfo());

      // The next change is a route change: its RDS push comes next, so no listener update was queued in between.
      projector.configChanged(revision("/store"));
      DiscoveryResponse rds = envoy.response();
      assertThat(rds.getTypeUrl()).isEqualTo(ROUTE_TYPE_URL);
      envoy.ack(rds, List.of("https-443"));

      // A removed certificate is no longer served (a reconnecting Envoy would wait for it again).
      store.remove(SECRET);
      assertThat(projector.cache().snapshots().getSnapshot(GATEWAY_ID).secrets().resources()).isEmpty();
    }
  }

  static final String TWO_CERTIFICATES = """
      apiVersion: gateway.networking.k8s.io/v1
      kind: Gateway
      metadata: {name: secure, namespace: shop}
      spec:
        gatewayClassName: epic
        listeners:
          - name: shops
            port: 443
            protocol: HTTPS
            hostname: "*.example.com"
            tls: {certificateRefs: [{name: store-tls}, {name: books-tls}]}
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata: {name: store, namespace: shop}
      spec:
        parentRefs: [{name: secure}]
        rules: [{backendRefs: [{name: web, port: 80}]}]
      """;
  static final String BOOKS = "manifests/shop/books-tls";

  /**
   * Two certificates on one listener: one filter chain naming both by SDS name (Envoy picks by SNI); SDS answers
   * only once both are stored (never half a listener's certificates), and rotating one is one SDS push carrying both.
   * The exchange is written to target/sds-exchange.txt (private keys redacted) for the record.
   */
  @Test
  void severalCertificatesOnOneListenerAreServedTogether() throws Exception {
    GatewayConfig config = EnvoyRecordCodec.config(EnvoyRecords.config(EnvoyDerivation.derive(
        ManifestLoader.parse("sds.yaml", TWO_CERTIFICATES).get(0)), List.of("cmd-two")));
    assertThat(config.secretNames()).containsExactly(BOOKS, SECRET);
    projector.configChanged(config);
    StringBuilder exchange = new StringBuilder();

    try (AdsClient envoy = AdsClient.sotw(channel, NODE)) {
      envoy.request(LISTENER_TYPE_URL, List.of(), "", "");
      exchange.append(sent("LDS request", LISTENER_TYPE_URL, List.of(), "", ""));
      DiscoveryResponse lds = envoy.response();
      exchange.append("<- LDS\n").append(json(lds)).append('\n');
      Listener listener = lds.getResources(0).unpack(Listener.class);
      assertThat(listener.getFilterChainsCount()).isOne();
      assertThat(listener.getFilterChains(0).getFilterChainMatch().getServerNamesList())
          .containsExactly("*.example.com");
      DownstreamTlsContext tls = listener.getFilterChains(0).getTransportSocket().getTypedConfig()
          .unpack(DownstreamTlsContext.class);
      assertThat(tls.getCommonTlsContext().getTlsCertificateSdsSecretConfigsList()).extracting(c -> c.getName())
          .containsExactly(SECRET, BOOKS);
      envoy.ack(lds, List.of());
      exchange.append(sent("LDS ACK", LISTENER_TYPE_URL, List.of(), lds.getVersionInfo(), lds.getNonce()));

      envoy.request(SECRET_TYPE_URL, List.of(SECRET, BOOKS), "", "");
      exchange.append(sent("SDS request (neither certificate stored yet: no answer)", SECRET_TYPE_URL,
          List.of(SECRET, BOOKS), "", ""));
      store.put(SECRET, certificate(dir, "store.example.com"));
      CertificateBundle books = certificate(dir, "books.example.com");
      store.put(BOOKS, books);
      // The first SDS answer carries both: none was sent while only one was stored.
      DiscoveryResponse sds1 = envoy.response();
      exchange.append("<- SDS (both stored)\n").append(json(sds1)).append('\n');
      assertThat(sds1.getTypeUrl()).isEqualTo(SECRET_TYPE_URL);
      assertThat(names(sds1.getResourcesList())).containsExactlyInAnyOrder(SECRET, BOOKS);
      envoy.ack(sds1, List.of(SECRET, BOOKS));
      exchange.append(sent("SDS ACK", SECRET_TYPE_URL, List.of(SECRET, BOOKS), sds1.getVersionInfo(),
          sds1.getNonce()));

      CertificateBundle rotated = certificate(dir, "books.example.com");
      store.put(BOOKS, rotated);
      DiscoveryResponse sds2 = envoy.response();
      exchange.append("<- SDS (books-tls rotated)\n").append(json(sds2)).append('\n');
      assertThat(sds2.getTypeUrl()).isEqualTo(SECRET_TYPE_URL);
      assertThat(sds2.getVersionInfo()).isNotEqualTo(sds1.getVersionInfo());
      assertThat(sds2.getResourcesList()).hasSize(2).anySatisfy(r -> assertThat(r.unpack(Secret.class)
          .getTlsCertificate().getCertificateChain().getInlineString()).isEqualTo(rotated.certificateChainPem()));
      envoy.ack(sds2, List.of(SECRET, BOOKS));
      exchange.append(sent("SDS ACK", SECRET_TYPE_URL, List.of(SECRET, BOOKS), sds2.getVersionInfo(),
          sds2.getNonce()));
      String listeners = projector.cache().snapshots().getSnapshot(GATEWAY_ID).listeners().version(List.of());
      assertThat(listeners).as("no listener update").isEqualTo(lds.getVersionInfo());
      exchange.append("listeners still at version ").append(listeners).append(" after the rotation (no LDS push)\n");
    }
    java.nio.file.Files.writeString(Path.of("target/sds-exchange.txt"), exchange);
  }

  static final String TLS_TERMINATE = """
      apiVersion: gateway.networking.k8s.io/v1
      kind: Gateway
      metadata: {name: secure, namespace: shop}
      spec:
        gatewayClassName: epic
        listeners:
          - {name: db, port: 443, protocol: TLS, hostname: db.example.com, tls: {mode: Terminate, certificateRefs: [{name: store-tls}]}}
      ---
      apiVersion: gateway.networking.k8s.io/v1alpha2
      kind: TCPRoute
      metadata: {name: db, namespace: shop}
      spec:
        parentRefs: [{name: secure}]
        rules: [{backendRefs: [{name: db, port: 5432}]}]
      """;

  /**
   * A TLS listener in mode Terminate: its filter chain (matched by the listener's hostname) ends TLS with the
   * certificate named by SDS and hands the stream to a tcp_proxy; the secret comes over SDS as for HTTPS.
   */
  @Test
  void aTerminatingTlsListenerGetsItsCertificateOverSds() throws Exception {
    projector.configChanged(EnvoyRecordCodec.config(EnvoyRecords.config(EnvoyDerivation.derive(
        ManifestLoader.parse("sds.yaml", TLS_TERMINATE).get(0)), List.of("cmd-tls"))));
    try (AdsClient envoy = AdsClient.sotw(channel, NODE)) {
      envoy.request(LISTENER_TYPE_URL, List.of(), "", "");
      DiscoveryResponse lds = envoy.response();
      Listener listener = lds.getResources(0).unpack(Listener.class);
      assertThat(listener.getName()).isEqualTo("tls-443");
      assertThat(listener.getFilterChains(0).getFilterChainMatch().getServerNamesList()).containsExactly("db.example.com");
      assertThat(listener.getFilterChains(0).getFilters(0).getName()).isEqualTo(EnvoyDerivation.TCP_PROXY);
      assertThat(listener.getFilterChains(0).getTransportSocket().getTypedConfig().unpack(DownstreamTlsContext.class)
          .getCommonTlsContext().getTlsCertificateSdsSecretConfigsList()).extracting(c -> c.getName())
          .containsExactly(SECRET);
      envoy.ack(lds, List.of());
      envoy.request(SECRET_TYPE_URL, List.of(SECRET), "", "");
      CertificateBundle db = certificate(dir, "db.example.com");
      store.put(SECRET, db);
      DiscoveryResponse sds = envoy.response();
      assertThat(sds.getTypeUrl()).isEqualTo(SECRET_TYPE_URL);
      assertThat(sds.getResources(0).unpack(Secret.class).getTlsCertificate().getCertificateChain().getInlineString())
          .isEqualTo(db.certificateChainPem());
      envoy.ack(sds, List.of(SECRET));
    }
  }

  /** A response as text: version, nonce, each resource as JSON with every private key replaced by its length. */
  /** One line of the record for a request the client sent: what it is, and its type URL, names, version and nonce. */
  private static String sent(String what, String typeUrl, List<String> names, String version, String nonce) {
    return "-> " + what + ": typeUrl " + typeUrl + ", resourceNames " + names + ", versionInfo \"" + version
        + "\", responseNonce \"" + nonce + "\"\n";
  }

  private static String json(DiscoveryResponse r) throws Exception {
    StringBuilder out = new StringBuilder("versionInfo: " + r.getVersionInfo() + ", nonce: " + r.getNonce()
        + ", typeUrl: " + r.getTypeUrl() + "\n");
    for (com.google.protobuf.Any any : r.getResourcesList()) {
      if (any.is(Secret.class)) {
        Secret s = any.unpack(Secret.class);
        Secret.Builder redacted = s.toBuilder();
        redacted.getTlsCertificateBuilder().getPrivateKeyBuilder().setInlineString("<"
            + s.getTlsCertificate().getPrivateKey().getInlineString().length()
            + " characters of PKCS#8 PEM, redacted in this record>");
        out.append(EnvoyTypes.json(redacted.build())).append('\n');
      } else {
        out.append(EnvoyTypes.json(any.unpack(Listener.class))).append('\n');
      }
    }
    return out.toString();
  }
}
