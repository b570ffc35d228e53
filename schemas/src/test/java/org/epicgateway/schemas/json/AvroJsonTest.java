package org.epicgateway.schemas.json;

import static org.assertj.core.api.Assertions.assertThat;

import org.epicgateway.schemas.EventHashes;
import org.epicgateway.schemas.SampleEvents;
import org.junit.jupiter.api.Test;

class AvroJsonTest {

  @Test
  void rendersAnEventForPeople() {
    String line = AvroJson.toJsonLine(SampleEvents.requested(EventHashes.genesis()));

    assertThat(line).isEqualTo("{\"eventId\":\"evt-1\",\"aggregateType\":\"gateway\","
        + "\"aggregateId\":\"gateway/acme/default/web\",\"sequence\":1,\"timestamp\":\"2026-11-22T04:00:01Z\","
        + "\"account\":\"acme\",\"actor\":{\"kind\":\"USER\",\"id\":\"alice\",\"account\":\"acme\"},"
        + "\"correlationId\":\"cmd-1\",\"causationId\":null,"
        + "\"previousHash\":\"" + "00".repeat(32) + "\","
        + "\"payload\":{\"@type\":\"GatewayRequested\",\"account\":\"acme\",\"namespace\":\"default\","
        + "\"name\":\"web\",\"template\":\"public\",\"listeners\":[{\"name\":\"http\",\"port\":80,"
        + "\"protocol\":\"HTTP\",\"hostname\":null,\"tlsCertificateRef\":null,\"allowedRoutes\":null,"
        + "\"tlsMode\":null,\"tlsCertificateRefs\":[]}]},"
        + "\"seal\":null}");
  }

  @Test
  void unionOfOneRecordAndNullIsNotTagged() {
    String line = AvroJson.toJsonLine(SampleEvents.created(EventHashes.genesis()));

    assertThat(line).contains("\"actor\":{\"kind\":\"USER\"").contains("\"creationTimestamp\":\"2026-11-22T04:00:01Z\"");
  }
}
