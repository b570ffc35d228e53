package org.epicgateway.cli.up;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.epicgateway.api.ApiConfig;
import org.epicgateway.api.ApiService;
import org.epicgateway.cli.kafka.KafkaCommand;
import org.epicgateway.infra.Directories;
import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.infra.kafka.EmbeddedKafka;
import org.epicgateway.platform.KafkaConnection;
import org.epicgateway.platform.PlatformContext;
import org.epicgateway.platform.PlatformService;
import org.epicgateway.schemas.Topics;
import org.epicgateway.xds.XdsService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Production's Kafka security, on a real broker that requires SASL/SCRAM and denies what no ACL allows: `epic kafka
 * setup` creates the topics and each service's ACLs (from what each service declares), the services run as `epic
 * run` runs them, each with its own principal from one client settings file, and a command goes through the whole
 * chain (REST, decider, gateway view, Envoy projection, xds-projector). A principal cannot touch what it does not use.
 */
class RunOnSecuredKafkaTest {
  private static final String ADMIN_PASSWORD = "admin-password-1";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static Path dir;
  private static EmbeddedKafka kafka;
  private static Path settings;

  @BeforeAll
  static void securedKafka() throws Exception {
    dir = Files.createTempDirectory("epic-secured-kafka-");
    kafka = EmbeddedKafka.startWithScram(dir.resolve("kafka"));
    List<String> users = new ArrayList<>(List.of(EmbeddedKafka.SCRAM_ADMIN));
    Up.allServices().forEach(s -> users.add("epic-" + s.name()));
    try (Admin superUser = kafka.admin()) {
      superUser.alterUserScramCredentials(users.stream().map(u -> (org.apache.kafka.clients.admin.UserScramCredentialAlteration)
          new UserScramCredentialUpsertion(u, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), u + "-secret"))
          .toList()).all().get();
    }
    StringBuilder file = new StringBuilder("security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\n");
    file.append(jaas("service.operator.", EmbeddedKafka.SCRAM_ADMIN));
    Up.allServices().forEach(s -> file.append(jaas("service." + s.name() + ".", "epic-" + s.name())));
    settings = Files.writeString(dir.resolve("kafka-client.properties"), file);
  }

  @AfterAll
  static void stop() {
    kafka.close();
    Directories.deleteRecursively(dir);
  }

  @Test
  void everyServiceRunsAsItsOwnPrincipalWithOnlyTheAclsItDeclares() throws Exception {
    StringWriter out = new StringWriter();
    int status = new CommandLine(new KafkaCommand()).setOut(new PrintWriter(out)).execute("setup",
        "--bootstrap-server", kafka.bootstrapServers(), "--kafka-config", settings.toString());
    assertThat(status).as(out.toString()).isZero();
    assertThat(out.toString()).contains("topics ensured");

    KafkaConnection connection = KafkaConnection.load(kafka.bootstrapServers(), settings);
    EmbeddedPlatform registry = EmbeddedPlatform.sharedForTests();
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    PlatformContext context = new PlatformContext(connection, registry.schemaRegistryUrl(), dir.resolve("data"), meters);
    ApiConfig apiConfig = new ApiConfig("127.0.0.1", 0, "system", "admin", ADMIN_PASSWORD, 4, Duration.ofSeconds(60),
        Duration.ofHours(1), 100_000);
    List<PlatformService> services = Up.services(apiConfig, new XdsService(
        new XdsService.Settings("127.0.0.1", 0, Optional.empty(), 10, 1000)));
    try (RunningEpic epic = RunningEpic.start(context, meters, services)) {
      String api = "http://127.0.0.1:" + services.stream().filter(ApiService.class::isInstance).map(ApiService.class::cast).findFirst().orElseThrow().port() + "/api/v1";
      assertThat(new SmokeCheck(api).run("admin@system", ADMIN_PASSWORD)).contains("read it 200");
      // A gateway goes through every stage and sink: decider, gateway view, Envoy projection, xds-projector's archive.
      String admin = "Basic " + Base64.getEncoder().encodeToString(("admin@system:" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));
      expect(201, post(api + "/pools", "{\"pool\":\"p\",\"ranges\":[\"192.0.2.0/29\"]}", admin));
      expect(201, post(api + "/templates", "{\"template\":\"t\",\"pool\":\"p\",\"replicas\":1,"
          + "\"shareable\":false,\"envoyBaseConfig\":\"{}\"}", admin));
      expect(201, post(api + "/accounts", "{\"account\":\"acme\"}", admin));
      expect(201, post(api + "/accounts/acme/gateways", "{\"name\":\"web\",\"template\":\"t\","
          + "\"listeners\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"HTTP\"}]}", admin));
      String revisions = api + "/accounts/acme/gateways/default/web/revisions";
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      HttpResponse<String> history = get(revisions, admin);
      while (!history.body().contains("\"version\"") && System.nanoTime() < deadline) {
        Thread.sleep(200);
        history = get(revisions, admin);
      }
      assertThat(history.body()).as("the gateway's Envoy revision reached the xds-projector").contains("\"version\"");
    }

    // The command API reads the event log but may not write it (only the decider does); not idempotent, so the
    // refusal is the topic's (an idempotent producer with no topic to write is refused at the cluster first) ...
    try (KafkaProducer<String, String> forger = new KafkaProducer<>(KafkaConnection.with(connection.client("command-api"),
        Map.of("max.block.ms", 10_000, "enable.idempotence", false)), new StringSerializer(), new StringSerializer())) {
      assertThatThrownBy(() -> forger.send(new ProducerRecord<>(Topics.EVENTS, "k", "forged")).get())
          .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicAuthorizationException.class);
    }
    // ... and the xds-projector may not read it at all.
    try (KafkaConsumer<String, String> reader = new KafkaConsumer<>(connection.client("xds-projector"),
        new StringDeserializer(), new StringDeserializer())) {
      assertThatThrownBy(() -> reader.partitionsFor(Topics.EVENTS, Duration.ofSeconds(10)))
          .isInstanceOf(TopicAuthorizationException.class);
    }
  }

  private static HttpResponse<String> post(String url, String json, String auth) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", auth)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String url, String auth) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", auth).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void expect(int status, HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.uri() + " " + response.body()).isEqualTo(status);
  }

  private static String jaas(String prefix, String user) {
    return prefix + "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + user + "\" password=\"" + user + "-secret\";\n";
  }
}
