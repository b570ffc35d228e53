package org.epicgateway.infra.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.stream.Stream;

import org.epicgateway.infra.Directories;

/**
 * The Apicurio Registry server distribution ({@code io.apicurio:apicurio-registry-app:3.3.3:tar.gz:all}, a
 * self-contained Quarkus fast-jar): taken from the local Maven repository, fetched from Maven Central into it on
 * first use, and unpacked once into a cache directory shared by every checkout and test JVM of this user.
 */
final class ApicurioDistribution {

    static final String VERSION = "3.3.3";
    private static final String FILE = "apicurio-registry-app-" + VERSION + "-all.tar.gz";
    private static final String CENTRAL_PATH = "io/apicurio/apicurio-registry-app/" + VERSION + "/" + FILE;
    private static final URI CENTRAL = URI.create("https://repo.maven.apache.org/maven2/" + CENTRAL_PATH);

    private ApicurioDistribution() {
    }

    /** The server's {@code quarkus-run.jar}, fetching and unpacking the distribution if this machine lacks it. */
    static synchronized Path quarkusRunJar() {
        Path cache = cacheDir();
        Path unpacked = cache.resolve("apicurio-registry-app-" + VERSION);
        try {
            Files.createDirectories(cache);
            // Several JVMs (parallel test runs, `./epic up`) may start at once: one fetches and unpacks, the others wait.
            try (FileChannel lockFile = FileChannel.open(cache.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockFile.lock()) {
                if (!Files.isDirectory(unpacked)) {
                    unpack(localArchive(), unpacked);
                }
            }
            try (Stream<Path> files = Files.walk(unpacked)) {
                return files.filter(f -> f.getFileName().toString().equals("quarkus-run.jar")).findFirst()
                        .orElseThrow(() -> new IllegalStateException("no quarkus-run.jar in " + unpacked + "; delete it to unpack again"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the Apicurio Registry distribution in " + cache, e);
        }
    }

    /** {@code $epic.cache.dir}, else {@code $XDG_CACHE_HOME/epic}, else {@code ~/.cache/epic}. */
    private static Path cacheDir() {
        String explicit = System.getProperty("epic.cache.dir");
        if (explicit != null) {
            return Path.of(explicit);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        return (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache")).resolve("epic");
    }

    private static Path localArchive() throws IOException {
        String repo = System.getProperty("maven.repo.local");
        Path local = (repo != null ? Path.of(repo) : Path.of(System.getProperty("user.home"), ".m2", "repository")).resolve(CENTRAL_PATH);
        if (!Files.isRegularFile(local)) {
            download(local);
        }
        return local;
    }

    /** Fetches the archive into the Maven repository layout, checking Central's SHA-1 before it becomes visible. */
    private static void download(Path target) throws IOException {
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(20)).build();
        Files.createDirectories(target.getParent());
        Path part = target.resolveSibling(FILE + ".part");
        try {
            String expectedSha1 = http.send(HttpRequest.newBuilder(URI.create(CENTRAL + ".sha1")).build(), HttpResponse.BodyHandlers.ofString())
                    .body().strip().split("\\s+")[0];
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(CENTRAL).build(), HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                response.body().close();
                throw new IOException("GET " + CENTRAL + " answered HTTP " + response.statusCode());
            }
            long total = response.headers().firstValueAsLong("content-length").orElse(-1);
            System.err.printf("epic: fetching Apicurio Registry %s (%d MB) from %s%n", VERSION, total >> 20, CENTRAL);
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            try (InputStream in = response.body(); OutputStream out = Files.newOutputStream(part)) {
                byte[] buf = new byte[1 << 16];
                long done = 0;
                int lastTenth = 0;
                for (int n; (n = in.read(buf)) > 0; ) {
                    out.write(buf, 0, n);
                    sha1.update(buf, 0, n);
                    done += n;
                    int tenth = total > 0 ? (int) (done * 10 / total) : 0;
                    if (tenth > lastTenth) {
                        lastTenth = tenth;
                        System.err.printf("epic:   %3d%% (%d of %d MB)%n", tenth * 10, done >> 20, total >> 20);
                    }
                }
            }
            String actual = HexFormat.of().formatHex(sha1.digest());
            if (!actual.equalsIgnoreCase(expectedSha1)) {
                throw new IOException("SHA-1 of " + CENTRAL + " is " + actual + ", Central says " + expectedSha1);
            }
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + CENTRAL, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /** Unpacks with the system's tar into a sibling directory, then renames it, so a half-unpacked tree is never used. */
    private static void unpack(Path archive, Path target) throws IOException {
        Path tmp = Files.createTempDirectory(target.getParent(), target.getFileName() + ".tmp");
        try {
            Process tar = new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", tmp.toString())
                    .redirectErrorStream(true).start();
            String output = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (tar.waitFor() != 0) {
                throw new IOException("tar -xzf " + archive + " failed (a damaged download? delete it to fetch again): " + output.strip());
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while unpacking " + archive, e);
        } finally {
            Directories.deleteRecursively(tmp);
        }
    }
}
