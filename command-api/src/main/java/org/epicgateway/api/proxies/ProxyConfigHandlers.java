package org.epicgateway.api.proxies;

import io.javalin.http.Context;
import org.epicgateway.api.ApiError;
import org.epicgateway.api.HttpSupport;
import org.epicgateway.api.auth.Principal;
import org.epicgateway.api.resources.ResourceHandlers;
import org.epicgateway.projections.topology.AggregateQueries;
import org.epicgateway.schemas.AggregateIds;
import org.epicgateway.schemas.avro.CommandResult;

/**
 * Revisions and receipts behind the API's authentication. A tenant sees the revisions of its own account's gateways
 * (403 for another account, 404 for a gateway its account does not have) and the receipts of its own account's
 * commands. A command's account is that of the aggregate it targeted, read from the decider's result for the command
 * id (the same store that answers retries), so no scan of epic.events is needed; commands on accountless aggregates
 * (pools, templates) are admins' only.
 */
public final class ProxyConfigHandlers {
    private final ProxyConfigQueries proxies;
    private final AggregateQueries queries;

    public ProxyConfigHandlers(ProxyConfigQueries proxies, AggregateQueries queries) {
        this.proxies = proxies;
        this.queries = queries;
    }

    public void revisions(Context ctx) {
        String account = ResourceHandlers.account(ctx, HttpSupport.principal(ctx));
        String gatewayId;
        try {
            gatewayId = AggregateIds.gateway(account, ctx.pathParam("namespace"), ctx.pathParam("name"));
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage(), "name");
        }
        if (queries.get(gatewayId).filter(s -> !s.getDeleted()).isEmpty()) {
            throw ApiError.notFound("no gateway " + gatewayId);
        }
        ctx.json(proxies.revisions(gatewayId));
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
