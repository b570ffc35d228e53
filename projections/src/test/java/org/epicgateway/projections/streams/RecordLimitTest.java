package org.epicgateway.projections.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.epicgateway.projections.decider.Commands;
import org.epicgateway.schemas.AvroBinary;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.CommandResult;
import org.epicgateway.schemas.avro.Endpoint;
import org.epicgateway.schemas.avro.RejectionCode;
import org.epicgateway.schemas.serde.WireFormat;
import org.junit.jupiter.api.Test;

class RecordLimitTest {

  private final Commands c = new Commands();

  @Test
  void aRecordUpToTheLimitPassesAndOneByteMoreIsRefusedNamingItsSizeAndLargestPart() throws Exception {
    CommandEnvelope small = withZone("");
    int fixed = "key".length() + WireFormat.HEADER_LENGTH + AvroBinary.encode(small).length;
    // The zone is a string: its length prefix grows from 1 to 3 bytes on the way to the limit.
    CommandEnvelope atLimit = withZone("z".repeat(Topics.MAX_RECORD_BYTES - fixed - 2));
    assertThat("key".length() + WireFormat.HEADER_LENGTH + AvroBinary.encode(atLimit).length)
        .isEqualTo(Topics.MAX_RECORD_BYTES);
    RecordLimit.check("the command", "key", atLimit);
    assertThat(RecordLimit.fits("key", atLimit)).isTrue();

    CommandEnvelope over = withZone("z".repeat(Topics.MAX_RECORD_BYTES - fixed - 1));
    assertThat(RecordLimit.fits("key", over)).isFalse();
    assertThatThrownBy(() -> RecordLimit.check("the command", "key", over))
        .isInstanceOfSatisfying(OutputRefused.class, e -> assertThat(e.code()).isEqualTo(RejectionCode.TOO_LARGE))
        .hasMessage("the command would be " + (Topics.MAX_RECORD_BYTES + 1) + " bytes, above the limit of "
            + Topics.MAX_RECORD_BYTES + " bytes per record; most of it is payload.endpoints[0].zone (about "
            + (Topics.MAX_RECORD_BYTES - fixed) + " bytes)");
  }

  @Test
  void theKeyCountsToo() {
    CommandEnvelope small = withZone("");
    assertThat(RecordLimit.fits("k".repeat(Topics.MAX_RECORD_BYTES), small)).isFalse();
    assertThat(RecordLimit.fits("k", null)).as("a tombstone").isTrue();
  }

  @Test
  void manySmallPartsAreNamedByTheirCollection() {
    List<Endpoint> endpoints = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      endpoints.add(Commands.endpoint("10.1." + (i / 250) + "." + (i % 250 + 1), "198.51.100.7"));
    }
    CommandEnvelope many = c.upsertSlice("acct", "web-1", "web", endpoints.toArray(Endpoint[]::new));
    assertThatThrownBy(() -> RecordLimit.check("the command", "key", many))
        .hasMessageContaining("most of it is payload.endpoints (about ");
  }

  @Test
  void aRecordThatCannotBeEncodedIsRefusedAsUnprocessable() {
    CommandResult broken = CommandResult.newBuilder().setCommandId("c-1").setAccepted(false).setAggregateId("x")
        .build();
    broken.put("commandId", null); // a required string left null: the Avro writer refuses it
    assertThatThrownBy(() -> RecordLimit.check("the command result", "c-1", broken))
        .isInstanceOfSatisfying(OutputRefused.class,
            e -> assertThat(e.code()).isEqualTo(RejectionCode.UNPROCESSABLE))
        .hasMessageStartingWith("the command result cannot be encoded: ");
    assertThat(RecordLimit.fits("c-1", broken)).isFalse();
  }

  private CommandEnvelope withZone(String zone) {
    Endpoint e = Commands.endpoint("10.1.0.5", "198.51.100.7");
    e.setZone(zone);
    return c.upsertSlice("acct", "web-1", "web", e);
  }
}
