package org.epicgateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.epicgateway.api.audit.AuditHandler;
import org.epicgateway.api.auth.Access;
import org.epicgateway.api.auth.Authenticator;
import org.epicgateway.api.auth.Passwords;
import org.epicgateway.api.auth.Principal;
import org.epicgateway.api.validation.Limits;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.api.auth.Sessions;
import org.epicgateway.api.console.ConsoleAssets;
import org.epicgateway.api.auth.TokenHandler;
import org.epicgateway.api.oidc.OidcSignIn;
import org.epicgateway.api.openapi.ApiRoute;
import org.epicgateway.api.tls.ApiTls;
import org.epicgateway.api.certificates.CertificateHandlers;
import org.epicgateway.api.openapi.CertificateBody;
import org.epicgateway.api.proxies.ProxyConfigHandlers;
import org.epicgateway.api.proxies.ProxyConfigQueries;
import org.epicgateway.api.openapi.OpenApiDocument;
import org.epicgateway.api.resources.AccountHandlers;
import org.epicgateway.api.resources.BatchHandler;
import org.epicgateway.api.resources.Accounts;
import org.epicgateway.api.resources.EndpointSlices;
import org.epicgateway.api.resources.Gateways;
import org.epicgateway.api.resources.GrpcRoutes;
import org.epicgateway.api.resources.HttpRoutes;
import org.epicgateway.api.resources.Pools;
import org.epicgateway.api.resources.Namespaces;
import org.epicgateway.api.resources.ReferenceGrants;
import org.epicgateway.api.resources.ResourceHandlers;
import org.epicgateway.api.resources.ResourceKind;
import org.epicgateway.api.resources.SharingHandlers;
import org.epicgateway.api.resources.ResourceKind.BodySchema;
import org.epicgateway.api.resources.Services;
import org.epicgateway.api.resources.TcpRoutes;
import org.epicgateway.api.resources.TlsRoutes;
import org.epicgateway.api.resources.Templates;
import org.epicgateway.api.validation.BodyValidator;
import org.epicgateway.api.views.TopicFeed;
import org.epicgateway.projections.audit.EventLog;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.NodeAdverts;
import org.epicgateway.api.views.GatewayViewHandlers;
import org.epicgateway.api.validation.StrictRequests;
import org.epicgateway.platform.secrets.CertificateStore;
import org.epicgateway.platform.PlatformHealth;
import org.epicgateway.projections.topology.AggregateQueries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST command API on Javalin. One route table drives both the server and the OpenAPI document. Every route is
 * wrapped by its {@link Access} check; every failure renders as {@code {"code","message","field"}}.
 */
public final class CommandApi implements AutoCloseable {
    public static final String BASE = "/api/v1";
    /**
     * Request bodies above this are refused with 413 before any parsing, however they are framed. An event carries
     * its command's fields in Avro (more compact than their JSON) plus an envelope of well under 1 KiB, so half the
     * 1 MiB a Kafka record may have by default (broker message.max.bytes, producer max.request.size) leaves room for
     * both; the per-field limits ({@link org.epicgateway.api.validation.Limits}) keep each field far below it.
     */
    public static final long MAX_BODY_BYTES = 512 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(CommandApi.class);
    private static final String STARTED = "epic.started";
    private static final String LOOPBACK = "127.0.0.1";
    /** Sent by the web console on every request, so a 401 does not make the browser open its Basic login dialog. */
    public static final String CONSOLE_HEADER = "X-Epic-Console";

    /** Everything the handlers need, built by {@link ApiService} (or a test) around a running platform. */
    public record Parts(Commands commands, AggregateQueries queries,
                        Authenticator authenticator, Passwords passwords,
                        TokenHandler tokens, Sessions sessions, AuditHandler audit, ProxyConfigQueries proxies,
                        TopicFeed<GatewayView> views, TopicFeed<NodeAdverts> adverts, EventLog history, OidcSignIn oidc,
                        PrometheusMeterRegistry meters, PlatformHealth health, CertificateStore certificates) {
    }

    private final Parts parts;
    private final List<ApiRoute> routes;
    private final String openApiJson;
    private final List<String> registered = new CopyOnWriteArrayList<>();
    private Javalin app;
    private ServerConnector httpsConnector;

