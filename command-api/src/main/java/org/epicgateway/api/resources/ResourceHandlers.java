package org.epicgateway.api.resources;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
import org.epicgateway.schemas.avro.NodeKind;
import org.epicgateway.schemas.avro.NodeState;
import org.epicgateway.schemas.avro.TemplateState;
import org.epicgateway.schemas.avro.CommandResult;

/**
 * Create, replace, delete, get and list for any {@link ResourceKind}. Writes go through the decider; reads come from
 * the aggregate-state store. Tenant kinds live under {@code /accounts/{account}/...}: a tenant may only use its own
 * account (403 otherwise, whether or not the resource exists), and a missing resource in its own account is 404.
 */
public final class ResourceHandlers {
    private final ResourceKind kind;
    private final Commands commands;
    private final AggregateQueries queries;

    public ResourceHandlers(ResourceKind kind, Commands commands, AggregateQueries queries) {
        this.kind = kind;
        this.commands = commands;
        this.queries = queries;
    }

    /** POST: the body names the resource; 409 when it exists (a deleted one may be created again). */
    public void create(Context ctx) {
        Principal principal = HttpSupport.principal(ctx);
        String commandId = HttpSupport.commandId(ctx);
        String requestHash = HttpSupport.requestHash(ctx);
        Target target = new Target(account(ctx, principal), namespaceParam(ctx), null);
        ResourceKind.Command command = JsonFields.of(HttpSupport.body(ctx)).read(f -> kind.create().apply(f, target));
        CompletableFuture<CommandResult> result = commands.decided(commandId, requestHash).orElseGet(() -> {
            Optional<AggregateState> existing = queries.get(command.target().toString());
            if (existing.isPresent() && !existing.get().getDeleted()) {
                throw ApiError.conflict("CONFLICT", kind.title() + " " + command.target() + " already exists", null);
            }
            // Version 0 means "must not exist"; re-creating a deleted one continues its event chain.
            long expected = existing.map(AggregateState::getVersion).orElse(0L);
            return commands.submit(principal, commandId, requestHash, command.target(), expected, command.payload());
        });
        String location = ctx.path() + "/" + command.target().name()
            + (kind.tenantScoped() ? "?namespace=" + command.target().namespace() : "");
        HttpSupport.written(ctx, 201, result.thenApply(r -> {
            ctx.header("Location", location);
            return r;
        }));
    }

    /** PUT: replaces an existing resource; {@code If-Match} makes it conditional on the version. */
    public void replace(Context ctx) {
        Principal principal = HttpSupport.principal(ctx);
        AggregateId id = id(ctx, principal);
        Target target = new Target(id.account(), namespaceParam(ctx), id.name());
        Long expected = HttpSupport.ifMatch(ctx);
        String commandId = HttpSupport.commandId(ctx);
        String requestHash = HttpSupport.requestHash(ctx);
        var payload = JsonFields.of(HttpSupport.body(ctx)).read(f -> kind.replace().apply(f, target));
        HttpSupport.written(ctx, 200, commands.decided(commandId, requestHash).orElseGet(() -> {
            live(id);
            return commands.submit(principal, commandId, requestHash, id, expected, payload);
        }));
    }

    public void delete(Context ctx) {
        Principal principal = HttpSupport.principal(ctx);
        AggregateId id = id(ctx, principal);
        Long expected = HttpSupport.ifMatch(ctx);
        String commandId = HttpSupport.commandId(ctx);
        String requestHash = HttpSupport.requestHash(ctx);
        HttpSupport.written(ctx, 200, commands.decided(commandId, requestHash).orElseGet(() -> {
            live(id);
            return commands.submit(principal, commandId, requestHash, id, expected, kind.delete().apply(id));
        }));
    }

    public void get(Context ctx) {
        AggregateState state = live(id(ctx, HttpSupport.principal(ctx)));
        ctx.header("ETag", HttpSupport.etag(state.getVersion()));
        ctx.json(render(state));
    }

