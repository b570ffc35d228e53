package org.epicgateway.xds;

import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A raw ADS client speaking the protocol the way Envoy does: one stream, requests with nonces, ACK and NACK. It is
 * what {@code ./epic xds watch} shows an operator (no Envoy binary needed) and what the tests drive as a proxy.
 */
public final class AdsClient implements AutoCloseable {
  private final Node node;
  private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
  private final StreamObserver<DiscoveryRequest> sotw;
  private final StreamObserver<DeltaDiscoveryRequest> delta;
  private volatile boolean sentNode;

  private AdsClient(ManagedChannel channel, String nodeId, boolean useDelta) {
    this.node = Node.newBuilder().setId(nodeId).setCluster("epic-test").build();
    var stub = AggregatedDiscoveryServiceGrpc.newStub(channel);
    if (useDelta) {
      this.delta = stub.deltaAggregatedResources(observer());
      this.sotw = null;
    } else {
      this.sotw = stub.streamAggregatedResources(observer());
      this.delta = null;
    }
  }

  public static AdsClient sotw(ManagedChannel channel, String nodeId) {
    return new AdsClient(channel, nodeId, false);
  }

  public static AdsClient delta(ManagedChannel channel, String nodeId) {
    return new AdsClient(channel, nodeId, true);
  }

  public void request(String typeUrl, List<String> names, String version, String nonce) {
    DiscoveryRequest.Builder b = DiscoveryRequest.newBuilder().setTypeUrl(typeUrl).addAllResourceNames(names)
        .setVersionInfo(version).setResponseNonce(nonce);
    sotw.onNext(withNode(b).build());
  }

  public void ack(DiscoveryResponse r, List<String> names) {
    request(r.getTypeUrl(), names, r.getVersionInfo(), r.getNonce());
  }

  /** A NACK keeps the last accepted version, like Envoy does. */
  public void nack(DiscoveryResponse r, List<String> names, String acceptedVersion, String error) {
    DiscoveryRequest.Builder b = DiscoveryRequest.newBuilder().setTypeUrl(r.getTypeUrl()).addAllResourceNames(names)
        .setVersionInfo(acceptedVersion).setResponseNonce(r.getNonce())
        .setErrorDetail(Status.newBuilder().setCode(3).setMessage(error));
    sotw.onNext(withNode(b).build());
  }

  public void subscribe(String typeUrl, List<String> names) {
    DeltaDiscoveryRequest.Builder b = DeltaDiscoveryRequest.newBuilder().setTypeUrl(typeUrl)
        .addAllResourceNamesSubscribe(names);
    if (!sentNode) {
      b.setNode(node);
      sentNode = true;
    }
    delta.onNext(b.build());
  }

  public void ack(DeltaDiscoveryResponse r) {
    delta.onNext(DeltaDiscoveryRequest.newBuilder().setTypeUrl(r.getTypeUrl()).setResponseNonce(r.getNonce())
        .build());
  }

  public DiscoveryResponse response() throws InterruptedException {
    return (DiscoveryResponse) next(false);
  }

  public DeltaDiscoveryResponse deltaResponse() throws InterruptedException {
    return (DeltaDiscoveryResponse) next(false);
  }

  /** The stream's terminal error (the server closed it). */
  public Throwable error() throws InterruptedException {
    return (Throwable) next(true);
  }

  private Object next(boolean expectError) throws InterruptedException {
    Object o = received.poll(60, TimeUnit.SECONDS);
    if (o == null) {
      throw new IllegalStateException("no ADS message within 60 s");
    }
    if (o instanceof Throwable t && !expectError) {
      throw new IllegalStateException("ADS stream failed: " + t.getMessage(), t);
    }
    return o;
  }

  private DiscoveryRequest.Builder withNode(DiscoveryRequest.Builder b) {
    // Like Envoy with set_node_on_first_message_only: the node travels on the first request only.
    if (!sentNode) {
      b.setNode(node);
      sentNode = true;
    }
    return b;
  }

  private <T> StreamObserver<T> observer() {
    return new StreamObserver<>() {
      @Override public void onNext(T value) { received.add(value); }
      @Override public void onError(Throwable t) { received.add(t); }
      @Override public void onCompleted() { }
    };
  }

  @Override
  public void close() {
    if (sotw != null) {
      sotw.onCompleted();
    } else {
      delta.onCompleted();
    }
  }
}
