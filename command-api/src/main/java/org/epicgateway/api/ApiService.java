package org.epicgateway.api;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.epicgateway.api.audit.AuditHandler;
import org.epicgateway.api.audit.AuditLog;
import org.epicgateway.api.auth.Authenticator;
import org.epicgateway.api.auth.BootstrapAdmin;
import org.epicgateway.api.auth.LoginThrottle;
import org.epicgateway.api.auth.Passwords;
import org.epicgateway.api.auth.SessionRevocations;
import org.epicgateway.api.auth.Sessions;
import org.epicgateway.api.auth.TokenHandler;
import org.epicgateway.api.auth.TokenSigner;
import org.epicgateway.api.console.ConsoleAssets;
import org.epicgateway.api.oidc.OidcSignIn;
import org.epicgateway.api.proxies.ProxyConfigQueries;
import org.epicgateway.platform.secrets.CertificateStores;
import org.epicgateway.platform.secrets.SecretBox;
import org.epicgateway.api.views.TopicFeed;
import org.epicgateway.platform.Health;
import org.epicgateway.platform.KafkaAccess;
import org.epicgateway.api.tls.ApiTls;
import org.epicgateway.platform.PlatformContext;
import org.epicgateway.platform.PlatformHealth;
import org.epicgateway.platform.PlatformService;
import org.epicgateway.projections.audit.EventLog;
import org.epicgateway.projections.topology.AggregateQueries;
import org.epicgateway.projections.topology.DeciderService;
import org.epicgateway.schemas.AggregateIds;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.AccountState;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.NodeAdverts;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroDeserializer;

/**
 * The command API as a service of {@code epic up}: uses the decider's command bus and state queries, makes
 * sure the bootstrap admin exists, and serves REST on {@code EPIC_API_HOST} (default 127.0.0.1) at the configured port.
 * Its own files live under {@code <dataDir>/api}: the token signing key and, when none was configured, the
 * generated admin password.
 */
public final class ApiService implements PlatformService {
    private final ApiConfig config;
    private final DeciderService decider;
    private final ProxyConfigQueries proxies;
    private final PlatformHealth health;
    private Path adminPasswordFile;
    private ApiTls tls;
    private AuditLog auditLog;
    private TopicFeed<GatewayView> views;
    private TopicFeed<NodeAdverts> adverts;
    private CommandApi api;

    /** @param decider the decider of this process, started before this service; its bus and queries are used */
    public ApiService(DeciderService decider) {
        this(ApiConfig.fromEnvironment(), decider);
    }

    /** Without an xDS projector in the process: revisions and receipts answer 503. */
    public ApiService(ApiConfig config, DeciderService decider) {
        this(config, decider, ProxyConfigQueries.NONE);
    }

    /** Its {@code /healthz} reports on the decider and itself. */
    public ApiService(ApiConfig config, DeciderService decider, ProxyConfigQueries proxies) {
        this(config, decider, proxies, new PlatformHealth());
        health.watch(List.of(decider, this));
    }

    /**
     * @param proxies the xDS projector's revisions and receipts, which the API serves behind its auth
     * @param health the platform's services, which {@code /healthz} reports on
     */
    public ApiService(ApiConfig config, DeciderService decider, ProxyConfigQueries proxies, PlatformHealth health) {
        this.config = config;
        this.decider = decider;
        this.proxies = proxies;
        this.health = health;
    }

    @Override
    public String name() {
        return "command-api";
    }

