package org.epicgateway.bench.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A proxy that behaves like a healthy Envoy on one ADS stream: subscribes to the given types and names and ACKs
 * every response at once, telling the harness (type, arrival nanos) for each response.
 */
final class AutoAckProxy {
  private final Node node;
  private StreamObserver<DiscoveryRequest> sotw;
  private StreamObserver<DeltaDiscoveryRequest> delta;

  AutoAckProxy(String nodeId) {
    this.node = Node.newBuilder().setId(nodeId).build();
  }

  void startSotw(ManagedChannel channel, Map<String, List<String>> namesByType, BiConsumer<String, Long> onResponse) {
    sotw = AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(new StreamObserver<>() {
      @Override public void onNext(DiscoveryResponse r) {
        long now = System.nanoTime();
        synchronized (AutoAckProxy.this) {
          sotw.onNext(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(r.getTypeUrl())
              .addAllResourceNames(namesByType.get(r.getTypeUrl())).setVersionInfo(r.getVersionInfo())
              .setResponseNonce(r.getNonce()).build());
        }
        onResponse.accept(r.getTypeUrl(), now);
      }
      @Override public void onError(Throwable t) { }
      @Override public void onCompleted() { }
    });
    synchronized (this) {
      namesByType.forEach((type, names) -> sotw.onNext(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(type)
          .addAllResourceNames(names).build()));
    }
  }

  void startDelta(ManagedChannel channel, Map<String, List<String>> namesByType,
                  BiConsumer<String, Long> onResponse) {
    delta = AggregatedDiscoveryServiceGrpc.newStub(channel).deltaAggregatedResources(new StreamObserver<>() {
      @Override public void onNext(DeltaDiscoveryResponse r) {
        long now = System.nanoTime();
        synchronized (AutoAckProxy.this) {
          delta.onNext(DeltaDiscoveryRequest.newBuilder().setNode(node).setTypeUrl(r.getTypeUrl())
              .setResponseNonce(r.getNonce()).build());
        }
        onResponse.accept(r.getTypeUrl(), now);
      }
      @Override public void onError(Throwable t) { }
      @Override public void onCompleted() { }
    });
    synchronized (this) {
      namesByType.forEach((type, names) -> delta.onNext(DeltaDiscoveryRequest.newBuilder().setNode(node)
          .setTypeUrl(type).addAllResourceNamesSubscribe(names).build()));
    }
  }

  synchronized void close() {
    if (sotw != null) {
      sotw.onCompleted();
    }
    if (delta != null) {
      delta.onCompleted();
    }
  }
}
