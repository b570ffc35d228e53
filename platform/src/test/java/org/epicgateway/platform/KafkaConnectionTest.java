package org.epicgateway.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaConnectionTest {

  @Test
  void aServiceGetsTheCommonSettingsWithItsOwnOnTop(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("kafka.properties"), """
        security.protocol=SASL_SSL
        sasl.mechanism=SCRAM-SHA-512
        sasl.jaas.config=common
        service.decider.sasl.jaas.config=decider's own
        service.command-api.sasl.jaas.config=the API's own
        """);
    KafkaConnection kafka = KafkaConnection.load("broker:9093", file);

    assertThat(kafka.client("decider")).isEqualTo(Map.of("bootstrap.servers", "broker:9093",
        "security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config", "decider's own"));
    assertThat(kafka.client("xds-projector")).containsEntry("sasl.jaas.config", "common")
        .doesNotContainKey("service.decider.sasl.jaas.config");
    assertThat(KafkaConnection.plaintext("b:9092").client("decider")).isEqualTo(Map.of("bootstrap.servers", "b:9092"));
  }

  @Test
  void secretsAreNotShown() {
    assertThat(new KafkaConnection("b:1", Map.of("ssl.truststore.password", "s3cret", "service.decider.sasl.jaas.config",
        "password=\"s3cret\"", "security.protocol", "SSL")).toString())
        .doesNotContain("s3cret").contains("SSL");
  }

  @Test
  void settingsThatCannotMeanAnythingAreRefusedNamingTheKey(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> new KafkaConnection("b:1", Map.of("bootstrap.servers", "other:1")))
        .hasMessageContaining("'bootstrap.servers'");
    assertThatThrownBy(() -> new KafkaConnection("b:1", Map.of("service.decider", "x")))
        .hasMessageContaining("'service.decider' names no setting");
    assertThatThrownBy(() -> KafkaConnection.load("b:1", dir.resolve("missing.properties")))
        .hasMessageContaining("missing.properties");
  }
}
