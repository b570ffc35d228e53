package org.epicgateway.cli.up;

import java.util.List;
import org.epicgateway.api.ApiError;
import org.epicgateway.api.proxies.ProxyConfigQueries;
import org.epicgateway.xds.XdsProjector;
import org.epicgateway.xds.XdsService;

/**
 * The command API's view of the xDS projector running in the same `epic up`: the API starts before the projector, so
 * the projector is looked up per request, and a request in between is told to retry.
 */
final class ProjectorQueries implements ProxyConfigQueries {
    private final XdsService xds;

    ProjectorQueries(XdsService xds) {
        this.xds = xds;
    }

    @Override
    public List<XdsProjector.RevisionView> revisions(String gatewayId) {
        return projector().revisions(gatewayId);
    }

    @Override
    public XdsProjector.ReceiptView receipt(String commandId) {
        return projector().receipt(commandId);
    }

    private XdsProjector projector() {
        XdsProjector projector = xds.projector();
        if (projector == null) {
            throw new ApiError(503, "UNAVAILABLE", "the xDS projector is still starting; retry shortly", null);
        }
        return projector;
    }
}
