package org.epicgateway.projections.envoy;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Checks a derived config before anyone sees it: every resource survives a protobuf round trip, names are unique,
 * every listener's RDS name and every route's or TCP proxy's cluster exists, virtual host domains are unique, weights
 * are positive, and every regex compiles under RE2 (Envoy's engine).
 */
public final class ConfigValidator {

    /** The derived config is inconsistent; the message lists every problem found. */
    public static final class InvalidEnvoyConfigException extends IllegalStateException {
        public InvalidEnvoyConfigException(String gatewayId, List<String> problems) {
            super("invalid Envoy config for " + gatewayId + ": " + String.join("; ", problems));
        }
    }

    private ConfigValidator() {}

    public static void validate(EnvoyConfig config) {
        List<String> problems = new ArrayList<>();
        Set<String> clusters = names(config.clusters(), Cluster::getName, "cluster", problems);
        Set<String> routeConfigs = names(config.routeConfigurations(), RouteConfiguration::getName, "route configuration", problems);
        names(config.listeners(), Listener::getName, "listener", problems);
        config.clusters().forEach(c -> roundTrip(c, Cluster.parser(), problems));
        config.routeConfigurations().forEach(r -> roundTrip(r, RouteConfiguration.parser(), problems));
        for (Listener l : config.listeners()) {
            roundTrip(l, Listener.parser(), problems);
            for (FilterChain chain : l.getFilterChainsList()) {
                for (Filter f : chain.getFiltersList()) {
                    checkFilter(l.getName(), f, routeConfigs, clusters, problems);
                }
            }
        }
        for (RouteConfiguration rc : config.routeConfigurations()) {
            Set<String> domains = new HashSet<>();
            for (VirtualHost vh : rc.getVirtualHostsList()) {
                vh.getDomainsList().stream().filter(d -> !domains.add(d))
                        .forEach(d -> problems.add(rc.getName() + ": domain " + d + " in two virtual hosts"));
                for (Route r : vh.getRoutesList()) {
                    checkRoute(rc.getName() + "/" + r.getName(), r, clusters, problems);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidEnvoyConfigException(config.gatewayId(), problems);
        }
    }

    private static void checkFilter(String listener, Filter f, Set<String> routeConfigs, Set<String> clusters,
                                    List<String> problems) {
        try {
            if (f.getName().equals(EnvoyDerivation.HCM)) {
                String rds = f.getTypedConfig().unpack(HttpConnectionManager.class).getRds().getRouteConfigName();
                if (!routeConfigs.contains(rds)) {
                    problems.add(listener + ": RDS " + rds + " does not exist");
                }
            } else if (f.getName().equals(EnvoyDerivation.TCP_PROXY)) {
                TcpProxy proxy = f.getTypedConfig().unpack(TcpProxy.class);
                List<String> targets = proxy.hasWeightedClusters()
                        ? proxy.getWeightedClusters().getClustersList().stream().map(c -> c.getName()).toList()
                        : List.of(proxy.getCluster());
                targets.stream().filter(c -> !clusters.contains(c))
                        .forEach(c -> problems.add(listener + ": cluster " + c + " does not exist"));
            }
        } catch (InvalidProtocolBufferException e) {
            problems.add(listener + ": filter " + f.getName() + " does not unpack: " + e.getMessage());
        }
    }

    private static void checkRoute(String where, Route r, Set<String> clusters, List<String> problems) {
        if (r.getMatch().hasSafeRegex()) {
            regex(where, r.getMatch().getSafeRegex().getRegex(), problems);
        }
        for (HeaderMatcher h : r.getMatch().getHeadersList()) {
            if (h.getStringMatch().hasSafeRegex()) {
                regex(where, h.getStringMatch().getSafeRegex().getRegex(), problems);
            }
        }
        for (QueryParameterMatcher q : r.getMatch().getQueryParametersList()) {
            if (q.getStringMatch().hasSafeRegex()) {
                regex(where, q.getStringMatch().getSafeRegex().getRegex(), problems);
            }
        }
        if (r.hasRedirect() && r.getRedirect().hasRegexRewrite()) {
            regex(where, r.getRedirect().getRegexRewrite().getPattern().getRegex(), problems);
        }
        if (!r.hasRoute()) {
            return;
        }
        if (r.getRoute().hasRegexRewrite()) {
            regex(where, r.getRoute().getRegexRewrite().getPattern().getRegex(), problems);
        }
        List<String> targets;
        if (r.getRoute().hasWeightedClusters()) {
            List<WeightedCluster.ClusterWeight> weights = r.getRoute().getWeightedClusters().getClustersList();
            if (weights.stream().mapToLong(w -> w.getWeight().getValue()).sum() <= 0) {
                problems.add(where + ": weighted clusters without weight");
            }
            // The unresolved-backend share may name no cluster only when Envoy is told to answer it with 500.
            boolean answers500 = r.getRoute().getClusterNotFoundResponseCode()
                    == RouteAction.ClusterNotFoundResponseCode.INTERNAL_SERVER_ERROR;
            targets = weights.stream().map(WeightedCluster.ClusterWeight::getName)
                    .filter(name -> !(answers500 && name.equals(HttpRoutes.UNRESOLVED_CLUSTER))).toList();
        } else {
            targets = List.of(r.getRoute().getCluster());
        }
        targets.stream().filter(c -> !clusters.contains(c))
                .forEach(c -> problems.add(where + ": cluster " + c + " does not exist"));
    }

    private static void regex(String where, String regex, List<String> problems) {
        SafeRegex.problem(regex).ifPresent(problem -> problems.add(where + ": regex " + regex + ": " + problem));
    }

    private static <T extends Message> void roundTrip(T m, com.google.protobuf.Parser<T> parser, List<String> problems) {
        try {
            if (!parser.parseFrom(m.toByteArray()).equals(m)) {
                problems.add(m.getDescriptorForType().getName() + " does not survive a protobuf round trip");
            }
        } catch (InvalidProtocolBufferException e) {
            problems.add(m.getDescriptorForType().getName() + " is not well-formed protobuf: " + e.getMessage());
        }
    }

    private static <T> Set<String> names(List<T> items, Function<T, String> name, String what, List<String> problems) {
        Set<String> out = new HashSet<>();
        for (T item : items) {
            String n = name.apply(item);
            if (n.isEmpty()) {
                problems.add(what + " without a name");
            } else if (!out.add(n)) {
                problems.add(what + " " + n + " defined twice");
            }
        }
        return out;
    }
}
