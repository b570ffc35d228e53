package org.epicgateway.schemas.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** Configuration and the paths that need no registry; decoding real records is tested against Apicurio in infra. */
class EventJsonFormatterTest {
  private static final String UNREACHABLE = "http://127.0.0.1:9";

  @Test
  void requiresTheRegistryUrl() {
    assertThatThrownBy(() -> new EventJsonFormatter().configure(Map.of())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("--formatter-property schema.registry.url=");
    assertThatThrownBy(() -> new EventJsonFormatter().configure(Map.of("schema.registry.url", UNREACHABLE,
        "print.key", "maybe"))).isInstanceOf(ConfigException.class).hasMessageContaining("print.key");
    assertThatThrownBy(() -> new EventJsonFormatter().writeTo(record("k", new byte[0]), System.out))
        .hasMessageContaining("not configured");
  }

  @Test
  void printsKeyAndTombstone() {
    EventJsonFormatter formatter = new EventJsonFormatter();
    formatter.configure(Map.of("schema.registry.url", UNREACHABLE));
    assertThat(print(formatter, record("gateway/acme/default/web", null))).isEqualTo("gateway/acme/default/web\tnull\n");

    formatter.configure(Map.of("schema.registry.url", UNREACHABLE, "print.key", "false"));
    assertThat(print(formatter, record("gateway/acme/default/web", null))).isEqualTo("null\n");
  }

  @Test
  void undecodableValueIsReportedInlineWithItsPosition() {
    EventJsonFormatter formatter = new EventJsonFormatter();
    formatter.configure(Map.of("schema.registry.url", UNREACHABLE, "key.separator", " | "));
    String line = print(formatter, record("k", "not avro".getBytes(StandardCharsets.UTF_8)));
    assertThat(line).startsWith("k | {\"@error\":\"value starts with byte 0x6e")
        .endsWith("\"topic\":\"epic.events\",\"partition\":2,\"offset\":41}\n");

    // A well-framed value whose schema cannot be fetched names the registry call that failed.
    assertThat(print(formatter, record("k", new byte[] {0, 0, 0, 0, 7, 2})))
        .contains("GET http://127.0.0.1:9/schemas/ids/7 failed");
  }

  private static ConsumerRecord<byte[], byte[]> record(String key, byte[] value) {
    return new ConsumerRecord<>("epic.events", 2, 41, key.getBytes(StandardCharsets.UTF_8), value);
  }

  private static String print(EventJsonFormatter formatter, ConsumerRecord<byte[], byte[]> record) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    formatter.writeTo(record, new PrintStream(out, true, StandardCharsets.UTF_8));
    return out.toString(StandardCharsets.UTF_8);
  }
}
