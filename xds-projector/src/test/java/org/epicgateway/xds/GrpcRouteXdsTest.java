package org.epicgateway.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.epicgateway.xds.EnvoyFixtures.apiListener;
import static org.epicgateway.xds.EnvoyFixtures.endpoints;

import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.NameResolverRegistry;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.internal.JsonParser;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.xds.XdsNameResolverProvider;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.epicgateway.projections.envoy.EnvoyConfig;
import org.epicgateway.projections.envoy.EnvoyDerivation;
import org.epicgateway.projections.routecheck.ManifestLoader;
import org.epicgateway.xds.metrics.XdsMetrics;
import org.epicgateway.xds.server.XdsServer;
import org.epicgateway.xds.snapshots.EndpointAssignment;
import org.epicgateway.xds.snapshots.GatewayConfig;
import org.junit.jupiter.api.Test;

/**
 * A GRPCRoute, derived by the production derivation from its manifest, routes real RPCs of grpc-java's own xDS
 * client (proxyless gRPC): a service and method match to one backend, a header match to the other, two weighted
 * backends sharing one method, and a service-only match for the rest of the service. The route configuration and
 * clusters are exactly {@link EnvoyDerivation#derive}'s; only the listener is the api_listener form proxyless clients
 * resolve (Envoy's socket listener means nothing to them).
 */
class GrpcRouteXdsTest {
  private static final String SERVICE = "epic.test.Backend";
  private static final String MANIFESTS = """
      apiVersion: gateway.networking.k8s.io/v1
      kind: Gateway
      metadata: {name: rpc, namespace: default}
      spec:
        gatewayClassName: epic
        listeners: [{name: h2c, port: 8080, protocol: HTTP}]
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: GRPCRoute
      metadata: {name: backend, namespace: default}
      spec:
        parentRefs: [{name: rpc}]
        hostnames: [greeter]
        rules:
          - matches: [{method: {service: epic.test.Backend, method: Who}}]
            backendRefs: [{name: a, port: 50051}]
          - matches: [{method: {service: epic.test.Backend, method: Who}, headers: [{name: x-canary, value: "yes"}]}]
            backendRefs: [{name: b, port: 50051}]
          - matches: [{method: {service: epic.test.Backend, method: Split}}]
            backendRefs: [{name: a, port: 50051, weight: 1}, {name: b, port: 50051, weight: 1}]
          - matches: [{method: {service: epic.test.Backend}}]
            backendRefs: [{name: b, port: 50051}]
      """;

  private static MethodDescriptor<String, String> method(String name) {
    return MethodDescriptor.<String, String>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(SERVICE + "/" + name)
        .setRequestMarshaller(new GrpcXdsClientTest.Utf8()).setResponseMarshaller(new GrpcXdsClientTest.Utf8())
        .build();
  }

  private static final List<String> METHODS = List.of("Who", "Split", "Other");

  private static Server backend(String name) throws IOException {
    ServerServiceDefinition.Builder service = ServerServiceDefinition.builder(SERVICE);
    METHODS.forEach(m -> service.addMethod(method(m), ServerCalls.asyncUnaryCall((request, response) -> {
      response.onNext(name);
      response.onCompleted();
    })));
    return Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).addService(service.build()).build()
        .start();
  }

  @Test
  void aGrpcRouteRoutesRealRpcsByServiceMethodHeaderAndWeight() throws Exception {
    EnvoyConfig derived = EnvoyDerivation.derive(ManifestLoader.parse("grpc.yaml", MANIFESTS).get(0));
    RouteConfiguration routes = derived.routeConfigurations().get(0);
    String clusterA = "manifests/default/a:50051";
    String clusterB = "manifests/default/b:50051";
    assertThat(derived.clusters()).extracting(c -> c.getName()).containsExactly(clusterA, clusterB);

    RecordedArchive archive = new RecordedArchive();
    XdsProjector projector = new XdsProjector(new RecordedReports(), archive, archive,
        new XdsMetrics(new SimpleMeterRegistry()), 10, 1000, Clock.systemUTC());
    Server a = backend("backend-a");
    Server b = backend("backend-b");
    try (XdsServer xds = XdsServer.start(projector, "127.0.0.1", 0, Optional.empty())) {
      String gateway = derived.gatewayId();
      projector.configChanged(GatewayConfig.of(gateway, List.of("cmd-grpcroute"),
          List.of(apiListener("greeter", routes.getName())), List.of(routes), derived.clusters(), List.of()));
      projector.endpointsChanged(EndpointAssignment.of(endpoints(clusterA, "127.0.0.1", a.getPort()),
          List.of("cmd-slice-a")));
      projector.endpointsChanged(EndpointAssignment.of(endpoints(clusterB, "127.0.0.1", b.getPort()),
          List.of("cmd-slice-b")));

      // Its own scheme and bootstrap: grpc-xds caches the default bootstrap for the JVM (GrpcXdsClientTest's).
      String scheme = "xds-grpcroute";
      @SuppressWarnings("unchecked")
      Map<String, ?> bootstrap = (Map<String, ?>) JsonParser.parse("""
          {"xds_servers": [{"server_uri": "127.0.0.1:%d", "channel_creds": [{"type": "insecure"}],
                            "server_features": ["xds_v3"]}],
           "node": {"id": "%s~grpc-route-client", "cluster": "epic-test"}}
          """.formatted(xds.port(), gateway));
      NameResolverRegistry.getDefaultRegistry().register(XdsNameResolverProvider.createForTest(scheme, bootstrap));
      ManagedChannel channel = Grpc.newChannelBuilder(scheme + ":///greeter", InsecureChannelCredentials.create())
          .build();
      try {
        assertThat(call(channel, "Who", false)).isEqualTo("backend-a");
        assertThat(call(channel, "Who", true)).as("the header match ranks first (more headers)").isEqualTo("backend-b");
        assertThat(call(channel, "Other", false)).as("the service-only match").isEqualTo("backend-b");
        Set<String> split = new HashSet<>();
        for (int i = 0; i < 200 && split.size() < 2; i++) {
          split.add(call(channel, "Split", false));
        }
        assertThat(split).as("weights 1:1 over 200 calls reach both").containsExactlyInAnyOrder("backend-a", "backend-b");
      } finally {
        channel.shutdownNow();
      }
    } finally {
      a.shutdownNow();
      b.shutdownNow();
    }
  }

  private static String call(ManagedChannel channel, String name, boolean canary) {
    Metadata headers = new Metadata();
    if (canary) {
      headers.put(Metadata.Key.of("x-canary", Metadata.ASCII_STRING_MARSHALLER), "yes");
    }
    return ClientCalls.blockingUnaryCall(ClientInterceptors.intercept(channel,
            MetadataUtils.newAttachHeadersInterceptor(headers)), method(name),
        CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS).withWaitForReady(), "who?");
  }
}
