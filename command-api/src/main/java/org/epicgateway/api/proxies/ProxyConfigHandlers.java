package org.epicgateway.api.proxies;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.List;
import java.util.Optional;
import org.epicgateway.api.ApiError;
import org.epicgateway.api.HttpSupport;
import org.epicgateway.api.auth.Principal;
import org.epicgateway.api.resources.ResourceHandlers;
import org.epicgateway.projections.status.StatusDerivation;
import org.epicgateway.projections.topology.AggregateQueries;
import org.epicgateway.schemas.AggregateId;
import org.epicgateway.schemas.AggregateIds;
import org.epicgateway.schemas.avro.PlacementState;
import org.epicgateway.schemas.avro.CommandResult;
import org.epicgateway.schemas.avro.GatewayState;
import org.epicgateway.schemas.avro.GatewayView;

/**
 * Revisions and receipts behind the API's authentication. A tenant sees the revisions of its own account's gateways
 * (403 for another account, 404 for a gateway its account does not have) and the receipts of its own account's
 * commands. A command's account is that of the aggregate it targeted, read from the decider's result for the command
 * id (the same store that answers retries), so no scan of epic.events is needed; commands on accountless aggregates
 * (pools, templates) are admins' only.
 */
public final class ProxyConfigHandlers {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private final ProxyConfigQueries proxies;
    private final AggregateQueries queries;

    public ProxyConfigHandlers(ProxyConfigQueries proxies, AggregateQueries queries) {
        this.proxies = proxies;
        this.queries = queries;
    }

    /** The provisioner's latest reason a replica of the gateway does not run, as the placement records it, or null. */
    private String replicaProblem(String gatewayId) {
        AggregateId id = AggregateIds.parse(gatewayId);
        return queries.get(AggregateIds.placement(id.account(), id.namespace(), id.name()))
            .map(s -> s.getResource() instanceof PlacementState p ? p.getProblem() : null)
            .map(p -> "replica " + p.getInstance() + " on node " + p.getNode() + " does not run: " + p.getReason())
            .orElse(null);
    }

    public void revisions(Context ctx) {
        ctx.json(proxies.revisions(ResourceHandlers.liveGateway(ctx, queries)));
    }

    /**
     * The Gateway API status of a gateway and of every route naming it, as a workload controller writes it back:
     * conditions with the spec's types, statuses ("True"/"False") and reasons, the listeners' supportedKinds and
     * attachedRoutes, and the gateway's and each route's aggregate version the status was derived from (a controller
     * sets observedGeneration only once the version it wrote is reflected). 404 until the view projection has the
     * gateway's view.
     */
    public void status(Context ctx) {
        String gatewayId = ResourceHandlers.liveGateway(ctx, queries);
        ProxyConfigQueries.StatusInputs in = proxies.status(gatewayId)
            .orElseThrow(() -> ApiError.notFound("no view of gateway " + gatewayId + " yet; retry shortly"));
        GatewayView view = in.view();
        StatusDerivation.GatewayStatus derived = StatusDerivation.derive(view);
        ObjectNode out = JSON.objectNode().put("gatewayId", gatewayId).put("gatewayVersion", view.getGatewayVersion());
        ArrayNode addresses = out.putArray("addresses");
        derived.addresses().forEach(addresses::add);
        conditions(out.putArray("conditions"), StatusDerivation.gatewayConditions(view, in.progress(), replicaProblem(gatewayId)));
        ArrayNode listeners = out.putArray("listeners");
        for (int i = 0; i < derived.listeners().size(); i++) {
            StatusDerivation.ListenerStatus l = derived.listeners().get(i);
            ObjectNode o = listeners.addObject().put("name", l.name()).put("attachedRoutes", l.attachedRoutes());
            ArrayNode kinds = o.putArray("supportedKinds");
            StatusDerivation.supportedKinds(view.getGateway().getListeners().get(i)).forEach(kinds::add);
            conditions(o.putArray("conditions"), l.conditions());
        }
        routes(out.putArray("routes"), derived, in, view.getGateway().getAccount());
        ctx.json(out);
    }

