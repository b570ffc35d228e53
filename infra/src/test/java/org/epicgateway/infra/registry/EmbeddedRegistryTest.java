package org.epicgateway.infra.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.admin.Admin;
import org.epicgateway.infra.kafka.EmbeddedKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real Apicurio server through the Confluent-compatible API, with its storage in the embedded Kafka. */
class EmbeddedRegistryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String V1 = """
            {"type":"record","name":"Probe","namespace":"test","fields":[{"name":"n","type":"int"}]}""";
    private static final String V2_COMPATIBLE = """
            {"type":"record","name":"Probe","namespace":"test","fields":[{"name":"n","type":"int"},{"name":"label","type":"string","default":""}]}""";
    private static final String V2_INCOMPATIBLE = """
            {"type":"record","name":"Probe","namespace":"test","fields":[{"name":"n","type":"string"}]}""";

    @TempDir
    Path dir;

    @Test
    void enforcesBackwardCompatibilityAndKeepsSchemasAcrossARestart() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            // As EmbeddedPlatform does: the storage topics exist before the registry looks. Apicurio refuses to start
            // on topics whose settings fail its data-loss check, so the start below also checks those settings.
            try (Admin admin = kafka.admin()) {
                EmbeddedRegistry.createStorageTopics(admin);
                EmbeddedRegistry.createStorageTopics(admin);
                assertThat(admin.listTopics().names().get())
                        .contains("kafkasql-journal", "kafkasql-snapshots", "registry-events");
            }
            int v1Id;
            URI firstApi;
            try (EmbeddedRegistry registry = EmbeddedRegistry.start(kafka.bootstrapServers(), dir.resolve("registry"))) {
                String api = registry.confluentUrl();
                firstApi = URI.create(api);
                assertThat(get(api + "/config").path("compatibilityLevel").asText()).isEqualTo("BACKWARD");

                HttpResponse<String> first = register(api, "probe-value", V1);
                assertThat(first.statusCode()).isEqualTo(200);
                v1Id = JSON.readTree(first.body()).path("id").asInt();
                assertThat(register(api, "probe-value", V1).body()).as("the same schema again gets the same id")
                        .isEqualTo(first.body());
                assertThat(register(api, "probe-value", V2_INCOMPATIBLE).statusCode()).as("int -> string breaks BACKWARD")
                        .isEqualTo(409);
                assertThat(register(api, "probe-value", V2_COMPATIBLE).statusCode()).isEqualTo(200);
            }
            assertThat(listening(firstApi.getHost(), firstApi.getPort())).as("close() stopped the registry process").isFalse();
            try (EmbeddedRegistry registry = EmbeddedRegistry.start(kafka.bootstrapServers(), dir.resolve("registry"))) {
                String api = registry.confluentUrl();
                JsonNode byId = get(api + "/schemas/ids/" + v1Id);
                assertThat(JSON.readTree(byId.path("schema").asText())).isEqualTo(JSON.readTree(V1));
                assertThat(get(api + "/subjects/probe-value/versions").toString()).isEqualTo("[1,2]");
            }
        }
    }

    private static boolean listening(String host, int port) {
        try (Socket s = new Socket(host, port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static HttpResponse<String> register(String api, String subject, String schema) throws Exception {
        String body = JSON.createObjectNode().put("schema", schema).toString();
        return HTTP.send(HttpRequest.newBuilder(URI.create(api + "/subjects/" + subject + "/versions"))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", url, r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}
