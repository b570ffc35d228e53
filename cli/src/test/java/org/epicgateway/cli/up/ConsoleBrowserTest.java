package org.epicgateway.cli.up;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.epicgateway.cli.AckingProxy;
import org.epicgateway.api.ApiConfig;
import org.epicgateway.api.ApiService;
import org.epicgateway.api.oidc.OidcConfig;
import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.platform.PlatformContext;
import org.epicgateway.platform.PlatformService;
import org.epicgateway.schemas.avro.NodeKind;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.reports.ReportSender;
import org.epicgateway.transport.lab.RootSupport;
import org.epicgateway.transport.report.AgentCommands;
import org.epicgateway.xds.AdsClient;
import org.epicgateway.xds.XdsService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.epicgateway.platform.secrets.KeytoolCertificates;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real browser (Debian's chromium, headless, through chromedriver) against the services of
 * `epic up` on the real broker and registry, with an EPIC node (a network namespace where the provisioner runs the
 * stand-in replica; root) and a client node sending heartbeats as their agents would: an admin defines a pool, a
 * template (an invalid Envoy base config is refused next to its field first) and an account with a user, and sees
 * the nodes; the user creates a gateway and a route through the forms, opens the gateway's graph, sees its replica
 * become ready on the EPIC node and announce the address, and an endpoint, its GUE tunnel and client node appear
 * without a reload when an EndpointSlice is added through the API; the graph at a past instant; the timeline diffs
 * before and after and verifies the hash chain; another account's page is refused; a person signs in through a real
 * OpenID Connect provider (mock-oauth2-server: code flow with PKCE, signed ID tokens) as a tenant of the account its
 * claim names, and a refused one sees why on the sign-in page. A second tenant drives the Services, ReferenceGrants,
 * TCPRoute and certificate forms, and sessions are revoked on the server. Screenshots of each page go to
 * docs/screenshots/ (linked from the README).
 */
class ConsoleBrowserTest {
    private static XdsService xds;
    private static final String ADMIN_PASSWORD = "admin-password-1";
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of(System.getProperty("user.dir")).resolve("../docs/screenshots").normalize();
    private static final List<PlatformService> started = new ArrayList<>();
    private static final HttpClient http = HttpClient.newHttpClient();
    private static int port;
    private static WebDriver browser;
    /** A real OpenID Connect provider (discovery, authorize, token, JWKS, signed ID tokens) on a free local port. */
    private static final MockOAuth2Server identityProvider = new MockOAuth2Server();
    private static final String ISSUER_ID = "epic-idp";
    private static final String CLIENT_ID = "epic-console";

    /** An EPIC node (a network namespace, where the provisioner runs the stand-in replica) and a client node. */
    private static final String X = RootSupport.uniqueSuffix();
    private static final String EPIC_NODE = "ec-" + X;
    private static final String CLIENT_NODE = "cn-" + X;
    private static final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor();
    private static ReportSender reports;

    @BeforeAll
    static void platformAndBrowser() throws Exception {
        // Never skipped: without the browser this test cannot say anything about the console.
        assertThat(CHROMIUM).as("Debian package chromium (infra/debian-packages.txt)").isExecutable();
        assertThat(CHROMEDRIVER).as("Debian package chromium-driver (infra/debian-packages.txt)").isExecutable();
        // The data plane in the graph needs a replica really running on an EPIC node: a network namespace (root).
        RootSupport.requireRootAndTools("ip");
        RootSupport.run("ip", "netns", "add", EPIC_NODE);
        RootSupport.run("ip", "-n", EPIC_NODE, "link", "set", "lo", "up");
        EmbeddedPlatform platform = EmbeddedPlatform.sharedForTests();
        PlatformContext context = new PlatformContext(platform.bootstrapServers(), platform.schemaRegistryUrl(),
            Files.createTempDirectory("epic-console-"), platform.meters());
        identityProvider.start();
        ApiConfig api = new ApiConfig("127.0.0.1", 0, "system", "admin", ADMIN_PASSWORD, 4, Duration.ofSeconds(60),
            Duration.ofHours(1), 100_000).withOidc(new OidcConfig(identityProvider.issuerUrl(ISSUER_ID).uri(),
            CLIENT_ID, null, "epic_account", null));
        xds = new XdsService(new XdsService.Settings("127.0.0.1", 0, Optional.empty(), 10, 1000));
        List<PlatformService> services = Up.services(api, xds);
        // The local provider runs the stand-in proxy in the namespace named like the node (read at the start).
        Map<String, String> before = new HashMap<>();
        Map<String, String> provider = Map.of("epic.provisioner.stand-in", "true", "epic.provisioner.netns-prefix", "");
        provider.forEach((k, v) -> before.put(k, System.setProperty(k, v)));
        try {
            for (PlatformService s : services) {
                s.start(context);
                started.add(s);
            }
        } finally {
            before.forEach((k, v) -> {
                if (v == null) {
                    System.clearProperty(k);
                } else {
                    System.setProperty(k, v);
                }
            });
        }
        // What node agents would send: heartbeats of the EPIC node and of the client node hosting the endpoints.
        reports = new ReportSender(context.kafkaClient(services.getFirst()), new SchemaRegistryClient(platform.schemaRegistryUrl()));
        String boot = "console-test-" + X;
        AtomicLong beat = new AtomicLong();
        heartbeats.scheduleAtFixedRate(() -> {
            long n = beat.getAndIncrement();
            reports.send(AgentCommands.heartbeat(EPIC_NODE, NodeKind.EPIC, List.of("198.18.200.1"), "uplink0", null,
                boot, n, Instant.now()));
            reports.send(AgentCommands.heartbeat(CLIENT_NODE, NodeKind.CLIENT, List.of("198.51.100.7"), "eth0", null,
                boot, n, Instant.now()));
        }, 0, 2, TimeUnit.SECONDS);
        port = services.stream().filter(ApiService.class::isInstance).map(ApiService.class::cast).findFirst().orElseThrow().port();

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
            "--disable-gpu");
        ChromeDriverService driver = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort().build();
        browser = new ChromeDriver(driver, options);
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void stop() throws Exception {
        heartbeats.shutdownNow();
        if (browser != null) {
            browser.quit();
        }
        for (PlatformService s : started.reversed()) {
            s.close();
        }
        if (reports != null) {
            reports.close();
        }
        identityProvider.shutdown();
        RootSupport.runQuietly("ip", "netns", "del", EPIC_NODE);
    }

    @Test
    void anAdminSetsUpATenantWhoBuildsAGatewayAndWatchesItsGraphAndTimeline() throws Exception {
        explainingFailures(this::adminThenTenant);
    }

    private interface Steps {
        void run() throws Exception;
    }

    private static void explainingFailures(Steps steps) throws Exception {
        try {
            steps.run();
        } catch (Throwable failure) {
            // What the browser showed and said, for whoever reads the failed run.
            Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(),
                Path.of("target", "console-failure.png"), StandardCopyOption.REPLACE_EXISTING);
            browser.manage().logs().get(LogType.BROWSER).forEach(entry -> failure.addSuppressed(
                new AssertionError("browser console: " + entry)));
            failure.addSuppressed(new AssertionError("page at " + browser.getCurrentUrl() + " (screenshot in "
                + "target/console-failure.png)"));
            throw failure;
        }
    }

    private void adminThenTenant() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        String pool = "pool-" + suffix;
        String template = "tmpl-" + suffix;
        String acme = "acme-" + suffix;
        String other = "other-" + suffix;

        // The admin: a pool, a template (refused first, inline), an account and its user.
        open("/ui/");
        signIn("admin@system", ADMIN_PASSWORD);
        waitFor(By.cssSelector("#pools, #pool-form"));
        fill("pool-form", "pool", pool);
        fill("pool-form", "ranges", "192.0.2.64/29");
        submit("pool-form");
        WebElement poolRow = waitFor(By.cssSelector("tr[data-pool='" + pool + "']"));
        assertThat(poolRow.getText()).contains("0 allocated / 6 free of 6");

        open("/ui/#/templates");
        fill("template-form", "template", template);
        fill("template-form", "pool", pool);
        fill("template-form", "envoyBaseConfig", "{\"static_resources\": ");
        submit("template-form");
        WebElement baseConfigError = waitFor(By.id("template-form-envoyBaseConfig-error"));
        assertThat(baseConfigError.getText()).isNotBlank();
        screenshot("templates-invalid-base-config", By.id("template-form-envoyBaseConfig"));
        fill("template-form", "envoyBaseConfig", "{}");
        submit("template-form");
        waitFor(By.cssSelector("tr[data-template='" + template + "']"));
        screenshot("templates");

        open("/ui/#/accounts");
        fill("account-form", "account", acme);
        submit("account-form");
        waitFor(By.cssSelector("tr[data-account='" + acme + "']"));
        fill("user-form", "account", acme);
        fill("user-form", "username", "alice");
        fill("user-form", "password", "alice-password-1");
        submit("user-form");
        waitUntilText(By.cssSelector("tr[data-account='" + acme + "']"), "alice");
        screenshot("accounts");
        api("POST", "/api/v1/accounts", "{\"account\":\"" + other + "\"}", admin(), 201);

        open("/ui/#/pools");
        waitFor(By.cssSelector("tr[data-pool='" + pool + "']"));
        screenshot("pools");

        // Nodes (admins only): the EPIC node and the client node, from their heartbeats.
        open("/ui/#/nodes");
        assertThat(waitFor(By.cssSelector("tr[data-node='" + EPIC_NODE + "']")).getText()).contains("EPIC", "198.18.200.1", "live");
        waitFor(By.cssSelector("tr[data-node='" + CLIENT_NODE + "']"));
        screenshot("nodes");
        signOut();

        // The tenant: a gateway and a route through the forms (a bad hostname is refused next to its field).
        signIn("alice@" + acme, "alice-password-1");
        waitFor(By.id("gateway-form"));
        fill("gateway-form", "name", "web");
        fill("gateway-form", "template", template);
        submit("gateway-form");
        WebElement gatewayRow = waitFor(By.cssSelector("tr[data-gateway='default/web']"));
        assertThat(gatewayRow.getText()).contains("192.0.2.65");
        screenshot("gateways");

        open("/ui/#/a/" + acme + "/routes");
        fill("route-form", "name", "web");
        fill("route-form", "parentRefs", "web");
        refusedThenSaved("route-form", "hostnames", "Not_A_Host!", "hostnames[0]", "www.example.com",
            By.cssSelector("tr[data-route='default/web']"));
        screenshot("routes");

        // The graph, live: the replica placed on the EPIC node becomes ready and announces the address; an
        // EndpointSlice added through the API brings the endpoint, its tunnel and client node without a reload.
        open("/ui/#/a/" + acme + "/gateways/default/web");
        waitForNode("route:default/web");
        waitForNode("service:default/web");
        WebElement replica = new WebDriverWait(browser, Duration.ofSeconds(120)).until(ExpectedConditions
            .visibilityOfElementLocated(By.cssSelector("#replicas tr[data-state='ready']")));
        assertThat(replica.getText()).contains(EPIC_NODE, "192.0.2.65/32");
        String instance = replica.getAttribute("data-replica");
        waitForNode("replica:" + instance);
        waitForNode("epicnode:" + EPIC_NODE);
        waitForNode("advert:" + EPIC_NODE + ":192.0.2.65/32");
        assertThat(browser.findElements(By.cssSelector("#graph-nodes li[data-id='endpoint:10.1.0.5']"))).isEmpty();
        assertThat(browser.findElements(By.cssSelector("#graph-nodes li[data-kind='tunnel']"))).isEmpty();
        Instant beforeSlice = Instant.now();
        ((JavascriptExecutor) browser).executeScript("window.sameDocument = 'yes';");
        api("POST", "/api/v1/accounts/" + acme + "/endpointslices", """
            {"name":"web-1","serviceName":"web","ports":[{"name":"http","port":8080,"protocol":"TCP"}],
             "endpoints":[{"addresses":["10.1.0.5"],"conditions":{"ready":true},
                           "nodeName":"%s","nodeAddress":"198.51.100.7"}]}""".formatted(CLIENT_NODE), alice(acme), 201);
        waitForNode("endpoint:10.1.0.5");
        waitForNode("node:" + CLIENT_NODE);
        String tunnel = new WebDriverWait(browser, Duration.ofSeconds(60)).until(b -> (String) ((JavascriptExecutor) b)
            .executeScript("const li = document.querySelector(\"#graph-nodes li[data-kind='tunnel']\");"
                + " return li && li.dataset.id + ' ' + li.textContent;"));
        assertThat(tunnel).startsWith("tunnel:" + EPIC_NODE + "#").contains(EPIC_NODE + " → " + CLIENT_NODE);
        assertThat(((JavascriptExecutor) browser).executeScript("return window.sameDocument;"))
            .as("the page was not reloaded").isEqualTo("yes");
        // Every kind, from BGP advert to client node. The stand-in restarts with its new upstream (not ready for a
        // moment, so the advert goes and comes back): wait for the whole set, read in one go as the list re-renders.
        List<String> kinds = List.of("advert", "epicnode", "replica", "gateway", "listener", "route", "rule", "service",
            "endpoint", "tunnel", "node");
        new WebDriverWait(browser, Duration.ofSeconds(60)).until(b -> ((List<?>) ((JavascriptExecutor) b).executeScript(
            "return [...document.querySelectorAll('#graph-nodes li')].map(li => li.dataset.kind);")).containsAll(kinds));
        assertThat(browser.findElement(By.id("live-state")).getText()).isEqualTo("live");
        assertThat(waitFor(By.id("gateway-accepted")).getText()).startsWith("True");
        // The stand-in is no xDS client: a raw ADS stream under the replica's node id ACKs for it, and the page shows
        // the revision that replica runs and the gateway Programmed, without a reload.
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", xds.xdsPort(),
            InsecureChannelCredentials.create()).build();
        try (AckingProxy replicaProxy = new AckingProxy(AdsClient.sotw(channel,
            "gateway/" + acme + "/default/web~" + instance))) {
            String acked = new WebDriverWait(browser, Duration.ofSeconds(60)).until(b -> (String) ((JavascriptExecutor) b)
                .executeScript("const c = document.querySelector(\"#replicas tr[data-replica='" + instance
                    + "'] td code\"); return c && c.textContent;"));
            assertThat(acked).as("the ACKed revision in the replica's row").matches("[0-9a-f]{12}");
            waitUntilText(By.id("gateway-programmed"), "True");
            waitForNode("replica:" + instance);
            screenshot("gateway-graph", By.id("gateway-graph"));
            screenshot("gateway-replicas", By.id("replicas"));
        } finally {
            channel.shutdownNow();
        }
        assertThat(((JavascriptExecutor) browser).executeScript("return window.sameDocument;"))
            .as("the page was not reloaded").isEqualTo("yes");

        // The same gateway at an instant before the slice: the replica and its advert, no endpoint, no tunnel.
        fillInput(By.id("graph-at"), beforeSlice.toString());
        browser.findElement(By.id("graph-at-show")).click();
        waitUntilText(By.id("live-state"), "past");
        waitForNode("replica:" + instance);
        waitForNode("advert:" + EPIC_NODE + ":192.0.2.65/32");
        assertThat(browser.findElements(By.cssSelector("#graph-nodes li[data-kind='endpoint'], #graph-nodes li[data-kind='tunnel']")))
            .isEmpty();
        browser.findElement(By.id("graph-live")).click();
        waitForNode("endpoint:10.1.0.5");

        // The timeline: from just before the route to the slice, scoped to the gateway; then the chain is verified.
        open("/ui/#/a/" + acme + "/timeline");
        waitFor(By.cssSelector("#events tr[data-type='HttpRouteUpserted'] .pick-from")).click();
        waitFor(By.cssSelector("#events tr[data-type='EndpointSliceUpserted'] .pick-to")).click();
        new Select(browser.findElement(By.id("diff-gateway")))
            .selectByValue("default/web");
        browser.findElement(By.id("show-diff")).click();
        WebElement diff = waitFor(By.id("diff-result"));
        assertThat(diff.findElements(By.cssSelector(".change")))
            .extracting(e -> e.getAttribute("data-aggregate"))
            .contains("httproute/" + acme + "/default/web", "endpointslice/" + acme + "/default/web-1");
        assertThat(waitFor(By.id("envoy-diff")).getText()).as("the route's virtual host").contains("+", "www.example.com");
        browser.findElement(By.id("verify-chain")).click();
        waitUntilText(By.id("verify-result"), "Intact");
        screenshot("timeline");

        // Another account's page: the API refuses, and the console says so.
        open("/ui/#/a/" + other + "/gateways");
        assertThat(waitFor(By.id("refused")).getText()).contains("403").contains(other);

        // Phone width: the graph page still reads.
        browser.manage().window().setSize(new Dimension(390, 844));
        open("/ui/#/a/" + acme + "/gateways/default/web");
        waitForNode("endpoint:10.1.0.5");
        waitForNode("replica:" + instance);
        screenshot("gateway-graph-phone", By.id("gateway-graph"));
        browser.manage().window().setSize(new Dimension(1280, 900));

        // OIDC: the provider vouches for carol of acme (the account claim); she lands in the console as a tenant.
        signOut();
        identityProvider.enqueueCallback(new DefaultOAuth2TokenCallback(ISSUER_ID, "carol", "JWT", List.of(CLIENT_ID),
            Map.of("epic_account", acme), 3600));
        waitFor(By.id("signin-oidc")).click();
        assertThat(waitFor(By.id("who")).getText()).isEqualTo("oidc:carol@" + acme);
        waitFor(By.cssSelector("tr[data-gateway='default/web']"));
        screenshot("signed-in-through-oidc");
        open("/ui/#/a/" + other + "/gateways");
        assertThat(waitFor(By.id("refused")).getText()).contains("403");
        // An ID token naming no EPIC account starts no session.
        signOut();
        identityProvider.enqueueCallback(new DefaultOAuth2TokenCallback(ISSUER_ID, "dave", "JWT", List.of(CLIENT_ID),
            Map.of("epic_account", "no-such-account-" + suffix), 3600));
        waitFor(By.id("signin-oidc")).click();
        assertThat(waitFor(By.id("signin-refused")).getText()).contains("does not exist");
        waitFor(By.id("login"));
        screenshot("signin-refused");
        // A callback this browser did not start (login CSRF: someone else's code and state) is refused.
        HttpResponse<String> foreign = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
            + "/api/v1/oidc/callback?code=stolen&state=someone-elses")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(foreign.statusCode()).isEqualTo(401);
        assertThat(foreign.body()).contains("not started in this browser");
    }

    /**
     * The tenant's other pages, each through its form with an API refusal shown next to its field first: Services,
     * endpoint slices, ReferenceGrants, TCPRoutes, certificates (the key never comes back); then sign-out revokes the
     * session on the server and an admin revokes a user's sessions from the Accounts page.
     */
    @Test
    void aTenantManagesServicesGrantsTcpRoutesAndCertificatesAndSessionsAreRevokedOnTheServer() throws Exception {
        explainingFailures(this::pagesAndRevocation);
    }

    private void pagesAndRevocation() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        String account = "pages-" + suffix;
        String user = "erin@" + account;
        api("POST", "/api/v1/accounts", "{\"account\":\"" + account + "\"}", admin(), 201);
        api("POST", "/api/v1/accounts/" + account + "/users",
            "{\"username\":\"erin\",\"password\":\"erin-password-1\",\"roles\":[]}", admin(), 201);
        // Pools are platform-wide and the platform is shared by the module's test classes: a range no other test uses.
        api("POST", "/api/v1/pools", "{\"pool\":\"pp-" + suffix + "\",\"ranges\":[\"198.18.81.0/29\"]}", admin(), 201);
        api("POST", "/api/v1/templates", "{\"template\":\"pt-" + suffix + "\",\"pool\":\"pp-" + suffix
            + "\",\"replicas\":1,\"shareable\":false,\"envoyBaseConfig\":\"{}\"}", admin(), 201);
        // A gateway whose HTTPS listener names a certificate not uploaded yet (the gateway form has no TLS field).
        api("POST", "/api/v1/accounts/" + account + "/gateways", """
            {"name":"tls","template":"pt-%s","listeners":[{"name":"https","port":443,"protocol":"HTTPS",
             "tlsCertificateRefs":[{"name":"site"}]}]}""".formatted(suffix), basic(user, "erin-password-1"), 201);
        open("/ui/");
        if (waitFor(By.cssSelector("#login, #signout")).getAttribute("id").equals("signout")) {
            signOut(); // the other test's session, when it ended early
        }
        signIn(user, "erin-password-1");
        String base = "/ui/#/a/" + account;

        open(base + "/services");
        fill("service-form", "name", "db");
        assertThat(refusedThenSaved("service-form", "ports", "tcp not-a-port", "ports[0]",
            "tcp 5432\nmetrics 9100 9100 http", By.cssSelector("tr[data-service='default/db']")).getText())
            .contains("tcp 5432", "metrics 9100");
        screenshot("services");

        open(base + "/slices");
        fill("slice-form", "name", "db-1");
        fill("slice-form", "serviceName", "db");
        fill("slice-form", "ports", "5432");
        fill("slice-form", "nodeName", CLIENT_NODE);
        assertThat(refusedThenSaved("slice-form", "endpoints", "10.9.0.300", "endpoints[0]", "10.9.0.3, 10.9.0.4",
            By.cssSelector("tr[data-slice='default/db-1']")).getText()).contains("10.9.0.3 10.9.0.4 on " + CLIENT_NODE);
        screenshot("slices");

        open(base + "/referencegrants");
        fill("grant-form", "name", "from-other");
        fill("grant-form", "to", "Service db");
        assertThat(refusedThenSaved("grant-form", "from", "TCPRoute", "from[0].namespace", "TCPRoute other",
            By.cssSelector("tr[data-grant='default/from-other']")).getText()).contains("TCPRoute in other", "Service db");
        screenshot("referencegrants");

        open(base + "/routes");
        fill("tcproute-form", "parentRefs", "tls");
        assertThat(refusedThenSaved("tcproute-form", "name", "Bad_Name", "name", "db",
            By.cssSelector("tr[data-route='default/db'][data-kind='TCPRoute']")).getText()).contains("tls");
        screenshot("tcproutes", By.id("tcproute-form"));

        // Certificates: the listener's reference is listed as missing; a bad PEM is refused next to its field; an
        // upload is stored and shown by hash and expiry, and the key is neither kept in the form nor shown.
        open(base + "/certificates");
        assertThat(waitFor(By.cssSelector("tr[data-certificate='default/site']")).getText()).contains("not uploaded");
        KeytoolCertificates.Pem pem = KeytoolCertificates.selfSigned(Files.createTempDirectory("console-cert-"),
            "www.example.com", null, 30);
        fill("certificate-form", "name", "site");
        fill("certificate-form", "privateKey", pem.key());
        assertThat(refusedThenSaved("certificate-form", "certificate",
            "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n", "certificate", pem.chain(),
            By.id("certificate-uploaded")).getText()).contains(account + "/default/site", "SHA-256");
        By stored = By.cssSelector("tr[data-certificate='default/site']");
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(
            ExpectedConditions.not(ExpectedConditions.textToBePresentInElementLocated(stored, "not uploaded")));
        assertThat(browser.findElement(stored).getText()).contains("…");
        assertThat(browser.findElement(By.id("certificate-form-privateKey")).getAttribute("value")).isEmpty();
        assertThat(browser.getPageSource()).doesNotContain("PRIVATE KEY").doesNotContain(pem.key().lines().skip(1).findFirst().orElseThrow());
        screenshot("certificates");

        // Sign-out revokes on the server: the cookie, replayed as it was, is refused at once.
        Cookie session = browser.manage().getCookieNamed("epic_session");
        assertThat(withCookie(session.getValue()).statusCode()).isEqualTo(200);
        signOut();
        HttpResponse<String> replayed = withCookie(session.getValue());
        assertThat(replayed.statusCode()).isEqualTo(401);
        assertThat(replayed.body()).contains("sign in again");

        // An admin revokes erin's sessions from the Accounts page: her session elsewhere ends at once.
        HttpResponse<String> elsewhere = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
            + "/api/v1/sessions")).header("Authorization", basic(user, "erin-password-1"))
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(elsewhere.statusCode()).isEqualTo(201);
        String erinsCookie = elsewhere.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0].split("=", 2)[1];
        assertThat(withCookie(erinsCookie).statusCode()).isEqualTo(200);
        signIn("admin@system", ADMIN_PASSWORD);
        open("/ui/#/accounts");
        fill("revoke-form", "account", account);
        fill("revoke-form", "username", "erin");
        submit("revoke-form");
        waitUntilText(By.id("revoke-form"), "revoked");
        screenshot("accounts-revoke", By.id("revoke-form"));
        assertThat(withCookie(erinsCookie).statusCode()).isEqualTo(401);
        signOut();
    }

    private static HttpResponse<String> withCookie(String session) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/sessions/current"))
            .header("Cookie", "epic_session=" + session).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String admin() {
        return basic("admin@system", ADMIN_PASSWORD);
    }

    private static String alice(String account) {
        return basic("alice@" + account, "alice-password-1");
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static void api(String method, String path, String body, String auth, int expected) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", auth).header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + " " + response.body()).isEqualTo(expected);
    }

    private static void open(String path) {
        browser.get("http://127.0.0.1:" + port + path);
    }

    private static void signIn(String login, String password) {
        waitFor(By.id("login")).sendKeys(login);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("signin-submit")).click();
        waitFor(By.id("who"));
        assertThat(browser.findElement(By.id("who")).getText()).isEqualTo(login);
    }

    private static void signOut() {
        browser.findElement(By.id("signout")).click();
        waitFor(By.id("login"));
    }

    /**
     * Submits {@code bad} in a field and expects the API's refusal next to that field (naming {@code error}), then
     * submits {@code good} and waits for {@code saved}.
     */
    private static WebElement refusedThenSaved(String form, String field, String bad, String error, String good,
                                               By saved) {
        fill(form, field, bad);
        submit(form);
        assertThat(waitFor(By.id(form + "-" + field + "-error")).getText()).contains(error);
        fill(form, field, good);
        submit(form);
        return waitFor(saved);
    }

    private static void fill(String form, String field, String value) {
        fillInput(By.id(form + "-" + field), value);
    }

    private static void fillInput(By by, String value) {
        WebElement input = waitFor(by);
        input.clear();
        input.sendKeys(value);
    }

    private static void submit(String form) {
        browser.findElement(By.cssSelector("#" + form + " button[type=submit]")).click();
    }

    private static WebElement waitFor(By by) {
        return new WebDriverWait(browser, Duration.ofSeconds(60)).until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    /** Graph nodes are read from the list beside the picture, which may be folded (present, not visible). */
    private static WebElement waitForNode(String id) {
        return new WebDriverWait(browser, Duration.ofSeconds(60)).until(
            ExpectedConditions.presenceOfElementLocated(By.cssSelector("#graph-nodes li[data-id='" + id + "']")));
    }

    private static void waitUntilText(By by, String text) {
        new WebDriverWait(browser, Duration.ofSeconds(120)).until(ExpectedConditions.textToBePresentInElementLocated(by, text));
    }

    /** The page from its top, or scrolled to {@code focus}. */
    private static void screenshot(String name, By focus) throws Exception {
        ((JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView({block: 'center'});",
            browser.findElement(focus));
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static void screenshot(String name) throws Exception {
        ((JavascriptExecutor) browser).executeScript("window.scrollTo(0, 0);");
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