    @Override
    public void start(PlatformContext context) throws Exception {
        Path dir = context.dataDir().resolve("api");
        PrometheusMeterRegistry meters = context.meters() instanceof PrometheusMeterRegistry p
            ? p : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        SchemaRegistryClient registry = new SchemaRegistryClient(context.schemaRegistryUrl());
        AggregateQueries queries = decider.queries();
        Passwords passwords = new Passwords(config.bcryptCost(), SecretBox.fromKeyFile(secretsKeyFile(dir),
            Passwords.SECRET_PURPOSE));
        TokenSigner signer = TokenSigner.fromKeyFile(dir.resolve("token.key"), Clock.systemUTC());
        SessionRevocations revocations = new SessionRevocations(dir.resolve("revoked-sessions"), config.tokenTtl(),
            Clock.systemUTC());
        Authenticator authenticator = new Authenticator(accounts(queries), passwords, signer,
            LoginThrottle.standard(Clock.systemUTC()), revocations);
        FunctionCounter.builder("epic_api_password_checks", passwords, Passwords::checks)
            .description("bcrypt verifications (one per password login attempt that is not throttled or cached)")
            .register(meters);
        Commands commands = new Commands(decider.commandBus(), queries, config.commandTimeout(), meters);
        adminPasswordFile = dir.resolve("admin-password");
        tls = ApiTls.resolve(config.tlsKeystore(), config.tlsPassword(), dir.resolve("tls"), config.host());
        BootstrapAdmin.ensure(commands, accounts(queries), passwords, config.adminAccount(), config.adminUser(),
            BootstrapAdmin.password(config.adminPassword(), adminPasswordFile));
        auditLog = new AuditLog(context.kafkaClient(this), new AvroDeserializer<>(EventEnvelope.class, registry),
            config.auditMaxScan());
        views = new TopicFeed<>(context.kafkaClient(this), Topics.GATEWAY_STATE,
            new AvroDeserializer<>(GatewayView.class, registry));
        adverts = new TopicFeed<>(context.kafkaClient(this), Topics.NODE_ADVERTS,
            new AvroDeserializer<>(NodeAdverts.class, registry));
        EventLog history = new EventLog(context.kafkaClient(this), registry);
        Sessions sessions = new Sessions(authenticator, signer, config.tokenTtl(), revocations);
        api = new CommandApi(new CommandApi.Parts(commands, queries, authenticator, passwords,
            new TokenHandler(authenticator, signer, config.tokenTtl()), sessions,
            new AuditHandler(auditLog, history,
                DeciderService.chainKey(context)),
            proxies, views, adverts, history, new OidcSignIn(config.oidc(), accounts(queries), sessions, Clock.systemUTC()), meters,
            health, CertificateStores.configured(context.dataDir())))
            .start(config.host(), config.port(), config.tlsPort(), tls);
    }

    /**
     * The key that encrypts password hashes in commands and events: {@code -Depic.api.secrets-key=<file>}, else
     * {@code <dataDir>/api/secrets.key}, created (0600) on first start. Deleting it erases every stored hash.
     */
    static Path secretsKeyFile(Path apiDir) {
        String configured = System.getProperty("epic.api.secrets-key");
        return configured != null ? Path.of(configured) : apiDir.resolve("secrets.key");
    }

    /** The account aggregate by name, for login and bootstrap; a deleted account has no users. */
    static Function<String, Optional<AccountState>> accounts(AggregateQueries queries) {
        return account -> {
            String id;
            try {
                id = AggregateIds.account(account);
            } catch (IllegalArgumentException e) {
                return Optional.empty(); // not a valid account name, so no such account
            }
            return queries.get(id).filter(s -> !s.getDeleted()).map(s -> (AccountState) s.getResource());
        };
    }

    /**
     * The audit endpoints read the event log, the gateway view endpoints epic.gateway-state and epic.node-adverts (no
     * consumer groups); commands go through the decider's bus.
     */
    @Override
    public KafkaAccess kafkaAccess() {
        return KafkaAccess.reads(Topics.EVENTS, Topics.GATEWAY_STATE, Topics.NODE_ADVERTS);
    }

    @Override
    public Health health() {
        return api == null ? Health.down("not started") : Health.up("SERVING");
    }

    /** Plain HTTP, on 127.0.0.1. */
    public int port() {
        return api.port();
    }

    public int httpsPort() {
        return api.httpsPort();
    }

    /** The certificate HTTPS serves (given by path, or the generated self-signed one). */
    public ApiTls tls() {
        return tls;
    }

    /** The running API, once started. */
    public CommandApi api() {
        return api;
    }

    @Override
    public Map<String, String> urls() {
        String base = "http://127.0.0.1:" + (api != null ? api.port() : config.port());
        Map<String, String> urls = new LinkedHashMap<>();
        urls.put("REST API", base + CommandApi.BASE);
        if (api != null) {
            urls.put("REST API (HTTPS)", "https://" + config.host() + ":" + api.httpsPort() + CommandApi.BASE);
            urls.put("TLS certificate SHA-256", tls.fingerprint()
                + (tls.selfSigned() ? " (self-signed, " + tls.keystore() + ")" : ""));
        }
        urls.put("web console", base + ConsoleAssets.PATH + "/");
        urls.put("OpenAPI", base + CommandApi.BASE + "/openapi.json");
        urls.put("health", base + "/healthz");
        urls.put("metrics (admin login)", base + "/metrics");
        if (config.adminPassword() == null && adminPasswordFile != null) {
            urls.put("admin login", config.adminUser() + "@" + config.adminAccount() + ", password in "
                + adminPasswordFile);
        }
        return urls;
    }

    @Override
    public void close() throws Exception {
        // Reverse order of creation: stop serving, then the view and audit consumers. The bus belongs to the decider.
        try (AutoCloseable l = auditLog; AutoCloseable v = views; AutoCloseable n = adverts; AutoCloseable a = api) {
            // closes both, even if one fails
        }
    }
}
