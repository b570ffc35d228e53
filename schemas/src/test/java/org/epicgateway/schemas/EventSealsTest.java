package org.epicgateway.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.serde.WireFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventSealsTest {
  private static final Instant CREATED = Instant.parse("2026-12-04T12:00:00Z");

  @Test
  void aSealVerifiesOnTheStoredBytesAndItsHashIsTheChainHashOfThoseBytes(@TempDir Path dir) {
    EventSeals seals = EventSeals.fromKeyFile(dir.resolve("chain.key"), Clock.fixed(CREATED, ZoneOffset.UTC));
    EventSeals.Sealed sealed = seals.seal(SampleEvents.requested(EventHashes.genesis()));

    byte[] stored = WireFormat.frame(7, sealed.event());
    int datum = WireFormat.HEADER_LENGTH;
    assertThat(seals.verifies(sealed.event(), stored, datum, stored.length - datum)).isTrue();
    assertThat(sealed.hash()).isEqualTo(EventHashes.hashOfDatum(stored, datum, stored.length - datum))
        .isEqualTo(EventHashes.hash(sealed.event()));

    // Any changed byte of the sealed part breaks it, and so does another key.
    for (int i = datum; i < stored.length - 34; i++) {
      byte[] altered = stored.clone();
      altered[i] ^= 1;
      assertThat(seals.verifies(sealed.event(), altered, datum, altered.length - datum)).as("byte %d", i).isFalse();
    }
    EventSeals other = EventSeals.fromKeyFile(dir.resolve("other.key"), Clock.systemUTC());
    assertThat(other.verifies(sealed.event(), stored, datum, stored.length - datum)).isFalse();
    // An unsealed event has nothing to verify.
    EventEnvelope unsealed = EventEnvelope.newBuilder(sealed.event()).setSeal(null).build();
    byte[] plain = WireFormat.frame(7, unsealed);
    assertThat(seals.verifies(unsealed, plain, datum, plain.length - datum)).isFalse();
  }

  @Test
  void theKeyFileIsOwnerOnlyKeepsItsCutOverAndIsReusedAcrossStarts(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("audit/chain.key");
    EventSeals first = EventSeals.fromKeyFile(file, Clock.fixed(CREATED, ZoneOffset.UTC));
    assertThat(Files.getPosixFilePermissions(file))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    assertThat(first.since()).isEqualTo(CREATED);

    EventSeals again = EventSeals.fromKeyFile(file, Clock.systemUTC());
    assertThat(again.since()).isEqualTo(CREATED);
    byte[] stored = WireFormat.frame(7, first.seal(SampleEvents.requested(EventHashes.genesis())).event());
    EventEnvelope decoded = SampleEvents.requested(EventHashes.genesis());
    decoded.setSeal(ByteBuffer.wrap(Arrays.copyOfRange(stored, stored.length - 32, stored.length)));
    assertThat(again.verifies(decoded, stored, WireFormat.HEADER_LENGTH, stored.length - WireFormat.HEADER_LENGTH))
        .isTrue();
  }
}
