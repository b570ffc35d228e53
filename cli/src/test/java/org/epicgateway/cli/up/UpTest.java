package org.epicgateway.cli.up;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import org.epicgateway.cli.Epic;
import org.epicgateway.platform.PlatformService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class UpTest {

    @TempDir
    Path dir;

    @Test
    void aBusyPortIsNamedAndNothingStarts() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            StringWriter err = new StringWriter();
            int exit = new CommandLine(new Epic()).setErr(new PrintWriter(err))
                    .execute("up", "--data-dir", dir.toString(), "--registry-port", String.valueOf(taken.getLocalPort()),
                            "--kafka-port", "0", "--api-port", "0");
            assertThat(exit).isEqualTo(2);
            assertThat(err.toString()).contains("port " + taken.getLocalPort() + " (--registry-port) is in use");
        }
        assertThat(dir.resolve("kafka")).as("no broker was started").doesNotExist();
    }

    @Test
    void startsThePlatformServesMetricsAndStopsEverything() throws Exception {
        String bootstrap;
        List<PlatformService> services = new Up().services();
        try (RunningEpic epic = RunningEpic.start(dir, 0, 0, services)) {
            assertThat(epic.urls()).containsKeys("Kafka bootstrap", "Schema registry", "command-api metrics (admin login)");
            // The Streams services restore while the registry starts; the API and what follows wait for it.
            assertThat(epic.startTimes().keySet()).as("the broker, then every service of `up`, in order").containsExactly(
                    "Kafka", "decider", "gateway-view", "envoy-projection", "node-projection", "schema registry (alongside)",
                    "command-api", "xds-projector", "provisioner");
            assertThat(services.stream().map(PlatformService::name)).containsExactly("decider", "gateway-view",
                    "envoy-projection", "node-projection", "command-api", "xds-projector", "provisioner");
            bootstrap = epic.urls().get("Kafka bootstrap");
            // One scrape for the whole process, and only for an admin.
            URI metricsUrl = URI.create(epic.urls().get("command-api metrics (admin login)"));
            HttpResponse<String> anonymous = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(metricsUrl).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);
            String password = System.getenv("EPIC_ADMIN_PASSWORD") != null ? System.getenv("EPIC_ADMIN_PASSWORD")
                    : Files.readString(dir.resolve("api/admin-password")).strip();
            HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metricsUrl)
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                            ("admin@system:" + password).getBytes(StandardCharsets.UTF_8))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("jvm_memory_used_bytes");
            HttpResponse<String> registry = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(epic.urls().get("Schema registry") + "/subjects")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(registry.statusCode()).isEqualTo(200);
            assertThat(epic.platform().registry().logFile()).startsWith(dir);
        }
        String[] hostPort = bootstrap.split(":");
        assertThat(List.of(hostPort)).hasSize(2);
        assertThat(connects(hostPort[0], Integer.parseInt(hostPort[1]))).as("the broker stopped").isFalse();
    }

    private static boolean connects(String host, int port) {
        try (Socket s = new Socket(host, port)) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
