package org.epicgateway.api.console;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The web console's files under {@value #PATH}: the page and its scripts from this module's {@code console/}
 * resources, and the libraries from their WebJars on the classpath (Maven Central, pinned in the root pom), so
 * nothing is fetched from another site and no Node toolchain is needed to build or run. Each file is read once at
 * start and served from memory with its type; anything else under the path is 404. The page's only inline script
 * is its import map, allowed by its hash in the Content-Security-Policy, which allows nothing else from anywhere but
 * this origin.
 */
public final class ConsoleAssets {
    public static final String PATH = "/ui";
    /** Versions of the WebJars in the root pom's dependencyManagement (ConsoleAssetsTest reads each file). */
    static final String PREACT = "META-INF/resources/webjars/preact/10.27.2/";
    static final String CYTOSCAPE = "META-INF/resources/webjars/cytoscape/3.33.1/";
    private static final Pattern IMPORT_MAP =
        Pattern.compile("<script type=\"importmap\">(.*?)</script>", Pattern.DOTALL);

    private record Asset(byte[] bytes, String type) {
    }

    private final Map<String, Asset> assets = new LinkedHashMap<>();
    private final String contentSecurityPolicy;

    public ConsoleAssets() {
        String js = "text/javascript; charset=utf-8";
        add("/", "console/index.html", "text/html; charset=utf-8");
        add("/app.js", "console/app.js", js);
        add("/api.js", "console/api.js", js);
        add("/forms.js", "console/forms.js", js);
        add("/graph.js", "console/graph.js", js);
        add("/timeline.js", "console/timeline.js", js);
        add("/app.css", "console/app.css", "text/css; charset=utf-8");
        add("/lib/preact.mjs", PREACT + "dist/preact.module.js", js);
        add("/lib/preact-hooks.mjs", PREACT + "hooks/dist/hooks.module.js", js);
        add("/lib/cytoscape.mjs", CYTOSCAPE + "dist/cytoscape.esm.min.mjs", js);
        String page = new String(assets.get("/").bytes(), StandardCharsets.UTF_8);
        Matcher importMap = IMPORT_MAP.matcher(page);
        if (!importMap.find()) {
            throw new IllegalStateException("console/index.html has no import map");
        }
        contentSecurityPolicy = "default-src 'self'; script-src 'self' 'sha256-" + sha256(importMap.group(1))
            + "'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; "
            + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    }

    private void add(String path, String resource, String type) {
        try (InputStream in = ConsoleAssets.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("console asset " + resource + " is not on the classpath");
            }
            assets.put(path, new Asset(in.readAllBytes(), type));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The paths served, relative to {@value #PATH}. */
    public Iterable<String> paths() {
        return assets.keySet();
    }

    /** Registers the console's files (outside the API's route table: they are pages, not API operations). */
    public void register(Javalin app) {
        // Javalin ignores trailing slashes, so "/ui/" is "/ui": the page is served at both.
        assets.forEach((path, asset) -> app.get(path.equals("/") ? PATH : PATH + path, ctx -> serve(ctx, asset)));
    }

    private void serve(Context ctx, Asset asset) {
        ctx.header("Content-Security-Policy", contentSecurityPolicy);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Cache-Control", "no-cache");
        ctx.contentType(asset.type()).result(asset.bytes());
    }

    private static String sha256(String text) {
        try {
            return Base64.getEncoder().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }
}