    /**
     * The status of the shared gateway {@code {owner}/{namespace}/{name}} for the routes of {@code {account}}, which
     * its owner granted: the gateway's addresses and conditions (what the account's controller writes on the Gateway
     * standing for it) and the account's own routes; nothing of the owner's listeners or routes. 404 when the gateway
     * is not there or not shared with the account, one answer for both.
     */
    public void sharedStatus(Context ctx) {
        String account = ResourceHandlers.account(ctx, HttpSupport.principal(ctx));
        String gatewayId;
        try {
            gatewayId = AggregateIds.gateway(ctx.pathParam("owner"), ctx.pathParam("namespace"), ctx.pathParam("name"));
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage(), "name");
        }
        boolean granted = queries.get(gatewayId).filter(s -> !s.getDeleted())
            .map(s -> ((GatewayState) s.getResource()).getSharedWith().contains(account)).orElse(false);
        ProxyConfigQueries.StatusInputs in = (granted ? proxies.status(gatewayId)
            : Optional.<ProxyConfigQueries.StatusInputs>empty()).orElseThrow(() -> ApiError.notFound("no gateway " + gatewayId + " is shared with account '" + account
                + "' (or it has no view yet)"));
        GatewayView view = in.view();
        ObjectNode out = JSON.objectNode().put("gatewayId", gatewayId);
        ArrayNode addresses = out.putArray("addresses");
        StatusDerivation.GatewayStatus derived = StatusDerivation.derive(view);
        derived.addresses().forEach(addresses::add);
        conditions(out.putArray("conditions"), StatusDerivation.gatewayConditions(view, in.progress(), null));
        routes(out.putArray("routes"), derived, in, account);
        ctx.json(out);
    }

    /** The route parents of {@code account}'s routes, each with the route's version the status was derived from. */
    private static void routes(ArrayNode into, StatusDerivation.GatewayStatus derived,
                               ProxyConfigQueries.StatusInputs in, String account) {
        for (StatusDerivation.RouteParentStatus r : derived.routes()) {
            if (!r.account().equals(account)) {
                continue;
            }
            String routeId = AggregateIds.route(r.kind(), r.account(), r.namespace(), r.name());
            ObjectNode o = into.addObject().put("kind", r.kind()).put("namespace", r.namespace()).put("name", r.name())
                .put("version", in.routeVersions().getOrDefault(routeId, 0L));
            ObjectNode parent = o.putObject("parentRef").put("name", r.parentRef().getName());
            if (r.parentRef().getAccount() != null) {
                parent.put("account", r.parentRef().getAccount());
            }
            if (r.parentRef().getNamespace() != null) {
                parent.put("namespace", r.parentRef().getNamespace());
            }
            if (r.parentRef().getSectionName() != null) {
                parent.put("sectionName", r.parentRef().getSectionName());
            }
            if (r.parentRef().getPort() != null) {
                parent.put("port", r.parentRef().getPort());
            }
            conditions(o.putArray("conditions"), List.of(r.accepted(), r.resolvedRefs()));
        }
    }

    private static void conditions(ArrayNode into, List<StatusDerivation.Condition> conditions) {
        for (StatusDerivation.Condition c : conditions) {
            into.addObject().put("type", c.type()).put("status", c.status() ? "True" : "False")
                .put("reason", c.reason()).put("message", c.message());
        }
    }

    public void receipt(Context ctx) {
        String commandId = ctx.pathParam("commandId");
        CommandResult result = queries.decided(commandId)
            .orElseThrow(() -> ApiError.notFound("no command " + commandId + " was decided"));
        Principal principal = HttpSupport.principal(ctx);
        String account = AggregateIds.parse(result.getAggregateId()).account();
        if (!principal.admin() && !principal.account().equals(account)) {
            throw ApiError.forbidden("user " + principal.qualifiedName() + " may not read the receipt of command "
                + commandId + ", which is not of account '" + principal.account() + "'");
        }
        ctx.json(proxies.receipt(commandId));
    }
}
