package org.epicgateway.api.resources;

import io.javalin.http.Context;
import org.epicgateway.api.Commands;
import org.epicgateway.api.HttpSupport;
import org.epicgateway.api.auth.Principal;
import org.epicgateway.projections.topology.AggregateQueries;
import org.epicgateway.schemas.AggregateIds;
import org.epicgateway.schemas.avro.SetGatewaySharing;

/**
 * The owner of a shared gateway grants another account's routes attachment to it ({@code PUT}) or revokes that
 * ({@code DELETE}): {@code /accounts/{account}/gateways/{namespace}/{name}/sharing/{grantee}}. Only the owner's users
 * (or an admin) reach it (403 otherwise); the decider judges the rest (a gateway without sharing key, an unknown
 * grantee, the owner itself). Granting what is granted, or revoking what is not, records nothing.
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
}