    public CommandApi(Parts parts) {
        this.parts = parts;
        this.routes = routeTable();
        this.openApiJson = OpenApiDocument.build(routes, "0.1.0").toPrettyString();
    }

    public List<ApiRoute> routes() {
        return routes;
    }

    private List<ApiRoute> routeTable() {
        List<ApiRoute> r = new ArrayList<>();
        r.add(new ApiRoute(HandlerType.GET, "/healthz",
            "Liveness: 200 with the services while every one runs, else 503 naming each that does not", "meta",
            Access.PUBLIC, null, List.of(), 200, this::health));
        // Meters name routes, gateways' traffic and internals: operators only (Prometheus scrapes with basic_auth).
        r.add(new ApiRoute(HandlerType.GET, "/metrics", "Read the Prometheus metrics", "meta", Access.ADMIN, null, List.of(), 200,
            ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(parts.meters().scrape())));
        r.add(new ApiRoute(HandlerType.GET, BASE + "/openapi.json", "This OpenAPI document", "meta", Access.PUBLIC, null,
            List.of(), 200, ctx -> ctx.contentType("application/json").result(openApiJson)));
        r.add(new ApiRoute(HandlerType.POST, BASE + "/tokens", "Trade an HTTP Basic login for a bearer token", "auth",
            Access.USER, null, List.of(), 201, parts.tokens()::issue, false));
        r.add(new ApiRoute(HandlerType.POST, BASE + "/sessions", "Start a browser session from an HTTP Basic login: "
            + "an HttpOnly, SameSite=Strict cookie, and the CSRF token writes on it must send", "auth",
            Access.USER, null, List.of(), 201, parts.sessions()::create, false));
        r.add(new ApiRoute(HandlerType.GET, BASE + "/oidc", "Whether sign-in through the platform's OpenID Connect "
            + "provider is offered", "auth", Access.PUBLIC, null, List.of(), 200, parts.oidc()::describe));
        r.add(new ApiRoute(HandlerType.GET, BASE + "/oidc/login", "Start an OpenID Connect sign-in (authorization "
            + "code + PKCE): a redirect to the provider", "auth", Access.PUBLIC, null, List.of(), 302,
            parts.oidc()::login));
        r.add(new ApiRoute(HandlerType.GET, BASE + "/oidc/callback", "The provider's redirect back: checks the ID "
            + "token, starts a session for the account its claim names, redirects to the console", "auth",
            Access.PUBLIC, null, List.of("code", "state", "error", "error_description"), 302, parts.oidc()::callback));
        r.add(new ApiRoute(HandlerType.GET, BASE + "/sessions/current", "The session's user and CSRF token", "auth",
            Access.USER, null, List.of(), 200, parts.sessions()::current));
        r.add(new ApiRoute(HandlerType.DELETE, BASE + "/sessions/current", "End the browser session: revoked on the "
            + "server (the cookie is refused from now on) and cleared", "auth", Access.USER, null, List.of(), 200,
            parts.sessions()::end, false));

        resource(r, Pools.KIND, BASE + "/pools", Access.ADMIN, Access.ADMIN);
        resource(r, Templates.KIND, BASE + "/templates", Access.ADMIN, Access.ADMIN);
        // A tenant may read its own account; only admins create or list accounts.
        ResourceHandlers accounts = new ResourceHandlers(Accounts.KIND, parts.commands(), parts.queries());
        r.add(new ApiRoute(HandlerType.GET, BASE + "/accounts", "List accounts", "accounts", Access.ADMIN, null,
            List.of("limit", "after"), 200, accounts::list));
        r.add(new ApiRoute(HandlerType.POST, BASE + "/accounts", "Create an account", "accounts", Access.ADMIN,
            Accounts.KIND.createBody(), List.of(), 201, accounts::create));
        r.add(new ApiRoute(HandlerType.GET, BASE + "/accounts/{account}", "Get an account", "accounts", Access.USER,
            null, List.of(), 200, accounts::get));
        AccountHandlers users = new AccountHandlers(parts.commands(), parts.queries(), parts.passwords());
        r.add(new ApiRoute(HandlerType.GET, BASE + "/accounts/{account}/users", "List the account's API users",
            "accounts", Access.USER, null, List.of(), 200, users::listUsers));
        r.add(new ApiRoute(HandlerType.POST, BASE + "/accounts/{account}/users", "Add an API user (password is bcrypt-hashed)",
            "accounts", Access.ADMIN, Accounts.USER_BODY, List.of(), 201, users::addUser));
        r.add(new ApiRoute(HandlerType.DELETE, BASE + "/accounts/{account}/users/{username}", "Remove an API user",
            "accounts", Access.ADMIN, null, List.of(), 200, users::removeUser));
        r.add(new ApiRoute(HandlerType.DELETE, BASE + "/accounts/{account}/users/{username}/sessions",
            "Revoke every session and bearer token of a user (oidc:<sub> for an OIDC sign-in) issued until now",
            "accounts", Access.ADMIN, null, List.of(), 200, parts.sessions()::revokeUser, false));
        r.add(new ApiRoute(HandlerType.PUT, BASE + "/accounts/{account}/quota", "Set the account's gateway quota",
            "accounts", Access.ADMIN, Accounts.QUOTA_BODY, List.of(), 200, users::setQuota));

        List<ResourceKind> tenantKinds = List.of(Gateways.KIND, HttpRoutes.KIND, GrpcRoutes.KIND, TcpRoutes.KIND,
            TlsRoutes.KIND, EndpointSlices.KIND, Services.KIND, ReferenceGrants.KIND, Namespaces.KIND);
        for (ResourceKind kind : tenantKinds) {
            resource(r, kind, BASE + "/accounts/{account}/" + kind.collection(), Access.USER, Access.USER);
        }
        BatchHandler batch = new BatchHandler(tenantKinds, parts.commands(), parts.queries());
        r.add(new ApiRoute(HandlerType.POST, BASE + "/accounts/{account}/batch",
            "Apply many objects of the account (kubectl-apply style: created when absent, replaced when present), "
                + "each its own command; one result per object", "batch", Access.USER,
            BatchHandler.body(tenantKinds), List.of(), 200, batch::apply));
        r.add(new ApiRoute(HandlerType.GET, BASE + "/audit", "Events from epic.events, newest first", "audit",
            Access.USER, null, List.of("account", "aggregate", "actor", "from", "to", "limit", "cursor"), 200,
            parts.audit()::list));
        r.add(new ApiRoute(HandlerType.GET, BASE + "/audit/replay",
            "State and derived Envoy configuration as they were at an instant (folded from the log)", "audit",
            Access.USER, null, List.of("at", "account", "gateway"), 200, parts.audit()::replay));
        r.add(new ApiRoute(HandlerType.GET, BASE + "/audit/diff",
            "What changed between two instants, field by field, and the events (actor, command) that did it",
            "audit", Access.USER, null, List.of("from", "to", "account", "gateway"), 200, parts.audit()::diff));
        r.add(new ApiRoute(HandlerType.GET, BASE + "/audit/verify",
            "Check the hash chain and seal of every event of the account (an admin: of the asked account or all)",
            "audit", Access.USER, null, List.of("account"), 200, parts.audit()::verify));
        GatewayViewHandlers views = new GatewayViewHandlers(parts.views(), parts.adverts(), parts.queries(),
            parts.history());
        r.add(new ApiRoute(HandlerType.GET, BASE + "/accounts/{account}/gateways/{namespace}/{name}/view",
            "The gateway as its Envoy configuration is derived from: listeners, attached routes, their Services and "
                + "endpoint slices (epic.gateway-state)", "gateways", Access.USER, null, List.of(), 200, views::get));
        r.add(new ApiRoute(HandlerType.GET, BASE + "/accounts/{account}/gateways/{namespace}/{name}/view/events",
            "Server-sent events: a 'view' event with the gateway's view now and one at each change, 'deleted' when "
                + "it goes; a 'dataplane' event (as .../dataplane) now and whenever it changes", "gateways",
            Access.USER, null, List.of(), 200, views::events));
        r.add(new ApiRoute(HandlerType.GET, BASE + "/accounts/{account}/gateways/{namespace}/{name}/dataplane",
            "Where the gateway runs, now or at an instant (?at=, folded from the log): its replicas (ready, placed, "
                + "lost with the reason), the EPIC nodes they run on with their BGP adverts of its address, the "
                + "tunnels from those nodes to the client nodes of its endpoints; node addresses for admins only",
            "gateways", Access.USER, null, List.of("at"), 200, views::dataPlane));
        r.add(new ApiRoute(HandlerType.GET, BASE + "/nodes", "Every EPIC and client node (heartbeats folded: kind, "
            + "addresses, lost, tunnels) with its BGP adverts (epic.node-adverts)", "nodes", Access.ADMIN, null,
            List.of(), 200, views::nodes));
        ProxyConfigHandlers proxies = new ProxyConfigHandlers(parts.proxies(), parts.queries());
        r.add(new ApiRoute(HandlerType.GET, BASE + "/accounts/{account}/gateways/{namespace}/{name}/revisions",
            "Envoy configuration revisions of a gateway, newest first: which is served, which proxies run or rejected "
                + "each", "xds", Access.USER, null, List.of(), 200, proxies::revisions));
        r.add(new ApiRoute(HandlerType.GET, BASE + "/accounts/{account}/gateways/{namespace}/{name}/status",
            "Gateway API status of a gateway and of the routes naming it (conditions, listeners, parents), as the "
                + "workload controllers write it back; Programmed only once a proxy ACKed the current revision",
            "xds", Access.USER, null, List.of(), 200, proxies::status));
        r.add(new ApiRoute(HandlerType.GET, BASE + "/accounts/{account}/shared-gateways/{owner}/{namespace}/{name}/status",
            "Status of another account's gateway shared with this one, for this account's routes only: the gateway's "
                + "addresses and conditions, each route's Accepted and ResolvedRefs; 404 unless the owner granted it",
            "xds", Access.USER, null, List.of(), 200, proxies::sharedStatus));
        SharingHandlers sharing = new SharingHandlers(parts.commands(), parts.queries());
        String grant = BASE + "/accounts/{account}/gateways/{namespace}/{name}/sharing/{grantee}";
        r.add(new ApiRoute(HandlerType.PUT, grant, "Grant another account's routes attachment to this shared gateway "
            + "(one with a sharing key): they name it with parentRefs[].account", "gateways", Access.USER, null,
            List.of(), 200, sharing::grant));
        r.add(new ApiRoute(HandlerType.DELETE, grant, "Revoke a grant: the grantee's routes stay theirs but no longer "
            + "attach, and their next change is refused", "gateways", Access.USER, null, List.of(), 200,
            sharing::revoke));
        r.add(new ApiRoute(HandlerType.GET, BASE + "/accounts/{account}/shared-gateways", "Find another account's "
            + "gateway shared with this one by its sharing key (?sharingKey=, required): its owner, namespace and name "
            + "(what a route's parentRefs[] names); 404 unless one is", "gateways", Access.USER, null,
            List.of("sharingKey"), 200, sharing::sharedWith));
        r.add(new ApiRoute(HandlerType.GET, BASE + "/receipts/{commandId}",
            "Which proxies ACKed configuration containing a command, and which of its gateways' proxies have not yet",
            "xds", Access.USER, null, List.of(), 200, proxies::receipt));
        CertificateHandlers certificates = new CertificateHandlers(parts.certificates(), parts.commands(), parts.queries(),
            Clock.systemUTC());
        String certificate = BASE + "/accounts/{account}/certificates/{namespace}/{name}";
        r.add(new ApiRoute(HandlerType.PUT, certificate, "Upload (or rotate) a listener certificate: PEM chain and key, "
            + "kept outside Kafka (events carry its name and content hash) and served to the gateways naming it over SDS",
            "certificates", Access.USER, new CertificateBody(), List.of(), 200, certificates::put));
        r.add(new ApiRoute(HandlerType.GET, certificate, "A certificate's content hash and expiry (never the key)",
            "certificates", Access.USER, null, List.of(), 200, certificates::get));
        r.add(new ApiRoute(HandlerType.DELETE, certificate, "Remove a certificate: listeners naming it serve nothing",
            "certificates", Access.USER, null, List.of(), 200, certificates::delete));
        r.add(new ApiRoute(HandlerType.GET, BASE + "/accounts/{account}/certificates", "List the certificate records "
            + "(name, content hash, expiry, the workload cluster that uploaded it)", "certificates", Access.USER, null,
            List.of("namespace", "owner", "limit", "after"), 200,
            new ResourceHandlers(CertificateHandlers.KIND, parts.commands(), parts.queries())::list));
        return List.copyOf(r);
    }

