package org.epicgateway.api.resources;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import org.epicgateway.api.ApiError;
import org.epicgateway.api.Commands;
import org.epicgateway.api.HttpSupport;
import org.epicgateway.api.auth.Principal;
import org.epicgateway.projections.topology.AggregateQueries;
import org.epicgateway.schemas.AggregateId;
import org.epicgateway.schemas.AggregateIds;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.GatewayState;
import org.epicgateway.schemas.avro.SetGatewaySharing;

/**
 * The owner of a shared gateway grants another account's routes attachment to it ({@code PUT}) or revokes that
 * ({@code DELETE}): {@code /accounts/{account}/gateways/{namespace}/{name}/sharing/{grantee}}. Only the owner's users
 * (or an admin) reach it (403 otherwise); the decider judges the rest (a gateway without sharing key, an unknown
 * grantee, the owner itself). Granting what is granted, or revoking what is not, records nothing. A grantee finds a
 * gateway shared with it by its sharing key ({@code GET /accounts/{account}/shared-gateways?sharingKey=}).
 */
public final class SharingHandlers {
    private final Commands commands;
    private final AggregateQueries queries;

    public SharingHandlers(Commands commands, AggregateQueries queries) {
        this.commands = commands;
        this.queries = queries;
    }

    public void grant(Context ctx) {
        set(ctx, true);
    }

    public void revoke(Context ctx) {
        set(ctx, false);
    }

    private void set(Context ctx, boolean granted) {
        Principal principal = HttpSupport.principal(ctx);
        String gatewayId = ResourceHandlers.liveGateway(ctx, queries);
        Long expected = HttpSupport.ifMatch(ctx);
        String commandId = HttpSupport.commandId(ctx);
        String requestHash = HttpSupport.requestHash(ctx);
        SetGatewaySharing payload = new SetGatewaySharing(ctx.pathParam("grantee"), granted);
        HttpSupport.written(ctx, 200, commands.decided(commandId, requestHash).orElseGet(() ->
            commands.submit(principal, commandId, requestHash, AggregateIds.parse(gatewayId), expected, payload)));
    }

    /**
     * The gateway of another account that carries {@code ?sharingKey=} and is shared with {@code {account}}: its
     * owner, namespace and name, nothing else of the owner (its listeners, routes and grants stay the owner's). 404
     * when no such gateway is shared with the account, one answer whether the key exists elsewhere or not. Keys are
     * not indexed by value, so this scans every account's gateways: a controller asks once per round per Gateway
     * joined by key.
     */
    public void sharedWith(Context ctx) {
        String account = ResourceHandlers.account(ctx, HttpSupport.principal(ctx));
        String sharingKey = ctx.queryParam("sharingKey");
        if (sharingKey == null || sharingKey.isEmpty()) {
            throw ApiError.badRequest("sharingKey is required", "sharingKey");
        }
        String after = null;
        do {
            AggregateQueries.Page page = queries.list(AggregateType.GATEWAY, null, after, 1000);
            for (AggregateState s : page.items()) {
                GatewayState g = (GatewayState) s.getResource();
                if (sharingKey.equals(g.getSharingKey()) && g.getSharedWith().contains(account)) {
                    AggregateId id = AggregateIds.parse(s.getAggregateId());
                    ObjectNode out = SpecJson.JSON.objectNode().put("owner", id.account())
                        .put("namespace", id.namespace()).put("name", id.name());
                    ctx.json(out);
                    return;
                }
            }
            after = page.nextPageToken();
        } while (after != null);
        throw ApiError.notFound("no gateway of another account with sharing key '" + sharingKey
            + "' is shared with account '" + account + "'");
    }
}
