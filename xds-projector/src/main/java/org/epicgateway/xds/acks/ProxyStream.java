package org.epicgateway.xds.acks;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One ADS stream of one proxy: who it is and what it has ACKed per resource type. */
public final class ProxyStream {
  private final long streamId;
  private final String nodeId;
  private final String gatewayId;
  private final boolean delta;
  private final Map<String, AckedState> acked = new ConcurrentHashMap<>();
  /** The last response sent per type, with its nonce, waiting for the proxy's verdict. */
  final Map<String, Sent> sent = new ConcurrentHashMap<>();

  record Sent(String nonce, AckedState state, long sentNanos) {}

  ProxyStream(long streamId, String nodeId, String gatewayId, boolean delta) {
    this.streamId = streamId;
    this.nodeId = nodeId;
    this.gatewayId = gatewayId;
    this.delta = delta;
  }

  public long streamId() { return streamId; }
  public String nodeId() { return nodeId; }
  public String gatewayId() { return gatewayId; }
  public boolean delta() { return delta; }

  /** The ACKed state for a type, or null when the proxy has not ACKed that type on this stream. */
  public AckedState acked(String typeUrl) {
    return acked.get(typeUrl);
  }

  public boolean subscribed(String typeUrl) {
    return acked.containsKey(typeUrl);
  }

  void ack(String typeUrl, AckedState state) {
    acked.put(typeUrl, state);
  }
}
