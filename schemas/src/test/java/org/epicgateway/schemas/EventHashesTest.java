package org.epicgateway.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.junit.jupiter.api.Test;

class EventHashesTest {
  @Test
  void hashIsSha256OfTheEnvelopesAvroBinary() throws Exception {
    EventEnvelope first = SampleEvents.requested(EventHashes.genesis());
    // Avro's single-object encoding is a 10-byte header (C3 01 + schema fingerprint) followed by the binary datum.
    byte[] singleObject = first.toByteBuffer().array();
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    sha256.update(singleObject, 10, singleObject.length - 10);
    byte[] expected = sha256.digest();
    assertThat(EventHashes.hash(first)).hasSize(EventHashes.LENGTH).isEqualTo(expected);
    // Hashing must not consume the previousHash buffer: the same event hashes the same twice.
    assertThat(EventHashes.hash(first)).isEqualTo(expected);
  }

  @Test
  void chainLinksConsecutiveEventsAndBreaksOnTampering() {
    EventEnvelope first = SampleEvents.requested(EventHashes.genesis());
    assertThat(first.getPreviousHash()).isEqualTo(ByteBuffer.wrap(new byte[32]));
    byte[] firstHash = EventHashes.hash(first);
    EventEnvelope second = SampleEvents.created(ByteBuffer.wrap(firstHash));
    assertThat(second.getPreviousHash()).isEqualTo(ByteBuffer.wrap(firstHash));

    EventEnvelope tampered = EventEnvelope.newBuilder(first).setCorrelationId("forged").build();
    assertThat(EventHashes.hash(tampered)).isNotEqualTo(firstHash);
    assertThat(second.getPreviousHash()).isNotEqualTo(ByteBuffer.wrap(EventHashes.hash(tampered)));
  }

  @Test
  void storedDatumHashEqualsHashOfRecord() {
    EventEnvelope first = SampleEvents.requested(EventHashes.genesis());
    byte[] datum = AvroBinary.encode(first);
    byte[] framed = new byte[datum.length + 5];
    System.arraycopy(datum, 0, framed, 5, datum.length);
    assertThat(EventHashes.hashOfDatum(framed, 5, datum.length)).isEqualTo(EventHashes.hash(first));
  }
}
