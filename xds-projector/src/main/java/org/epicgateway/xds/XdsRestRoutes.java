package org.epicgateway.xds;

import io.javalin.Javalin;
import io.javalin.http.NotFoundResponse;
import java.util.List;
import org.epicgateway.schemas.AggregateIds;

/**
 * The projector's REST queries on its admin port, which binds 127.0.0.1 and has no authentication: for operators on
 * the host and the projector's own tests. Tenants get the same answers from the command API, behind its auth and
 * tenant checks, through {@code org.epicgateway.api.proxies.ProxyConfigQueries}, which {@code epic up} implements over
 * this process's projector.
 * <ul>
 *   <li>{@code GET /api/v1/accounts/{account}/gateways/{namespace}/{name}/revisions}: revisions newest first, which is
 *       served, which proxies run each, which rejected it and why;</li>
 *   <li>{@code GET /api/v1/receipts/{commandId}}: the proxies that ACKed configuration containing the command, and the
 *       connected proxies of the same gateways that have not (yet).</li>
 * </ul>
 */
public final class XdsRestRoutes {
  private XdsRestRoutes() {}

  public static void register(Javalin app, XdsProjector projector) {
    app.get("/api/v1/accounts/{account}/gateways/{namespace}/{name}/revisions", ctx -> {
      String gatewayId = AggregateIds.gateway(ctx.pathParam("account"), ctx.pathParam("namespace"),
          ctx.pathParam("name"));
      List<XdsProjector.RevisionView> revisions = projector.revisions(gatewayId);
      if (revisions.isEmpty()) {
        throw new NotFoundResponse("gateway " + gatewayId + " has no Envoy configuration revision on this xDS projector");
      }
      ctx.json(revisions);
    });
    app.get("/api/v1/receipts/{commandId}", ctx -> ctx.json(projector.receipt(ctx.pathParam("commandId"))));
  }
}
