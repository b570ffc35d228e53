package org.epicgateway.cli.up;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** Serves the process's meters at {@code /metrics} in the Prometheus text format. */
final class MetricsEndpoint implements AutoCloseable {

    private final HttpServer server;
    private final JvmGcMetrics gc;

    private MetricsEndpoint(HttpServer server, JvmGcMetrics gc) {
        this.server = server;
        this.gc = gc;
    }

    /** Binds the JVM's own meters too, and serves on 127.0.0.1:{@code port} (0 for a free port). */
    static MetricsEndpoint start(PrometheusMeterRegistry meters, int port) {
        new JvmMemoryMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(meters);
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
            server.createContext("/metrics", exchange -> {
                byte[] body = meters.scrape().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            return new MetricsEndpoint(server, gc);
        } catch (IOException e) {
            gc.close();
            throw new UncheckedIOException("cannot serve metrics on 127.0.0.1:" + port, e);
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/metrics";
    }

    @Override
    public void close() {
        server.stop(0);
        gc.close();
    }

    @Override
    public String toString() {
        return "metrics endpoint";
    }
}
