package org.epicgateway.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;

import org.apache.kafka.clients.admin.Admin;
import org.epicgateway.platform.PlatformContext;
import org.epicgateway.schemas.Topics;
import org.junit.jupiter.api.Test;

/** The shared test platform: what every module's integration tests stand on. */
class EmbeddedPlatformTest {

    @Test
    void theSharedPlatformServesKafkaWithTheEpicTopicsAndTheRegistry() throws Exception {
        EmbeddedPlatform platform = EmbeddedPlatform.sharedForTests();
        assertThat(EmbeddedPlatform.sharedForTests()).as("one platform per JVM").isSameAs(platform);

        try (Admin admin = platform.kafka().admin()) {
            assertThat(admin.listTopics().names().get()).containsAll(Topics.ALL.stream().map(Topics.Spec::name).toList());
        }
        HttpResponse<String> config = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(platform.schemaRegistryUrl() + "/config")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(config.statusCode()).isEqualTo(200);
        assertThat(config.body()).contains("\"BACKWARD\"");

        PlatformContext context = platform.context();
        assertThat(context.kafka().bootstrapServers()).isEqualTo(platform.bootstrapServers());
        assertThat(context.schemaRegistryUrl()).endsWith("/apis/ccompat/v7");
        assertThat(context.stateDir("decider")).isDirectory().startsWith(platform.dataDir());
        assertThat(Files.readString(platform.registry().logFile())).as("the registry logs to the data directory").isNotEmpty();
    }

    @Test
    void theSharedPlatformCannotBeClosedByATest() throws Exception {
        assertThatThrownBy(() -> EmbeddedPlatform.sharedForTests().close())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("do not close it");
        try (Admin admin = EmbeddedPlatform.sharedForTests().kafka().admin()) {
            assertThat(admin.listTopics().names().get()).as("still serving").contains(Topics.EVENTS);
        }
    }
}
