package org.epicgateway.xds.acks;

import static io.envoyproxy.controlplane.cache.Resources.V3.ENDPOINT_TYPE_URL;

import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.exception.RequestException;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Status;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.epicgateway.xds.acks.ProxyStream.Sent;
import org.epicgateway.xds.server.NodeIds;

/**
 * Follows every ADS stream (SotW and delta): remembers the last response per type and its nonce, and turns the
 * proxy's next request for that nonce into an ACK (no error_detail) or a NACK (error_detail). For EDS only the
 * response's version is kept (the endpoint cache knows what it carried), so tracking costs no more with more clusters. It holds no lock while
 * calling the listener, because the listener may publish a snapshot that sends on streams synchronously.
 */
public final class ProxyTracker implements DiscoveryServerCallbacks {
  private final AckListener listener;
  private final Map<Long, ProxyStream> streams = new ConcurrentHashMap<>();
  /** Delta only: per stream and type, what the proxy holds once it applies everything sent so far. */
  private final Map<Long, Map<String, Map<String, String>>> deltaViews = new ConcurrentHashMap<>();

  public ProxyTracker(AckListener listener) {
    this.listener = listener;
  }

  @Override
  public void onV3StreamRequest(long streamId, DiscoveryRequest request) throws RequestException {
    ProxyStream stream = streamFor(streamId, request.getNode(), false);
    String typeUrl = request.getTypeUrl();
    verdict(stream, typeUrl, request.getResponseNonce(), request.hasErrorDetail(),
        request.getErrorDetail().getMessage());
  }

  @Override
  public void onV3StreamResponse(long streamId, DiscoveryRequest request, DiscoveryResponse response) {
    ProxyStream stream = streams.get(streamId);
    if (stream != null) {
      AckedState state = response.getTypeUrl().equals(ENDPOINT_TYPE_URL)
          ? new AckedState.Endpoints(response.getVersionInfo())
          : new AckedState.Sotw(response.getVersionInfo(), List.copyOf(request.getResourceNamesList()));
      stream.sent.put(response.getTypeUrl(), new Sent(response.getNonce(), state, System.nanoTime()));
    }
  }

  @Override
  public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) throws RequestException {
    ProxyStream stream = streamFor(streamId, request.getNode(), true);
    String typeUrl = request.getTypeUrl();
    if (request.hasErrorDetail() && !typeUrl.equals(ENDPOINT_TYPE_URL)) {
      // The proxy kept what it had: forget what we assumed it would apply.
      AckedState kept = stream.acked(typeUrl);
      Map<String, String> view = view(streamId, typeUrl);
      synchronized (view) {
        view.clear();
        if (kept instanceof AckedState.Delta d) {
          view.putAll(d.resourceVersions());
        }
      }
    }
    verdict(stream, typeUrl, request.getResponseNonce(), request.hasErrorDetail(),
        request.getErrorDetail().getMessage());
  }

  @Override
  public void onV3StreamDeltaResponse(long streamId, DeltaDiscoveryRequest request,
                                      DeltaDiscoveryResponse response) {
    ProxyStream stream = streams.get(streamId);
    if (stream == null) {
      return;
    }
    if (response.getTypeUrl().equals(ENDPOINT_TYPE_URL)) {
      stream.sent.put(ENDPOINT_TYPE_URL, new Sent(response.getNonce(),
          new AckedState.Endpoints(response.getSystemVersionInfo()), System.nanoTime()));
      return;
    }
    Map<String, String> view = view(streamId, response.getTypeUrl());
    synchronized (view) {
      response.getResourcesList().forEach(r -> view.put(r.getName(), r.getVersion()));
      response.getRemovedResourcesList().forEach(view::remove);
      stream.sent.put(response.getTypeUrl(), new Sent(response.getNonce(),
          new AckedState.Delta(Map.copyOf(view)), System.nanoTime()));
    }
  }

  @Override
  public void onStreamClose(long streamId, String typeUrl) {
    closed(streamId);
  }

  @Override
  public void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
    closed(streamId);
  }

  /** Streams currently open, for the projector's view of connected proxies. */
  public java.util.Collection<ProxyStream> streams() {
    return streams.values();
  }

  private void verdict(ProxyStream stream, String typeUrl, String nonce, boolean error, String errorDetail) {
    if (nonce.isEmpty()) {
      return;
    }
    Sent sent = stream.sent.get(typeUrl);
    if (sent == null || !sent.nonce().equals(nonce) || !stream.sent.remove(typeUrl, sent)) {
      return; // a stale nonce: the proxy answers a response that a newer one already replaced
    }
    if (error) {
      listener.rejected(stream, typeUrl, sent.state(), errorDetail);
    } else {
      stream.ack(typeUrl, sent.state());
      listener.acked(stream, typeUrl, System.nanoTime() - sent.sentNanos());
    }
  }

  private ProxyStream streamFor(long streamId, Node node, boolean delta) throws RequestException {
    ProxyStream existing = streams.get(streamId);
    if (existing != null) {
      return existing;
    }
    String gatewayId;
    try {
      gatewayId = NodeIds.gatewayOf(node);
    } catch (IllegalArgumentException e) {
      throw new RequestException(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
    }
    ProxyStream stream = new ProxyStream(streamId, node.getId(), gatewayId, delta);
    if (streams.putIfAbsent(streamId, stream) == null) {
      listener.connected(stream);
      return stream;
    }
    return streams.get(streamId);
  }

  private Map<String, String> view(long streamId, String typeUrl) {
    return deltaViews.computeIfAbsent(streamId, id -> new ConcurrentHashMap<>())
        .computeIfAbsent(typeUrl, t -> new HashMap<>());
  }

  private void closed(long streamId) {
    deltaViews.remove(streamId);
    ProxyStream stream = streams.remove(streamId);
    if (stream != null) {
      listener.disconnected(stream);
    }
  }
}
