package org.epicgateway.transport.control;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Decides whether a received control packet may move its tunnel's remote. Pure apart from the last accepted
 * counter per tunnel, which it keeps. Counters are the sender's Unix time in ms, forced increasing by the sender:
 * a packet must verify under its tunnel's key, carry a counter strictly above the last accepted one for the tunnel
 * (replays and duplicates fail) and lie within {@code maxSkewMs} of our clock (stale or far-future packets fail).
 * The window bounds what a captured packet is worth after this agent restarts and forgets its last counters.
 */
public final class ControlVerifier {
  public enum Verdict { ACCEPTED, MALFORMED, UNKNOWN_TUNNEL, BAD_MAC, REPLAYED, STALE }

  public record Result(Verdict verdict, int tunnelId, long counter) {
    public boolean accepted() { return verdict == Verdict.ACCEPTED; }
  }

  private final IntFunction<List<byte[]>> keysOfTunnel;
  private final long maxSkewMs;
  private final Map<Integer, Long> lastAccepted = new HashMap<>();

  /**
   * {@code keysOfTunnel} returns the keys a tunnel's packets may be signed with (one, or two while the cluster
   * secret rotates), or null for a tunnel this node does not serve.
   */
  public ControlVerifier(IntFunction<List<byte[]>> keysOfTunnel, long maxSkewMs) {
    if (maxSkewMs <= 0) throw new IllegalArgumentException("maxSkewMs must be positive: " + maxSkewMs);
    this.keysOfTunnel = keysOfTunnel;
    this.maxSkewMs = maxSkewMs;
  }

  /** Checks {@code length} bytes of {@code data} received at {@code nowMs}; records the counter if accepted. */
  public synchronized Result verify(byte[] data, int length, long nowMs) {
    ControlPacket p = ControlPacket.parse(data, length);
    if (p == null) return new Result(Verdict.MALFORMED, 0, 0);
    List<byte[]> keys = keysOfTunnel.apply(p.tunnelId());
    if (keys == null || keys.isEmpty()) return new Result(Verdict.UNKNOWN_TUNNEL, p.tunnelId(), p.counter());
    // MAC first: an unauthenticated packet must not probe our counters or clock.
    if (keys.stream().noneMatch(p::macValid)) return new Result(Verdict.BAD_MAC, p.tunnelId(), p.counter());
    Long last = lastAccepted.get(p.tunnelId());
    if (last != null && p.counter() <= last) return new Result(Verdict.REPLAYED, p.tunnelId(), p.counter());
    if (Math.abs(p.counter() - nowMs) > maxSkewMs) return new Result(Verdict.STALE, p.tunnelId(), p.counter());
    lastAccepted.put(p.tunnelId(), p.counter());
    return new Result(Verdict.ACCEPTED, p.tunnelId(), p.counter());
  }

  /** Forgets a removed tunnel, so a re-created tunnel with the same id starts afresh (with its new key). */
  public synchronized void forget(int tunnelId) {
    lastAccepted.remove(tunnelId);
  }
}
