package org.epicgateway.cli.up;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Level;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.epicgateway.api.ApiConfig;
import org.epicgateway.api.ApiService;
import org.epicgateway.api.oidc.OidcConfig;
import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.platform.PlatformContext;
import org.epicgateway.platform.PlatformService;
import org.epicgateway.xds.XdsService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
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
 * `epic up` on the real broker and registry: an admin defines a pool, a template (an invalid Envoy base config is
 * refused next to its field first) and an account with a user; the user creates a gateway and a route through the
 * forms, opens the gateway's graph, and sees an endpoint and its client node appear without a reload when an
 * EndpointSlice is added through the API; the timeline diffs before and after and verifies the hash chain; another
 * account's page is refused; a person signs in through a real OpenID Connect provider (mock-oauth2-server: code
 * flow with PKCE, signed ID tokens) as a tenant of the account its claim names. Screenshots of each page go to docs/screenshots/ (linked from the README).
 */
class ConsoleBrowserTest {
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

    @BeforeAll
    static void platformAndBrowser() throws Exception {
        // Never skipped: without the browser this test cannot say anything about the console.
        assertThat(CHROMIUM).as("Debian package chromium (infra/debian-packages.txt)").isExecutable();
        assertThat(CHROMEDRIVER).as("Debian package chromium-driver (infra/debian-packages.txt)").isExecutable();
        EmbeddedPlatform platform = EmbeddedPlatform.sharedForTests();
        PlatformContext context = new PlatformContext(platform.bootstrapServers(), platform.schemaRegistryUrl(),
            Files.createTempDirectory("epic-console-"), platform.meters());
        identityProvider.start();
        ApiConfig api = new ApiConfig("127.0.0.1", 0, "system", "admin", ADMIN_PASSWORD, 4, Duration.ofSeconds(60),
            Duration.ofHours(1), 100_000).withOidc(new OidcConfig(identityProvider.issuerUrl(ISSUER_ID).uri(),
            CLIENT_ID, null, "epic_account", null));
        XdsService xds = new XdsService(new XdsService.Settings("127.0.0.1", 0, Optional.empty(), 10, 1000));
        List<PlatformService> services = Up.services(api, xds);
        for (PlatformService s : services) {
            s.start(context);
            started.add(s);
        }
        port = ((ApiService) services.get(1)).port();

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
        if (browser != null) {
            browser.quit();
        }
        for (PlatformService s : started.reversed()) {
            s.close();
        }
        identityProvider.shutdown();
    }

    @Test
    void anAdminSetsUpATenantWhoBuildsAGatewayAndWatchesItsGraphAndTimeline() throws Exception {
        try {
            adminThenTenant();
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
        fill("route-form", "hostnames", "Not_A_Host!");
        submit("route-form");
        assertThat(waitFor(By.id("route-form-hostnames-error")).getText()).contains("hostnames[0]");
        fill("route-form", "hostnames", "www.example.com");
        submit("route-form");
        waitFor(By.cssSelector("tr[data-route='default/web']"));
        screenshot("routes");

        // The graph, live: an EndpointSlice added through the API appears without a reload.
        open("/ui/#/a/" + acme + "/gateways/default/web");
        waitForNode("route:default/web");
        waitForNode("service:default/web");
        assertThat(browser.findElements(By.cssSelector("#graph-nodes li[data-id='endpoint:10.1.0.5']"))).isEmpty();
        ((JavascriptExecutor) browser).executeScript("window.sameDocument = 'yes';");
        api("POST", "/api/v1/accounts/" + acme + "/endpointslices", """
            {"name":"web-1","serviceName":"web","ports":[{"name":"http","port":8080,"protocol":"TCP"}],
             "endpoints":[{"addresses":["10.1.0.5"],"conditions":{"ready":true},
                           "nodeName":"node-1","nodeAddress":"198.51.100.7"}]}""", alice(acme), 201);
        waitForNode("endpoint:10.1.0.5");
        waitForNode("node:node-1");
        assertThat(((JavascriptExecutor) browser).executeScript("return window.sameDocument;"))
            .as("the page was not reloaded").isEqualTo("yes");
        assertThat(browser.findElement(By.id("gateway-graph")).getAttribute("data-nodes"))
            .as("gateway, listener, route, rule, Service, endpoint, client node").isEqualTo("7");
        assertThat(browser.findElement(By.id("live-state")).getText()).isEqualTo("live");
        screenshot("gateway-graph", By.id("gateway-graph"));

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
        waitUntilText(By.tagName("body"), "does not exist");
        open("/ui/");
        waitFor(By.id("login"));
        // A callback this browser did not start (login CSRF: someone else's code and state) is refused.
        HttpResponse<String> foreign = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
            + "/api/v1/oidc/callback?code=stolen&state=someone-elses")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(foreign.statusCode()).isEqualTo(401);
        assertThat(foreign.body()).contains("not started in this browser");
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

    private static void fill(String form, String field, String value) {
        WebElement input = waitFor(By.id(form + "-" + field));
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
