package org.epicgateway.transport.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.epicgateway.transport.control.ControlVerifier.Verdict.*;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ControlVerifierTest {
  static final byte[] KEY_1 = "key-of-tunnel-one-32-bytes-long!".getBytes();
  static final byte[] KEY_2 = "key-of-tunnel-two-32-bytes-long!".getBytes();
  static final long NOW = 1_795_000_000_000L;

  ControlVerifier verifier = new ControlVerifier(id -> Map.of(1, List.of(KEY_1), 2, List.of(KEY_2)).get(id), 30_000);

  ControlVerifier.Verdict verify(byte[] packet, long now) {
    return verifier.verify(packet, packet.length, now).verdict();
  }

  @Test
  void wireLayoutMatchesEpicMapsHeader() {
    byte[] p = ControlPacket.encode(0x01020304, 0x0102030405060708L, KEY_1);
    assertThat(p).hasSize(32);
    assertThat(HexFormat.of().formatHex(p, 0, 16)).isEqualTo("21010000" + "01020304" + "0102030405060708");
  }

  @Test
  void macIsTruncatedHmacSha256OverTheFirst16Bytes() throws Exception {
    byte[] p = ControlPacket.encode(7, NOW, KEY_1);
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(KEY_1, "HmacSHA256"));
    mac.update(p, 0, 16);
    assertThat(java.util.Arrays.copyOfRange(p, 16, 32)).isEqualTo(java.util.Arrays.copyOf(mac.doFinal(), 16));
  }

  @Test
  void acceptsAFreshSignedPacketAndThenOnlyHigherCounters() {
    assertThat(verify(ControlPacket.encode(1, NOW, KEY_1), NOW)).isEqualTo(ACCEPTED);
    assertThat(verify(ControlPacket.encode(1, NOW, KEY_1), NOW + 5)).isEqualTo(REPLAYED);
    assertThat(verify(ControlPacket.encode(1, NOW - 1, KEY_1), NOW + 5)).isEqualTo(REPLAYED);
    assertThat(verify(ControlPacket.encode(1, NOW + 1, KEY_1), NOW + 5)).isEqualTo(ACCEPTED);
  }

  @Test
  void countersArePerTunnel() {
    assertThat(verify(ControlPacket.encode(1, NOW + 10, KEY_1), NOW)).isEqualTo(ACCEPTED);
    assertThat(verify(ControlPacket.encode(2, NOW, KEY_2), NOW)).isEqualTo(ACCEPTED);
  }

  @Test
  void rejectsAPacketSignedWithAnotherTunnelsKey() {
    assertThat(verify(ControlPacket.encode(1, NOW, KEY_2), NOW)).isEqualTo(BAD_MAC);
  }

  @Test
  void rejectsAnyFlippedBit() {
    byte[] good = ControlPacket.encode(1, NOW, KEY_1);
    for (int bit = 0; bit < good.length * 8; bit++) {
      byte[] p = good.clone();
      p[bit / 8] ^= (byte) (1 << (bit % 8));
      assertThat(verify(p, NOW)).as("bit %d", bit).isIn(BAD_MAC, MALFORMED, UNKNOWN_TUNNEL);
    }
    assertThat(verify(good, NOW)).isEqualTo(ACCEPTED);
  }

  @Test
  void aRejectedPacketDoesNotAdvanceTheCounter() {
    byte[] forged = ControlPacket.encode(1, NOW + 1000, KEY_2);
    assertThat(verify(forged, NOW)).isEqualTo(BAD_MAC);
    assertThat(verify(ControlPacket.encode(1, NOW + 1, KEY_1), NOW)).isEqualTo(ACCEPTED);
  }

  @Test
  void rejectsCountersOutsideTheSkewWindow() {
    assertThat(verify(ControlPacket.encode(1, NOW - 30_001, KEY_1), NOW)).isEqualTo(STALE);
    assertThat(verify(ControlPacket.encode(1, NOW + 30_001, KEY_1), NOW)).isEqualTo(STALE);
    assertThat(verify(ControlPacket.encode(1, NOW - 30_000, KEY_1), NOW)).isEqualTo(ACCEPTED);
  }

  @Test
  void rejectsUnknownTunnelsAndMalformedPackets() {
    assertThat(verify(ControlPacket.encode(3, NOW, KEY_1), NOW)).isEqualTo(UNKNOWN_TUNNEL);
    byte[] p = ControlPacket.encode(1, NOW, KEY_1);
    assertThat(verifier.verify(p, 31, NOW).verdict()).isEqualTo(MALFORMED);
    byte[] data = p.clone();
    data[0] = 0x01; // a data header, not a control one
    assertThat(verify(data, NOW)).isEqualTo(MALFORMED);
    assertThat(verify(java.util.Arrays.copyOf(p, 33), NOW)).isEqualTo(MALFORMED);
  }

  @Test
  void forgettingATunnelResetsItsCounter() {
    assertThat(verify(ControlPacket.encode(1, NOW, KEY_1), NOW)).isEqualTo(ACCEPTED);
    verifier.forget(1);
    assertThat(verify(ControlPacket.encode(1, NOW, KEY_1), NOW)).isEqualTo(ACCEPTED);
  }

  @Test
  void monotonicCounterNeverRepeatsOrGoesBack() {
    long[] clock = {100};
    MonotonicCounter c = new MonotonicCounter(() -> clock[0]);
    assertThat(c.next()).isEqualTo(100);
    assertThat(c.next()).isEqualTo(101);
    clock[0] = 50;
    assertThat(c.next()).isEqualTo(102);
    clock[0] = 500;
    assertThat(c.next()).isEqualTo(500);
  }
}
