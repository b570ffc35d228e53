package org.epicgateway.xds.acks;

/** Receives what proxies report on their streams; implemented by the projector that owns revisions. */
public interface AckListener {
  void connected(ProxyStream stream);

  /** {@code sendToAckNanos}: from handing the response to gRPC until the ACK arrived. */
  void acked(ProxyStream stream, String typeUrl, long sendToAckNanos);

  void rejected(ProxyStream stream, String typeUrl, AckedState rejected, String errorDetail);

  void disconnected(ProxyStream stream);
}
