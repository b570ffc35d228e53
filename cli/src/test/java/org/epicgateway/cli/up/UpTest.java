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
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

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
                            "--kafka-port", "0", "--metrics-port", "0");
            assertThat(exit).isEqualTo(2);
            assertThat(err.toString()).contains("port " + taken.getLocalPort() + " (--registry-port) is in use");
        }
        assertThat(dir.resolve("kafka")).as("no broker was started").doesNotExist();
    }

    @Test
    void startsThePlatformServesMetricsAndStopsEverything() throws Exception {
        String bootstrap;
        List<PlatformService> services = new Up().services();
        try (RunningEpic epic = RunningEpic.start(dir, 0, 0, 0, services)) {
            assertThat(epic.urls()).containsKeys("Kafka bootstrap", "Schema registry", "Metrics");
            assertThat(epic.startTimes().keySet()).as("the platform, then every service of `up`, in order").containsExactlyElementsOf(
                    Stream.concat(Stream.of("Kafka + registry"), services.stream().map(PlatformService::name)).toList());
            bootstrap = epic.urls().get("Kafka bootstrap");
            HttpResponse<String> metrics = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(epic.urls().get("Metrics"))).build(), HttpResponse.BodyHandlers.ofString());
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
