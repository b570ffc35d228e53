package org.epicgateway.infra.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.epicgateway.infra.EmbeddedPlatform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JVM killed outright (no shutdown hooks) must not leave its registry running on a shared machine. */
class RegistryOrphanTest {

    private static final String READY = "REGISTRY ";

    @TempDir
    Path dir;

    @Test
    void killingThePlatformJvmWithSigkillTakesTheRegistryDown() throws Exception {
        Process host = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), PlatformHost.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        try {
            CompletableFuture<URI> registry = CompletableFuture.supplyAsync(() -> readRegistryUrl(host));
            URI api = registry.get(180, TimeUnit.SECONDS);
            String portArg = "-Dquarkus.http.port=" + api.getPort();
            ProcessHandle child = ProcessHandle.allProcesses()
                    .filter(p -> p.info().arguments().map(a -> Arrays.asList(a).contains(portArg)).orElse(false))
                    .findFirst().orElseThrow(() -> new AssertionError("no registry process with " + portArg));

            host.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

            // The process itself must end, not only its HTTP port: a graceful shutdown can hang on the dead broker.
            child.onExit().get(30, TimeUnit.SECONDS);
            assertThat(child.isAlive()).isFalse();
        } finally {
            host.destroyForcibly();
        }
    }

    private static URI readRegistryUrl(Process host) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(host.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith(READY)) {
                    return URI.create(line.substring(READY.length()));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the platform JVM's output", e);
        }
        throw new IllegalStateException("the platform JVM exited with " + host.exitValue() + " before its registry was ready");
    }

    /** The JVM the test kills: starts a platform, says where its registry is, and waits. */
    public static final class PlatformHost {
        public static void main(String[] args) throws InterruptedException {
            EmbeddedPlatform platform = EmbeddedPlatform.start(Path.of(args[0]));
            System.out.println(READY + platform.schemaRegistryUrl());
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
