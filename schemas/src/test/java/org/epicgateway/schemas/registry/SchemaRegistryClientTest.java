package org.epicgateway.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Argument checks; the calls against a real registry are tested in infra (SchemaRegistryClientTest there). */
class SchemaRegistryClientTest {
  @Test
  void rejectsUnusableUrls() {
    assertThatThrownBy(() -> new SchemaRegistryClient(" ")).hasMessageContaining("schema registry URL is empty");
    assertThatThrownBy(() -> new SchemaRegistryClient("ftp://host/x")).hasMessageContaining("'ftp://host/x' is not http(s)");
  }

  @Test
  void trailingSlashesAreIgnored() {
    assertThat(new SchemaRegistryClient("http://127.0.0.1:8080/apis/ccompat/v7//").baseUrl())
        .isEqualTo("http://127.0.0.1:8080/apis/ccompat/v7");
  }

  @Test
  void unreachableRegistryIsWaitedForUpToTheTimeoutThenNamedWithMethodUrlAndStatusZero() {
    var client = new SchemaRegistryClient("http://127.0.0.1:9", Duration.ofMillis(400));
    long started = System.nanoTime();
    assertThatThrownBy(() -> client.schemaById(7))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.status()).isZero())
        .hasMessageContaining("GET http://127.0.0.1:9/schemas/ids/7")
        .hasMessageContaining("the registry did not serve within PT0.4S")
        .hasMessageContaining("ConnectException");
    // It kept trying until the timeout (epic up starts services while the registry boots), and no longer.
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(400), Duration.ofSeconds(10));
  }
}
