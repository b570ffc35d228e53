package org.epicgateway.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.epicgateway.xds.EnvoyFixtures.apiListener;
import static org.epicgateway.xds.EnvoyFixtures.edsCluster;
import static org.epicgateway.xds.EnvoyFixtures.endpoints;
import static org.epicgateway.xds.EnvoyFixtures.routes;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.epicgateway.xds.metrics.XdsMetrics;
import org.epicgateway.xds.server.XdsServer;
import org.epicgateway.xds.snapshots.EndpointAssignment;
import org.epicgateway.xds.snapshots.GatewayConfig;
import org.junit.jupiter.api.Test;

/**
 * grpc-java's own xDS implementation (proxyless gRPC) as an independent client: it resolves {@code xds:///greeter}
 * through our LDS (api_listener) / RDS / CDS / EDS, sends real RPCs to real gRPC servers, and follows an endpoint
 * change to the other backend.
 */
class GrpcXdsClientTest {
  static final String GW = "gateway/acme/default/greeter";
  static final String CLUSTER = "default/greeter:50051";

  /** A one-method service answering with the backend's name; strings on the wire, no generated code needed. */
  static final MethodDescriptor<String, String> WHO = MethodDescriptor.<String, String>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName("epic.test.Backend/Who")
      .setRequestMarshaller(new Utf8())
      .setResponseMarshaller(new Utf8())
      .build();

  static final class Utf8 implements MethodDescriptor.Marshaller<String> {
    @Override public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  static Server backend(String name) throws IOException {
    ServerServiceDefinition service = ServerServiceDefinition.builder("epic.test.Backend")
        .addMethod(WHO, ServerCalls.asyncUnaryCall((request, response) -> {
          response.onNext(name);
          response.onCompleted();
        }))
        .build();
    return Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).addService(service).build().start();
  }

  @Test
  void proxylessGrpcRoutesRealRpcsAndFollowsAnEndpointChange() throws Exception {
    RecordedReports reports = new RecordedReports();
    RecordedArchive archive = new RecordedArchive();
    XdsProjector projector = new XdsProjector(reports, archive, archive,
        new XdsMetrics(new SimpleMeterRegistry()), 10, 1000, Clock.systemUTC());
    Server a = backend("backend-a");
    Server b = backend("backend-b");
    try (XdsServer xds = XdsServer.start(projector, "127.0.0.1", 0, Optional.empty())) {
      projector.configChanged(GatewayConfig.of(GW, List.of("cmd-route"),
          List.of(apiListener("greeter", "greeter-routes")),
          List.of(routes("greeter-routes", "*", "/", CLUSTER)),
          List.of(edsCluster(CLUSTER)), List.of()));
      projector.endpointsChanged(EndpointAssignment.of(endpoints(CLUSTER, "127.0.0.1", a.getPort()),
          List.of("cmd-slice-1")));

      String nodeId = GW + "~grpc-client-0";
      // The standard bootstrap override grpc-xds reads (GRPC_XDS_BOOTSTRAP_CONFIG as a system property).
      System.setProperty("io.grpc.xds.bootstrapConfig", """
          {"xds_servers": [{"server_uri": "127.0.0.1:%d", "channel_creds": [{"type": "insecure"}],
                            "server_features": ["xds_v3"]}],
           "node": {"id": "%s", "cluster": "epic-test"}}
          """.formatted(xds.port(), nodeId));
      ManagedChannel channel = Grpc.newChannelBuilder("xds:///greeter", InsecureChannelCredentials.create()).build();
      try {
        assertThat(call(channel)).isEqualTo("backend-a");
        // grpc-xds ACKed LDS, RDS and CDS of the revision: the projector reports it applied, with a receipt.
        reports.await(r -> r.startsWith("applied " + GW + " " + nodeId));
        assertThat(projector.receipt("cmd-route").acked()).extracting(org.epicgateway.xds.receipts.Receipts.Ack::nodeId).containsExactly(nodeId);

        projector.endpointsChanged(EndpointAssignment.of(endpoints(CLUSTER, "127.0.0.1", b.getPort()),
            List.of("cmd-slice-2")));
        String answer = call(channel);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!answer.equals("backend-b") && System.nanoTime() < deadline) {
          Thread.sleep(50);
          answer = call(channel);
        }
        assertThat(answer).isEqualTo("backend-b");
        reports.awaitReceipt(projector, "cmd-slice-2", nodeId);
      } finally {
        channel.shutdownNow();
      }
    } finally {
      a.shutdownNow();
      b.shutdownNow();
    }
  }

  private static String call(ManagedChannel channel) {
    return ClientCalls.blockingUnaryCall(channel, WHO, CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS)
        .withWaitForReady(), "who?");
  }
}
