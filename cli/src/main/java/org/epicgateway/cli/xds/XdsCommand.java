package org.epicgateway.cli.xds;

import static io.envoyproxy.controlplane.cache.Resources.V3.CLUSTER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ENDPOINT_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ROUTE_TYPE_URL;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.epicgateway.xds.AdsClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./epic xds watch}: what a proxy of a gateway receives over ADS, printed as it arrives (no Envoy needed). */
@Command(name = "xds", mixinStandardHelpOptions = true, description = "Look at the xDS server as a proxy does.",
    subcommands = XdsCommand.Watch.class)
public final class XdsCommand {

  @Command(name = "watch", mixinStandardHelpOptions = true,
      description = "Connects as proxy <gatewayId>~<instance> (SotW ADS, plaintext), subscribes to listeners and "
          + "clusters, then to their routes and endpoints, ACKs every response and prints each one's type, version "
          + "and resource names, until Ctrl-C or --responses.")
  static final class Watch implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Option(names = "--server", defaultValue = "127.0.0.1:18000", description = "ADS address (default ${DEFAULT-VALUE})")
    String server;
    @Option(names = "--node", required = true, description = "node id, <gatewayId>~<instance>, e.g. "
        + "gateway/acme/default/web~probe")
    String node;
    @Option(names = "--responses", defaultValue = "0", description = "stop after this many responses (0: never)")
    int responses;

    @Override
    public Integer call() throws InterruptedException, InvalidProtocolBufferException {
      PrintWriter out = spec.commandLine().getOut();
      ManagedChannel channel = Grpc.newChannelBuilder(server, InsecureChannelCredentials.create()).build();
      try (AdsClient proxy = AdsClient.sotw(channel, node)) {
        // Like Envoy: listeners and clusters by wildcard, then the routes and endpoints they name.
        proxy.request(LISTENER_TYPE_URL, List.of(), "", "");
        proxy.request(CLUSTER_TYPE_URL, List.of(), "", "");
        for (int seen = 0; responses == 0 || seen < responses; seen++) {
          DiscoveryResponse r = proxy.response();
          List<String> names = new ArrayList<>();
          List<String> dependents = new ArrayList<>();
          for (Any resource : r.getResourcesList()) {
            names.add(name(resource, dependents));
          }
          out.printf("%s version %s: %s%n", r.getTypeUrl().substring(r.getTypeUrl().lastIndexOf('.') + 1),
              r.getVersionInfo(), names);
          out.flush();
          proxy.ack(r, r.getTypeUrl().equals(LISTENER_TYPE_URL) || r.getTypeUrl().equals(CLUSTER_TYPE_URL)
              ? List.of() : names);
          if (!dependents.isEmpty()) {
            proxy.request(r.getTypeUrl().equals(LISTENER_TYPE_URL) ? ROUTE_TYPE_URL : ENDPOINT_TYPE_URL, dependents,
                "", "");
          }
        }
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      return 0;
    }

    /** The resource's name; for listeners their RDS route names and for EDS clusters their own name, as dependents. */
    private static String name(Any resource, List<String> dependents) throws InvalidProtocolBufferException {
      return switch (resource.getTypeUrl()) {
        case LISTENER_TYPE_URL -> {
          Listener l = resource.unpack(Listener.class);
          l.getFilterChainsList().forEach(chain -> chain.getFiltersList().forEach(f -> {
            if (f.getTypedConfig().is(HttpConnectionManager.class)) {
              try {
                HttpConnectionManager hcm = f.getTypedConfig().unpack(HttpConnectionManager.class);
                if (hcm.hasRds()) {
                  dependents.add(hcm.getRds().getRouteConfigName());
                }
              } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("listener " + l.getName() + " has an unreadable filter", e);
              }
            }
          }));
          yield l.getName();
        }
        case CLUSTER_TYPE_URL -> {
          Cluster c = resource.unpack(Cluster.class);
          if (c.getType() == Cluster.DiscoveryType.EDS) {
            dependents.add(c.getName());
          }
          yield c.getName();
        }
        case ROUTE_TYPE_URL -> resource.unpack(RouteConfiguration.class).getName();
        case ENDPOINT_TYPE_URL -> {
          ClusterLoadAssignment a = resource.unpack(ClusterLoadAssignment.class);
          yield a.getClusterName() + "(" + a.getEndpointsList().stream().mapToInt(e -> e.getLbEndpointsCount()).sum()
              + " endpoints)";
        }
        default -> resource.getTypeUrl();
      };
    }
  }
}
