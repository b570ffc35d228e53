package org.epicgateway.cli.up;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.epicgateway.api.ApiConfig;
import org.epicgateway.platform.KafkaConnection;
import org.epicgateway.platform.PlatformContext;
import org.epicgateway.platform.PlatformService;
import org.epicgateway.xds.XdsService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code epic run}: every service, as {@code epic up} runs them, on a Kafka and schema registry that run elsewhere
 * (production), each service with its own principal from the client settings file (docs/security.md).
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        header = "Runs EPIC's services on an existing Kafka and schema registry until Ctrl-C.",
        description = "Prepare the Kafka first with `epic kafka setup` (topics, one principal per service, ACLs).")
public final class Run implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap-server", required = true, description = "Kafka bootstrap servers")
    String bootstrapServers;

    @Option(names = "--kafka-config", paramLabel = "FILE", description = "Kafka client settings: common keys for every "
            + "service, service.<name>.<key> for one (e.g. service.decider.sasl.jaas.config)")
    Path kafkaConfig;

    @Option(names = "--schema-registry", required = true, description = "Confluent-compatible schema registry URL")
    String schemaRegistry;

    @Option(names = "--data-dir", defaultValue = "${sys:epic.home:-.}/var",
            description = "service state and keys (default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--api-port", defaultValue = "8080", description = "REST API plain HTTP port on 127.0.0.1 (default: ${DEFAULT-VALUE})")
    int apiPort;

    @Option(names = "--api-tls-port", defaultValue = "8443", description = "REST API HTTPS port on EPIC_API_HOST (default: ${DEFAULT-VALUE})")
    int apiTlsPort;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        KafkaConnection kafka = kafkaConfig == null ? KafkaConnection.plaintext(bootstrapServers)
                : KafkaConnection.load(bootstrapServers, kafkaConfig);
        Path data = Files.createDirectories(dataDir.toAbsolutePath().normalize());
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        List<PlatformService> services = Up.services(ApiConfig.fromEnvironment().withPort(apiPort).withTlsPort(apiTlsPort),
                new XdsService());
        out.println("epic run: starting " + services.size() + " service(s) on " + kafka);
        RunningEpic epic = RunningEpic.start(new PlatformContext(kafka, schemaRegistry, data, meters), meters, services);
        Runtime.getRuntime().addShutdownHook(new Thread(epic::stop, "epic-run-stop"));
        epic.urls().forEach((label, url) -> out.printf("  %-26s %s%n", label, url));
        out.println("Ctrl-C stops everything.");
        out.flush();
        new CountDownLatch(1).await();
        return 0;
    }
}
