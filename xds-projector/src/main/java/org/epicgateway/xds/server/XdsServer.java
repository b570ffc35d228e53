package org.epicgateway.xds.server;

import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.epicgateway.xds.XdsProjector;
import org.epicgateway.xds.tls.XdsTls;

/**
 * The gRPC server: ADS (state-of-the-world and delta on the aggregated service) plus the per-type services, on
 * grpc-netty-shaded, plaintext or TLS / mutual TLS.
 */
public final class XdsServer implements AutoCloseable {
  private final Server server;

  private XdsServer(Server server) {
    this.server = server;
  }

  /** Starts serving on host:port (port 0 picks a free one). */
  public static XdsServer start(XdsProjector projector, String host, int port, Optional<XdsTls> tls)
      throws IOException {
    V3DiscoveryServer discovery = new V3DiscoveryServer(List.of(projector.tracker(), projector.metrics()),
        projector.cache());
    ServerCredentials credentials = tls.map(XdsTls::credentials).orElse(InsecureServerCredentials.create());
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port), credentials)
        .intercept(new NodeOnEveryRequest())
        .addService(discovery.getAggregatedDiscoveryServiceImpl())
        .addService(discovery.getClusterDiscoveryServiceImpl())
        .addService(discovery.getEndpointDiscoveryServiceImpl())
        .addService(discovery.getListenerDiscoveryServiceImpl())
        .addService(discovery.getRouteDiscoveryServiceImpl())
        .addService(discovery.getSecretDiscoveryServiceImpl())
        .build()
        .start();
    return new XdsServer(server);
  }

  public int port() {
    return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
  }

  /** False once shut down (closed, or the transport failed). */
  public boolean serving() {
    return !server.isShutdown();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdown();
    if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
      server.shutdownNow();
    }
  }
}
