package org.epicgateway.cli.up;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The JVM's own meters (memory, GC, threads, CPU, uptime) in the platform's registry. They are scraped with every
 * other meter at the command API's {@code /metrics}, which requires an admin login: there is no unauthenticated
 * metrics port.
 */
final class JvmMeters implements AutoCloseable {

    private final JvmGcMetrics gc;

    private JvmMeters(JvmGcMetrics gc) {
        this.gc = gc;
    }

    static JvmMeters bind(PrometheusMeterRegistry meters) {
        new JvmMemoryMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(meters);
        return new JvmMeters(gc);
    }

    @Override
    public void close() {
        gc.close();
    }

    @Override
    public String toString() {
        return "JVM meters";
    }
}