    /** The collection and item routes of one kind, for the operations it has. */
    private void resource(List<ApiRoute> r, ResourceKind kind, String collection, Access read, Access write) {
        ResourceHandlers h = new ResourceHandlers(kind, parts.commands(), parts.queries());
        List<String> ns = kind.tenantScoped() ? List.of("namespace") : List.of();
        List<String> listParams = new ArrayList<>(kind.tenantScoped() ? List.of("namespace", "owner")
            : kind.type().accountNamed() ? List.of("owner") : List.of());
        if (kind.type() == AggregateType.GATEWAY) {
            listParams.add("sharingKey");
        }
        listParams.addAll(List.of("limit", "after"));
        String tag = kind.collection();
        String item = collection + "/{name}";
        r.add(new ApiRoute(HandlerType.GET, collection, "List " + kind.title() + "s", tag, read, null, listParams, 200, h::list));
        r.add(new ApiRoute(HandlerType.POST, collection, "Create a " + kind.title(), tag, write, kind.createBody(), ns, 201,
            h::create));
        r.add(new ApiRoute(HandlerType.GET, item, "Get a " + kind.title() + " (ETag = version)", tag, read, null, ns, 200,
            h::get));
        if (kind.replace() != null) {
            r.add(new ApiRoute(HandlerType.PUT, item, "Replace a " + kind.title() + " (If-Match: version)", tag, write,
                kind.replaceBody(), ns, 200, h::replace));
        }
        if (kind.delete() != null) {
            r.add(new ApiRoute(HandlerType.DELETE, item, "Delete a " + kind.title() + " (If-Match: version)", tag, write,
                null, ns, 200, h::delete));
        }
    }

