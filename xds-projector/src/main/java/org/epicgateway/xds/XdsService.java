package org.epicgateway.xds;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.epicgateway.platform.Health;
import org.epicgateway.platform.KafkaAccess;
import org.epicgateway.platform.PlatformContext;
import org.epicgateway.platform.PlatformService;
import org.epicgateway.platform.secrets.CertificateStores;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.xds.acks.CommandReports;
import org.epicgateway.xds.metrics.XdsMetrics;
import org.epicgateway.xds.receipts.KafkaReceiptArchive;
import org.epicgateway.xds.revisions.KafkaRevisionArchive;
import org.epicgateway.xds.server.XdsServer;
import org.epicgateway.xds.snapshots.EnvoyTopicsReader;
import org.epicgateway.xds.tls.XdsTls;

/**
 * The xDS projector on the platform: restores its revision history from epic.envoy-revisions and its receipts from
 * epic.envoy-receipts (never reading the event log), reads epic.envoy-config and epic.envoy-endpoints, serves ADS,
 * reports what proxies did as commands on epic.commands (the decider records them on epic.events); meters go to the
 * platform's registry. Revisions and receipts are served only by the command API (behind its login and tenant
 * checks, through {@link #projector()}): this service opens no HTTP port of its own, since an unauthenticated one
 * would make every local process every tenant.
 */
public final class XdsService implements PlatformService {
  /**
   * Where and how to serve. {@link #fromSystemProperties()} reads {@code epic.xds.host} (127.0.0.1),
   * {@code epic.xds.port} (18000), {@code epic.xds.tls.keystore} +
   * {@code epic.xds.tls.password} (PKCS#12, enables TLS) and {@code epic.xds.tls.client-ca} (PKCS#12 trust store,
   * requires client certificates).
   */
  public record Settings(String host, int port, Optional<XdsTls> tls, int revisionsPerGateway,
                         int receiptCommands) {
    public static Settings fromSystemProperties() {
      Optional<XdsTls> tls = Optional.ofNullable(System.getProperty("epic.xds.tls.keystore")).map(ks -> new XdsTls(
          Path.of(ks), System.getProperty("epic.xds.tls.password", "").toCharArray(),
          Optional.ofNullable(System.getProperty("epic.xds.tls.client-ca")).map(Path::of)));
      return new Settings(System.getProperty("epic.xds.host", "127.0.0.1"),
          Integer.getInteger("epic.xds.port", 18000), tls, 10,
          100_000);
    }
  }

  private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(120);

  private final Settings settings;
  private CommandReports reports;
  private KafkaRevisionArchive archive;
  private KafkaReceiptArchive receiptArchive;
  private XdsProjector projector;
  private EnvoyTopicsReader reader;
  private XdsServer server;

  public XdsService() {
    this(Settings.fromSystemProperties());
  }

  public XdsService(Settings settings) {
    this.settings = settings;
  }

  @Override
  public String name() {
    return "xds-projector";
  }

  @Override
  public void start(PlatformContext context) throws Exception {
    SchemaRegistryClient registry = new SchemaRegistryClient(context.schemaRegistryUrl());
    Clock clock = Clock.systemUTC();
    reports = new CommandReports(context.kafkaClient(this), registry, clock);
    archive = new KafkaRevisionArchive(context.kafkaClient(this), registry);
    receiptArchive = new KafkaReceiptArchive(context.kafkaClient(this), registry);
    projector = new XdsProjector(reports, archive, receiptArchive, new XdsMetrics(context.meters()),
        settings.revisionsPerGateway(), settings.receiptCommands(), clock,
        CertificateStores.configured(context.dataDir()));
    for (KafkaReceiptArchive.Kept k : KafkaReceiptArchive.readAll(context.kafkaClient(this), registry)) {
      projector.restoreReceipt(k.commandId(), k.ack());
    }
    // The history first (with what proxies made of each revision), then the latest revisions and endpoints.
    for (KafkaRevisionArchive.Archived a : KafkaRevisionArchive.readAll(context.kafkaClient(this), registry)) {
      projector.restore(a.config(), a.createdAt(), a.everApplied(), a.rolledBack());
    }
    reader = new EnvoyTopicsReader(context.kafkaClient(this), registry, projector);
    reader.start(CATCH_UP_TIMEOUT);
    server = XdsServer.start(projector, settings.host(), settings.port(), settings.tls());
  }

  public XdsProjector projector() {
    return projector;
  }

  public int xdsPort() {
    return server.port();
  }

  @Override
  public Map<String, String> urls() {
    Map<String, String> urls = new LinkedHashMap<>();
    urls.put("xDS (ADS, node id <gatewayId>~<instance>)",
        (settings.tls().isPresent() ? "grpcs://" : "grpc://") + settings.host() + ":" + xdsPort());
    return urls;
  }

  /** Follows the Envoy topics, keeps its revision and receipt archives, reports ACK/NACK as commands. */
  @Override
  public KafkaAccess kafkaAccess() {
    return KafkaAccess.reads(Topics.ENVOY_CONFIG, Topics.ENVOY_ENDPOINTS, Topics.ENVOY_REVISIONS, Topics.ENVOY_RECEIPTS)
        .plus(KafkaAccess.writes(Topics.COMMANDS, Topics.ENVOY_REVISIONS, Topics.ENVOY_RECEIPTS));
  }

  /** Down unless the ADS server serves and the reader still follows the Envoy topics. */
  @Override
  public Health health() {
    if (server == null || reader == null) {
      return Health.down("not started");
    }
    if (!server.serving()) {
      return Health.down("xDS server stopped");
    }
    if (!reader.reading()) {
      return Health.down("not reading " + Topics.ENVOY_CONFIG + " and " + Topics.ENVOY_ENDPOINTS);
    }
    return Health.up("SERVING");
  }

  @Override
  public void close() throws Exception {
    if (server != null) {
      server.close();
    }
    if (reader != null) {
      reader.close();
    }
    if (archive != null) {
      archive.close();
    }
    if (receiptArchive != null) {
      receiptArchive.close();
    }
    if (reports != null) {
      reports.close();
    }
  }
}