    /**
     * A page of live resources in aggregate-id order: {@code ?limit=} and {@code ?after=} (the previous page's
     * {@code next}); tenant kinds filter by {@code ?namespace=} and by {@code ?owner=} (the workload cluster that
     * wrote them: what a controller's resync compares with its cluster) and gateways by {@code ?sharingKey=} (how
     * another cluster's controller finds a shared gateway) when given.
     */
    public void list(Context ctx) {
        String account = account(ctx, HttpSupport.principal(ctx));
        String namespace = namespaceParam(ctx);
        String owner = ctx.queryParam("owner");
        String sharingKey = ctx.queryParam("sharingKey");
        int limit = HttpSupport.limit(ctx);
        String token = ctx.queryParam("after");
        List<AggregateState> found = new ArrayList<>();
        boolean more = true;
        // The store pages by aggregate id; a namespace filter may need several store pages to fill one.
        while (found.size() < limit && more) {
            AggregateQueries.Page page;
            try {
                page = queries.list(kind.type(), account, token, limit);
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest(e.getMessage(), "after");
            }
            more = page.nextPageToken() != null;
            for (int i = 0; i < page.items().size() && found.size() < limit; i++) {
                AggregateState s = page.items().get(i);
                token = s.getAggregateId();
                if ((namespace == null || namespace.equals(AggregateIds.parse(token).namespace()))
                    && (owner == null || owner.equals(s.getOwner()))
                    && (sharingKey == null || s.getResource() instanceof GatewayState g
                        && sharingKey.equals(g.getSharingKey()))) {
                    found.add(s);
                }
                more |= i < page.items().size() - 1 && found.size() == limit;
            }
        }
        String next = more ? token : null;
        ObjectNode out = SpecJson.JSON.objectNode();
        ArrayNode items = out.putArray("items");
        found.forEach(s -> items.add(render(s)));
        if (next != null) {
            out.put("next", next);
        } else {
            out.putNull("next");
        }
        ctx.json(out);
    }

    /**
     * {@code {kind, aggregateId, version, updatedAt, owner, spec}} (owner: the workload cluster that wrote it, or
     * null); spec mirrors the Avro state record. A gateway also has
     * {@code placement}: its replicas as the provisioner reported them and the latest problem (the Gateway API
     * conditions are at {@code .../status}).
     */
    public ObjectNode render(AggregateState state) {
        ObjectNode o = SpecJson.JSON.objectNode()
            .put("kind", kind.title())
            .put("aggregateId", state.getAggregateId())
            .put("version", state.getVersion())
            .put("updatedAt", state.getUpdatedAt().toString())
            .put("owner", state.getOwner());
        o.set("spec", kind.render().apply(state.getResource()));
        if (kind.type() == AggregateType.GATEWAY) {
            AggregateId id = AggregateIds.parse(state.getAggregateId());
            int wanted = queries.get(AggregateIds.template(((GatewayState) state.getResource()).getTemplate()))
                .map(t -> ((TemplateState) t.getResource()).getReplicas()).orElse(0);
            o.set("placement", Gateways.placement(queries.get(AggregateIds.placement(id.account(), id.namespace(), id.name())),
                wanted, this::liveEpicNodes));
        }
        return o;
    }

    private int liveEpicNodes() {
        int live = 0;
        String after = null;
        do {
            AggregateQueries.Page page = queries.list(AggregateType.NODE, null, after, 1000);
            for (AggregateState s : page.items()) {
                NodeState n = (NodeState) s.getResource();
                live += n.getKind() == NodeKind.EPIC && !n.getLost() ? 1 : 0;
            }
            after = page.nextPageToken();
        } while (after != null);
        return live;
    }

    private AggregateState live(AggregateId id) {
        return queries.get(id.toString()).filter(s -> !s.getDeleted())
            .orElseThrow(() -> ApiError.notFound(kind.title() + " " + id + " does not exist"));
    }

    private AggregateId id(Context ctx, Principal principal) {
        String account = account(ctx, principal);
        String name = kind.type() == AggregateType.ACCOUNT ? account : ctx.pathParam("name");
        try {
            return new AggregateId(kind.type(), account, kind.tenantScoped() ? namespace(ctx) : null, name);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage(), "name");
        }
    }

    /** The id of the gateway the path names: 403 for another account, 404 unless it exists and is not deleted. */
    public static String liveGateway(Context ctx, AggregateQueries queries) {
        String account = account(ctx, HttpSupport.principal(ctx));
        String gatewayId;
        try {
            gatewayId = AggregateIds.gateway(account, ctx.pathParam("namespace"), ctx.pathParam("name"));
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage(), "name");
        }
        if (queries.get(gatewayId).filter(s -> !s.getDeleted()).isEmpty()) {
            throw ApiError.notFound("no gateway " + gatewayId);
        }
        return gatewayId;
    }

    /** The {account} path segment (null when the route has none), which a tenant may only use for its own account. */
    public static String account(Context ctx, Principal principal) {
        if (!ctx.pathParamMap().containsKey("account")) {
            return null;
        }
        String account = ctx.pathParam("account");
        if (!principal.admin() && !principal.account().equals(account)) {
            throw ApiError.forbidden("user " + principal.qualifiedName() + " may not use account '" + account + "'");
        }
        return account;
    }

    private String namespaceParam(Context ctx) {
        String ns = ctx.queryParam("namespace");
        if (ns != null && (ns.isEmpty() || ns.contains("/"))) {
            throw ApiError.badRequest("namespace must be a non-empty name without '/'", "namespace");
        }
        return kind.tenantScoped() ? ns : null;
    }

    private String namespace(Context ctx) {
        String ns = namespaceParam(ctx);
        return ns != null ? ns : Target.DEFAULT_NAMESPACE;
    }
}
