package org.epicgateway.cli.up;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.epicgateway.api.ApiError;
import org.epicgateway.api.proxies.ProxyConfigQueries;
import org.epicgateway.projections.envoy.EnvoyDerivation;
import org.epicgateway.projections.status.StatusDerivation.ProxyProgress;
import org.epicgateway.projections.view.GatewayViews;
import org.epicgateway.projections.view.ViewStore;
import org.epicgateway.projections.viewtopology.GatewayViewService;
import org.epicgateway.schemas.AggregateIds;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.xds.XdsProjector;
import org.epicgateway.xds.XdsService;

/**
 * The command API's view of the xDS projector and the gateway view projection running in the same `epic up`: the
 * API starts before them, so they are looked up per request, and a request in between is told to retry.
 */
final class ProjectorQueries implements ProxyConfigQueries {
    private final XdsService xds;
    private final GatewayViewService views;

    ProjectorQueries(XdsService xds, GatewayViewService views) {
        this.xds = xds;
        this.views = views;
    }

    @Override
    public List<XdsProjector.RevisionView> revisions(String gatewayId) {
        return projector().revisions(gatewayId);
    }

    @Override
    public XdsProjector.ReceiptView receipt(String commandId) {
        return projector().receipt(commandId);
    }

    /**
     * The view assembled from the projection's stores as they are now, and the revision derived from it (the same
     * derivation the Envoy projection runs, so the same content hash) matched against what the proxies ACKed.
     */
    @Override
    public Optional<StatusInputs> status(String gatewayId) {
        ViewStore store = views.views().orElseThrow(() -> new ApiError(503, "UNAVAILABLE",
            "the gateway view projection is still starting; retry shortly", null));
        Optional<GatewayView> found = GatewayViews.view(store, gatewayId);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        GatewayView view = found.get();
        Map<String, Long> versions = new TreeMap<>();
        view.getHttpRoutes().forEach(r -> version(store, AggregateIds.httpRoute(r.getAccount(), r.getNamespace(),
            r.getName()), versions));
        view.getTcpRoutes().forEach(r -> version(store, AggregateIds.tcpRoute(r.getAccount(), r.getNamespace(),
            r.getName()), versions));
        view.getTlsRoutes().forEach(r -> version(store, AggregateIds.tlsRoute(r.getAccount(), r.getNamespace(),
            r.getName()), versions));
        view.getGrpcRoutes().forEach(r -> version(store, AggregateIds.grpcRoute(r.getAccount(), r.getNamespace(),
            r.getName()), versions));
        String version;
        try {
            version = EnvoyDerivation.derive(view).version();
        } catch (RuntimeException e) {
            return Optional.of(new StatusInputs(view, versions, new ProxyProgress(null, e.getMessage(), 0, 0)));
        }
        Optional<XdsProjector.RevisionView> revision = projector().revisions(gatewayId).stream()
            .filter(r -> r.version().equals(version)).findFirst();
        return Optional.of(new StatusInputs(view, versions, new ProxyProgress(version, null,
            revision.map(r -> r.runningOn().size()).orElse(0), revision.map(r -> r.rejectedBy().size()).orElse(0))));
    }

    private static void version(ViewStore store, String routeId, Map<String, Long> into) {
        store.get(routeId).ifPresent(s -> into.put(routeId, s.getVersion()));
    }

    private XdsProjector projector() {
        XdsProjector projector = xds.projector();
        if (projector == null) {
            throw new ApiError(503, "UNAVAILABLE", "the xDS projector is still starting; retry shortly", null);
        }
        return projector;
    }
}
