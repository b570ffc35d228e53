package org.epicgateway.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.epicgateway.xds.EnvoyFixtures.apiListener;
import static org.epicgateway.xds.EnvoyFixtures.endpoints;

import io.envoyproxy.envoy.config.route.v3.RouteAction;
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
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.epicgateway.projections.envoy.EnvoyConfig;
import org.epicgateway.projections.envoy.EnvoyDerivation;
import org.epicgateway.projections.routecheck.ManifestLoader;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.TemplateState;
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

      ManagedChannel channel = xdsChannel("xds-grpcroute", xds, gateway, "greeter");
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

  /**
   * A channel resolving {@code host} through grpc-java's xDS client against {@code xds}. Each test takes its own scheme
   * and bootstrap: grpc-xds caches the default bootstrap for the JVM (GrpcXdsClientTest's).
   */
  private static ManagedChannel xdsChannel(String scheme, XdsServer xds, String gateway, String host)
      throws IOException {
    @SuppressWarnings("unchecked")
    Map<String, ?> bootstrap = (Map<String, ?>) JsonParser.parse("""
        {"xds_servers": [{"server_uri": "127.0.0.1:%d", "channel_creds": [{"type": "insecure"}],
                          "server_features": ["xds_v3"]}],
         "node": {"id": "%s~%s-client", "cluster": "epic-test"}}
        """.formatted(xds.port(), gateway, scheme));
    NameResolverRegistry.getDefaultRegistry().register(XdsNameResolverProvider.createForTest(scheme, bootstrap));
    return Grpc.newChannelBuilder(scheme + ":///" + host, InsecureChannelCredentials.create()).build();
  }

  private static final String RETRY_MANIFESTS = """
      apiVersion: gateway.networking.k8s.io/v1
      kind: Gateway
      metadata: {name: rpc, namespace: default}
      spec:
        gatewayClassName: epic
        listeners: [{name: h2c, port: 8080, protocol: HTTP}]
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: GRPCRoute
      metadata: {name: flaky, namespace: default}
      spec:
        parentRefs: [{name: rpc}]
        hostnames: [flaky]
        rules: [{matches: [{method: {service: epic.test.Backend}}], backendRefs: [{name: flaky, port: 50051}]}]
      """;

  /** The gateway template's route retry policy, on a gRPC status grpc-xds retries (its retry_on takes gRPC codes). */
  private static final String RETRY_TEMPLATE = """
      routeAction:
        retry_policy: {retry_on: unavailable, num_retries: 1, retry_back_off: {base_interval: 0.01s}}
      """;

  /**
   * The Gateway API gives GRPCRoute no timeouts or retry of its own, so what reaches a proxyless client is the
   * gateway template's route policy: its retry on UNAVAILABLE takes effect on grpc-xds (a backend failing every
   * other attempt answers every call once it is pushed, and fails every other call before), and the derived
   * max_stream_duration.grpc_timeout_header_max 0s leaves the call's own deadline in charge (grpc-xds reads no
   * route timeout other than max_stream_duration).
   */
  @Test
  void theTemplatesRetryPolicyTakesEffectOnGrpcXdsForAGrpcRoute() throws Exception {
    GatewayView view = ManifestLoader.parse("grpc-retry.yaml", RETRY_MANIFESTS).get(0);
    EnvoyConfig plain = EnvoyDerivation.derive(view);
    EnvoyConfig retrying = EnvoyDerivation.derive(GatewayView.newBuilder(view).setTemplate(TemplateState.newBuilder()
        .setTemplate("grpc-retry").setPool("test").setReplicas(1).setShareable(false)
        .setEnvoyBaseConfig(RETRY_TEMPLATE).build()).build());
    RouteAction action = retrying.routeConfigurations().get(0).getVirtualHosts(0).getRoutes(0).getRoute();
    assertThat(action.getRetryPolicy().getRetryOn()).isEqualTo("unavailable");
    assertThat(action.getMaxStreamDuration().getGrpcTimeoutHeaderMax().getSeconds()).isZero();
    assertThat(plain.routeConfigurations().get(0).getVirtualHosts(0).getRoutes(0).getRoute().hasRetryPolicy())
        .isFalse();
    String cluster = "manifests/default/flaky:50051";

    AtomicInteger attempts = new AtomicInteger(1);
    ServerServiceDefinition.Builder service = ServerServiceDefinition.builder(SERVICE);
    METHODS.forEach(m -> service.addMethod(method(m), ServerCalls.asyncUnaryCall((request, response) -> {
      if (attempts.incrementAndGet() % 2 == 1) {
        response.onError(Status.UNAVAILABLE.withDescription("odd attempt").asRuntimeException());
      } else {
        response.onNext("flaky");
        response.onCompleted();
      }
    })));
    Server flaky = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).addService(service.build())
        .build().start();
    RecordedArchive archive = new RecordedArchive();
    XdsProjector projector = new XdsProjector(new RecordedReports(), archive, archive,
        new XdsMetrics(new SimpleMeterRegistry()), 10, 1000, Clock.systemUTC());
    try (XdsServer xds = XdsServer.start(projector, "127.0.0.1", 0, Optional.empty())) {
      String gateway = plain.gatewayId();
      projector.configChanged(GatewayConfig.of(gateway, List.of("cmd-plain"),
          List.of(apiListener("flaky", plain.routeConfigurations().get(0).getName())), plain.routeConfigurations(),
          plain.clusters(), List.of()));
      projector.endpointsChanged(EndpointAssignment.of(endpoints(cluster, "127.0.0.1", flaky.getPort()),
          List.of("cmd-slice")));
      ManagedChannel channel = xdsChannel("xds-grpcroute-retry", xds, gateway, "flaky");
      try {
        // Without a retry policy the odd attempts fail the call (the first attempt, counted as the second, succeeds).
        assertThat(call(channel, "Who", false)).isEqualTo("flaky");
        assertThatThrownBy(() -> call(channel, "Who", false)).isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        assertThat(call(channel, "Who", false)).isEqualTo("flaky");
        assertThat(attempts).hasValue(4);

        projector.configChanged(GatewayConfig.of(gateway, List.of("cmd-retry"),
            List.of(apiListener("flaky", retrying.routeConfigurations().get(0).getName())),
            retrying.routeConfigurations(), retrying.clusters(), List.of()));
        // The RDS push reaches the client asynchronously: the first call that takes two attempts shows it applied.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        boolean retried = false;
        while (!retried && System.nanoTime() < deadline) {
          int before = attempts.get();
          try {
            call(channel, "Who", false);
            retried = attempts.get() - before == 2;
          } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
          }
        }
        assertThat(retried).as("a call retried after the template's policy was pushed").isTrue();
        for (int i = 0; i < 10; i++) {
          int before = attempts.get();
          assertThat(call(channel, "Who", false)).isEqualTo("flaky");
          assertThat(attempts.get() - before).as("the failed attempt retried once").isEqualTo(2);
        }
      } finally {
        channel.shutdownNow();
      }
    } finally {
      flaky.shutdownNow();
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
