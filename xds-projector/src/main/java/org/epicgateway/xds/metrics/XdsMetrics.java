package org.epicgateway.xds.metrics;

import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Micrometer meters of the ADS server: pushes (responses sent) and NACKs by type, push-to-ACK latency, open streams
 * (connected proxies) and rollbacks. Counting happens in the stream callbacks so it covers SotW and delta alike.
 */
public final class XdsMetrics implements DiscoveryServerCallbacks {
  private final MeterRegistry registry;
  private final AtomicInteger openStreams = new AtomicInteger();
  private final Counter rollbacks;

  public XdsMetrics(MeterRegistry registry) {
    this.registry = registry;
    registry.gauge("epic.xds.connected.proxies", openStreams);
    this.rollbacks = Counter.builder("epic.xds.rollbacks").description("automatic rollbacks").register(registry);
  }

  public void acked(String typeUrl, long sendToAckNanos) {
    Timer.builder("epic.xds.push.ack.latency").description("from sending a response until the proxy ACKed it")
        .tag("type", shortType(typeUrl)).publishPercentiles(0.5, 0.99)
        .register(registry).record(Duration.ofNanos(sendToAckNanos));
  }

  public void rolledBack() {
    rollbacks.increment();
  }

  @Override
  public void onStreamOpen(long streamId, String typeUrl) {
    openStreams.incrementAndGet();
  }

  @Override
  public void onStreamClose(long streamId, String typeUrl) {
    openStreams.decrementAndGet();
  }

  @Override
  public void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
    openStreams.decrementAndGet();
  }

  @Override
  public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
    if (request.hasErrorDetail()) {
      nack(request.getTypeUrl());
    }
  }

  @Override
  public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
    if (request.hasErrorDetail()) {
      nack(request.getTypeUrl());
    }
  }

  @Override
  public void onV3StreamResponse(long streamId, DiscoveryRequest request, DiscoveryResponse response) {
    push(response.getTypeUrl());
  }

  @Override
  public void onV3StreamDeltaResponse(long streamId, DeltaDiscoveryRequest request,
                                      DeltaDiscoveryResponse response) {
    push(response.getTypeUrl());
  }

  public int connectedStreams() {
    return openStreams.get();
  }

  private void push(String typeUrl) {
    registry.counter("epic.xds.pushes", "type", shortType(typeUrl)).increment();
  }

  private void nack(String typeUrl) {
    registry.counter("epic.xds.nacks", "type", shortType(typeUrl)).increment();
  }

  private static String shortType(String typeUrl) {
    return typeUrl.substring(typeUrl.lastIndexOf('.') + 1);
  }
}