    /** Public for probes, so it names services and their states only, nothing of any tenant. */
    private void health(Context ctx) {
        PlatformHealth.Report report = parts.health().report();
        if (report.healthy()) {
            ctx.json(Map.of("healthy", true, "services", report.services()));
        } else {
            ctx.status(503).json(Map.of("healthy", false, "down", report.down()));
        }
    }

    /**
     * Starts serving HTTPS on {@code host:httpsPort} with {@code tls}, and plain HTTP on {@code 127.0.0.1:httpPort}
     * only: plain HTTP never leaves the machine (ports 0 pick free ones).
     */
    public CommandApi start(String host, int httpPort, int httpsPort, ApiTls tls) {
        app = Javalin.create(config -> {
            // Plain first: connectors[0] is what Javalin reports as its port.
            config.jetty.addConnector((server, http) -> {
                ServerConnector plain = new ServerConnector(server, new HttpConnectionFactory(http));
                plain.setHost(LOOPBACK);
                plain.setPort(httpPort);
                return plain;
            });
            config.jetty.addConnector((server, http) -> {
                HttpConfiguration secure = new HttpConfiguration(http);
                SecureRequestCustomizer customizer = new SecureRequestCustomizer();
                customizer.setSniHostCheck(false); // clients pin the certificate; they may use any name or address
                secure.addCustomizer(customizer);
                httpsConnector = new ServerConnector(server,
                    new SslConnectionFactory(tls.sslContextFactory(), HttpVersion.HTTP_1_1.asString()),
                    new HttpConnectionFactory(secure));
                httpsConnector.setHost(host);
                httpsConnector.setPort(httpsPort);
                return httpsConnector;
            });
            config.showJavalinBanner = false;
            config.useVirtualThreads = true;
            config.http.maxRequestSize = MAX_BODY_BYTES;
            // DELETE on a pool (which cannot be removed) is 405, not "no such route".
            config.http.prefer405over404 = true;
            config.jsonMapper(new JavalinJackson(HttpSupport.JSON, false));
            config.events.handlerAdded(meta -> {
                if (!meta.getPath().startsWith(ConsoleAssets.PATH)) { // the console's pages are not API operations
                    registered.add(meta.getHttpMethod().name() + " " + meta.getPath());
                }
            });
        });
        app.before(ctx -> ctx.attribute(STARTED, System.nanoTime()));
        // Before routing acts on them: a method is taken exactly as sent and never from an override header.
        app.before(StrictRequests::checkMethod);
        app.after(this::recordTiming);
        for (ApiRoute route : routes) {
            app.addHttpHandler(route.method(), route.path(), guarded(route));
        }
        new ConsoleAssets().register(app);
        app.exception(ApiError.class, (e, ctx) -> {
            if (e.retryAfterSeconds() > 0) {
                ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
            }
            ctx.status(e.status()).json(e.body());
        });
        app.exception(HttpResponseException.class, (e, ctx) -> {
            ApiError error = new ApiError(e.getStatus(), statusCode(e.getStatus()), e.getMessage(), null);
            ctx.status(error.status()).json(error.body());
        });
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
            ctx.status(500).json(new ApiError(500, "INTERNAL", "internal error: " + e.getClass().getSimpleName(),
                null).body());
        });
        app.error(404, ctx -> {
            if (ctx.result() == null || ctx.result().isEmpty()) {
                ctx.json(ApiError.notFound("no such route: " + ctx.method() + " " + ctx.path()).body());
            }
        });
        app.start();
        return this;
    }

    private static String statusCode(int status) {
        return switch (status) {
            case 400 -> "BAD_REQUEST";
            case 404 -> "NOT_FOUND";
            case 405 -> "METHOD_NOT_ALLOWED";
            case 413 -> "BODY_TOO_LARGE";
            case 415 -> "UNSUPPORTED_MEDIA_TYPE";
            default -> "HTTP_" + status;
        };
    }

    /**
     * Authenticates and authorizes before the route's handler runs, then checks what the route takes: its path and
     * query parameters, and its body (JSON, bounded, every field within {@link org.epicgateway.api.validation.Limits}),
     * so a handler only ever sees input this API accepts.
     */
    private Handler guarded(ApiRoute route) {
        if (route.access() == Access.PUBLIC) {
            return route.handler();
        }
        return ctx -> {
            Principal principal;
            try {
                Principal fromSession = parts.sessions().fromCookie(ctx);
                principal = fromSession != null ? fromSession
                    : parts.authenticator().authenticate(ctx.header("Authorization"), ctx.ip());
            } catch (ApiError e) {
                // A browser shows its own login dialog on this header; the console signs in with its own form.
                if (e.status() == 401 && ctx.header(CONSOLE_HEADER) == null) {
                    ctx.header("WWW-Authenticate", "Basic realm=\"epic\", Bearer realm=\"epic\"");
                }
                throw e;
            }
            if (route.access() == Access.ADMIN && !principal.admin()) {
                throw ApiError.forbidden("only admins may " + route.summary().toLowerCase(Locale.ROOT));
            }
            String cluster = ctx.header(Principal.CLUSTER_HEADER);
            if (cluster != null) {
                if (cluster.length() > 253 || !cluster.matches(Limits.DNS_SUBDOMAIN)) {
                    throw ApiError.badRequest("header " + Principal.CLUSTER_HEADER
                        + ": a workload cluster id is a DNS subdomain (lower case, digits, '-', '.')", Principal.CLUSTER_HEADER);
                }
                principal = principal.forCluster(cluster);
            }
            ctx.attribute(HttpSupport.PRINCIPAL, principal);
            StrictRequests.checkParameters(ctx);
            if (route.body() != null) {
                JsonNode body = StrictRequests.jsonBody(ctx, MAX_BODY_BYTES);
                if (route.body() instanceof BodySchema schema) {
                    // A batch validates each object against its own kind's schema (BatchHandler).
                    BodyValidator.validate(schema.avro(), body);
                }
                ctx.attribute(HttpSupport.BODY, body);
            }
            route.handler().handle(ctx);
        };
    }

    private void recordTiming(Context ctx) {
        Long started = ctx.attribute(STARTED);
        if (started == null) {
            return;
        }
        String route = ctx.endpointHandlerPath();
        Timer.builder("epic_api_requests")
            .tag("method", ctx.method().name())
            .tag("route", route.isEmpty() || route.equals("*") ? "unmatched" : route)
            .tag("status", Integer.toString(ctx.statusCode()))
            .register(parts.meters())
            .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }

    /** Every endpoint Javalin actually registered, as "METHOD path" (checked against the OpenAPI document). */
    public List<String> registeredEndpoints() {
        return List.copyOf(registered);
    }

    /** The plain HTTP port (loopback only). */
    public int port() {
        return app.port();
    }

    public int httpsPort() {
        return httpsConnector.getLocalPort();
    }

    @Override
    public void close() {
        if (app != null) {
            app.stop();
        }
    }
}
