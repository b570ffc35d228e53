package org.epicgateway.cli.up;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

import org.epicgateway.api.ApiConfig;
import org.epicgateway.api.ApiService;
import org.epicgateway.platform.PlatformHealth;
import org.epicgateway.platform.PlatformService;
import org.epicgateway.projections.envoytopology.EnvoyProjectionService;
import org.epicgateway.projections.nodetopology.NodeProjectionService;
import org.epicgateway.projections.viewtopology.GatewayViewService;
import org.epicgateway.provisioner.ProvisionerService;
import org.epicgateway.projections.topology.DeciderService;
import org.epicgateway.xds.XdsService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code epic up}: the whole platform on its embedded default, until Ctrl-C. */
@Command(name = "up", mixinStandardHelpOptions = true,
        header = "Runs EPIC on this machine (Kafka, schema registry, every service) until Ctrl-C.",
        description = "Kafka runs in-process and the Apicurio registry as a child process. All data lives under the data "
                + "directory, so the next `epic up` continues where this one stopped.")
public final class Up implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", description = "where events, schemas and service state live (default: ${DEFAULT-VALUE})",
            defaultValue = "${sys:epic.home:-.}/var")
    Path dataDir;

    @Option(names = "--kafka-port", description = "Kafka bootstrap port on 127.0.0.1 (default: ${DEFAULT-VALUE})", defaultValue = "9092")
    int kafkaPort;

    @Option(names = "--registry-port", description = "schema registry port on 127.0.0.1 (default: ${DEFAULT-VALUE})", defaultValue = "8081")
    int registryPort;

    @Option(names = "--api-port", description = "REST command API port, plain HTTP on 127.0.0.1 only (default: ${DEFAULT-VALUE})", defaultValue = "8080")
    int apiPort;

    @Option(names = "--api-tls-port", description = "REST command API port, HTTPS on EPIC_API_HOST (default: ${DEFAULT-VALUE})", defaultValue = "8443")
    int apiTlsPort;

    @Option(names = "--exit-when-ready", description = "once ready, run a smoke check through REST (health, admin "
            + "login, one durable command), then stop cleanly; exit 0 only if it passed (what CI runs)")
    boolean exitWhenReady;

    /** The services `epic up` runs, in start order (stopped in reverse). A new service is one line here. */
    List<PlatformService> services() {
        return services(ApiConfig.fromEnvironment().withPort(apiPort).withTlsPort(apiTlsPort), new XdsService());
    }

    /** The services with their default settings, e.g. for what each declares it needs ({@code epic kafka}). */
    public static List<PlatformService> allServices() {
        return services(ApiConfig.fromEnvironment(), new XdsService());
    }

    /**
     * The wiring: the API serves the revisions and receipts of the xDS projector of this process and gateway status
     * from the gateway view projection and the projector, behind its auth,
     * and reports every service's health on /healthz.
     */
    public static List<PlatformService> services(ApiConfig api, XdsService xds) {
        DeciderService decider = new DeciderService();
        PlatformHealth health = new PlatformHealth();
        GatewayViewService views = new GatewayViewService();
        // The Streams services first: they restore their stores while the registry still starts (RunningEpic); the
        // API opens its port after them, so no request is served before the registry and the views are there.
        List<PlatformService> services = List.of(decider, views, new EnvoyProjectionService(),
                new NodeProjectionService(), new ApiService(api, decider, new ProjectorQueries(xds, views), health),
                xds, new ProvisionerService());
        health.watch(services);
        return services;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path data = dataDir.toAbsolutePath().normalize();
        Files.createDirectories(data);
        Path logFile = data.resolve("epic.log");
        // Before anything logs: the broker's and the services' logs go to a file; the console keeps the summary.
        System.setProperty("org.slf4j.simpleLogger.logFile", logFile.toString());

        List<String> busy = busyPorts(Map.of("--kafka-port", kafkaPort, "--registry-port", registryPort, "--api-port", apiPort, "--api-tls-port", apiTlsPort));
        if (!busy.isEmpty()) {
            spec.commandLine().getErr().println("epic up: " + String.join("; ", busy)
                    + ". Is another `epic up` running? Stop it, or choose other ports.");
            return 2;
        }
        List<PlatformService> services = services();
        out.println("epic up: starting Kafka, the schema registry and " + services.size() + " service(s); data in "
                + shown(data));
        RunningEpic epic = RunningEpic.start(data, kafkaPort, registryPort, services);
        Runnable stop = () -> {
            if (epic.stop()) {
                out.println("epic up: stopped cleanly.");
                out.flush();
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!epic.stopped()) {
                out.println("\nepic up: stopping ...");
                stop.run();
            }
        }, "epic-up-stop"));

        Duration ready = Duration.between(Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime()), Instant.now());
        out.printf("%nEPIC is up, ready %.1f s after the JVM started (%s).%n", seconds(ready), epic.startTimes().entrySet().stream()
                .map(e -> String.format("%s %.1f s", e.getKey(), seconds(e.getValue()))).collect(Collectors.joining(", ")));
        Map<String, String> lines = new LinkedHashMap<>(epic.urls());
        lines.put("Data", data.toString());
        lines.put("Logs", logFile + ", " + epic.platform().registry().logFile());
        lines.forEach((label, value) -> out.printf("  %-26s %s%n", label, value.replace(data.toString(), shown(data))));
        if (exitWhenReady) {
            return smokeThenStop(epic, data, out, stop);
        }
        out.println("Ctrl-C stops everything.");
        out.flush();
        new CountDownLatch(1).await();
        return 0;
    }

    private int smokeThenStop(RunningEpic epic, Path data, PrintWriter out, Runnable stop) {
        int status = 0;
        try {
            ApiConfig api = ApiConfig.fromEnvironment();
            String password = api.adminPassword() != null ? api.adminPassword()
                    : Files.readString(data.resolve("api").resolve("admin-password")).strip();
            out.println("epic up: smoke check: " + new SmokeCheck(epic.urls().get("command-api REST API"))
                    .run(api.adminUser() + "@" + api.adminAccount(), password));
        } catch (Exception e) {
            spec.commandLine().getErr().println("epic up: " + e.getMessage());
            status = 1;
        }
        out.println("epic up: stopping (--exit-when-ready) ...");
        stop.run();
        return status;
    }

    /** A path as the user sees it: relative to the directory `epic up` runs in (the repository) when inside it. */
    private static String shown(Path path) {
        Path here = Path.of("").toAbsolutePath();
        return path.startsWith(here) && !path.equals(here) ? here.relativize(path).toString() : path.toString();
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }

    private static List<String> busyPorts(Map<String, Integer> ports) {
        List<String> busy = new ArrayList<>();
        ports.forEach((option, port) -> {
            try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                // Bound, so free; closing a socket that never accepted leaves nothing in TIME_WAIT.
            } catch (IOException e) {
                busy.add("port " + port + " (" + option + ") is in use");
            }
        });
        return busy;
    }
}
