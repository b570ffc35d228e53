package org.epicgateway.api.resources;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import org.epicgateway.api.ApiError;
import org.epicgateway.api.Commands;
import org.epicgateway.api.HttpSupport;
import org.epicgateway.api.auth.Passwords;
import org.epicgateway.api.auth.Principal;
import org.epicgateway.projections.topology.AggregateQueries;
import org.epicgateway.schemas.AggregateId;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.avro.AccountState;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.RemoveApiUser;

/** API users and the gateway quota of an account: commands on the account aggregate. */
public final class AccountHandlers {
    private final Commands commands;
    private final AggregateQueries queries;
    private final Passwords passwords;

    public AccountHandlers(Commands commands, AggregateQueries queries, Passwords passwords) {
        this.commands = commands;
        this.queries = queries;
        this.passwords = passwords;
    }

    public void listUsers(Context ctx) {
        AccountState account = (AccountState) live(accountId(ctx)).getResource();
        ObjectNode page = SpecJson.JSON.objectNode();
        ArrayNode items = page.putArray("items");
        account.getUsers().forEach(u -> items.add(Accounts.render(u)));
        ctx.json(page);
    }

    public void addUser(Context ctx) {
        AggregateId id = accountId(ctx);
        Principal principal = HttpSupport.principal(ctx);
        String commandId = HttpSupport.commandId(ctx);
        String requestHash = HttpSupport.requestHash(ctx);
        var payload = JsonFields.of(HttpSupport.body(ctx)).read(f -> Accounts.user(f, id.account(), passwords));
        HttpSupport.written(ctx, 201, commands.decided(commandId, requestHash).orElseGet(() -> {
            live(id);
            return commands.submit(principal, commandId, requestHash, id, null, payload);
        }));
    }

    public void removeUser(Context ctx) {
        AggregateId id = accountId(ctx);
        String username = ctx.pathParam("username");
        Principal principal = HttpSupport.principal(ctx);
        Long expected = HttpSupport.ifMatch(ctx);
        String commandId = HttpSupport.commandId(ctx);
        String requestHash = HttpSupport.requestHash(ctx);
        HttpSupport.written(ctx, 200, commands.decided(commandId, requestHash).orElseGet(() -> {
            AccountState account = (AccountState) live(id).getResource();
            if (account.getUsers().stream().noneMatch(u -> u.getUsername().equals(username))) {
                throw ApiError.notFound("user '" + username + "' does not exist in account '" + id.account() + "'");
            }
            return commands.submit(principal, commandId, requestHash, id, expected, new RemoveApiUser(id.account(), username));
        }));
    }

    public void setQuota(Context ctx) {
        AggregateId id = accountId(ctx);
        Principal principal = HttpSupport.principal(ctx);
        Long expected = HttpSupport.ifMatch(ctx);
        String commandId = HttpSupport.commandId(ctx);
        String requestHash = HttpSupport.requestHash(ctx);
        var payload = JsonFields.of(HttpSupport.body(ctx)).read(f -> Accounts.quota(f, id.account()));
        HttpSupport.written(ctx, 200, commands.decided(commandId, requestHash).orElseGet(() -> {
            live(id);
            return commands.submit(principal, commandId, requestHash, id, expected, payload);
        }));
    }

    private AggregateId accountId(Context ctx) {
        Principal principal = HttpSupport.principal(ctx);
        String account = ResourceHandlers.account(ctx, principal);
        try {
            return new AggregateId(AggregateType.ACCOUNT, account, null, account);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage(), "account");
        }
    }

    private AggregateState live(AggregateId id) {
        return queries.get(id.toString()).filter(s -> !s.getDeleted())
            .orElseThrow(() -> ApiError.notFound("account '" + id.account() + "' does not exist"));
    }
}
