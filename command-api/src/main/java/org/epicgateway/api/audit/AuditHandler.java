package org.epicgateway.api.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import org.epicgateway.api.ApiError;
import org.epicgateway.api.HttpSupport;
import org.epicgateway.api.auth.Principal;
import org.epicgateway.projections.audit.AuditScope;
import org.epicgateway.projections.audit.ChainVerifier;
import org.epicgateway.projections.audit.Diff;
import org.epicgateway.projections.audit.EventLog;
import org.epicgateway.projections.audit.Progress;
import org.epicgateway.projections.audit.Replay;
import org.epicgateway.projections.audit.StateAt;
import org.epicgateway.schemas.AggregateIds;
import org.epicgateway.schemas.EventSeals;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.json.AvroJson;

/**
 * The audit endpoints. {@code GET /api/v1/audit?account=&aggregate=&actor=&from=&to=&limit=&cursor=} pages events;
 * {@code /audit/replay?at=&gateway=} and {@code /audit/diff?from=&to=&gateway=} answer what {@code ./epic audit
 * replay|diff} answer, with the same code. Tenants see only their own account (asking for another is 403); password
 * hashes never leave through this API, whether in an event or in a replayed account.
 */
public final class AuditHandler {
    private final AuditLog log;
    private final EventLog history;
    private final EventSeals seals;

    /** @param seals the audit chain key the decider seals events with, for {@link #verify} */
    public AuditHandler(AuditLog log, EventLog history, EventSeals seals) {
        this.log = log;
        this.history = history;
        this.seals = seals;
    }

    /**
     * Walks the hash chain and seals of every aggregate in scope ({@code ./epic audit verify}'s check): a tenant's
     * own account's aggregates, an admin's asked account or the whole log. Chains are per aggregate, so checking a
     * subset of aggregates is the same check on each. Reads the whole log.
     */
    public void verify(Context ctx) {
        String account = account(ctx, ctx.queryParam("account"));
        ChainVerifier verifier = new ChainVerifier(seals);
        history.readEvents(Progress.silent(), e -> {
            if (account == null || inAccount(e.key(), account)) {
                verifier.check(e);
            }
        });
        ChainVerifier.Result result = verifier.result();
        ObjectNode out = HttpSupport.JSON.createObjectNode().put("intact", result.intact())
            .put("eventsChecked", result.eventsChecked()).put("aggregates", result.aggregates());
        out.set("firstBreak", HttpSupport.JSON.valueToTree(result.firstBreak().orElse(null)));
        ctx.json(out);
    }

    private static boolean inAccount(String aggregateId, String account) {
        try {
            return account.equals(AggregateIds.parse(aggregateId).account());
        } catch (IllegalArgumentException e) {
            return false; // a key that names no aggregate is no account's
        }
    }

    public void list(Context ctx) {
        String account = account(ctx, ctx.queryParam("account"));
        AuditQuery query = new AuditQuery(account, ctx.queryParam("aggregate"), ctx.queryParam("actor"),
            instant(ctx, "from", false), instant(ctx, "to", false), HttpSupport.limit(ctx));
        AuditLog.Page page = log.query(query, ctx.queryParam("cursor"));
        ObjectNode out = HttpSupport.JSON.createObjectNode();
        ArrayNode items = out.putArray("items");
        page.events().forEach(e -> items.add(render(e)));
        if (page.next() != null) {
            out.put("next", page.next());
        } else {
            out.putNull("next");
        }
        ctx.json(out);
    }

    /** The state, and each gateway's derived Envoy configuration, as they were at {@code at}. Reads the whole log. */
    public void replay(Context ctx) {
        Instant at = instant(ctx, "at", true);
        AuditScope scope = scope(ctx);
        StateAt world = new StateAt(at);
        history.readEvents(Progress.silent(), e -> {
            if (e.event() != null) {
                world.accept(e);
            }
        });
        ctx.json(redact(Replay.snapshot(world, scope)));
    }

    /** What changed between {@code from} and {@code to}, field by field, with the events that did it. */
    public void diff(Context ctx) {
        Instant from = instant(ctx, "from", true);
        Instant to = instant(ctx, "to", true);
        if (!to.isAfter(from)) {
            throw ApiError.badRequest("to (" + to + ") must be after from (" + from + ")", "to");
        }
        AuditScope scope = scope(ctx);
        Diff diff = new Diff(from, to);
        history.readEvents(Progress.silent(), e -> {
            if (e.event() != null) {
                diff.accept(e);
            }
        });
        ctx.json(redact(diff.report(scope)));
    }

    /** The account a request may read: a tenant's own (another is 403), any or all for an admin. */
    private static String account(Context ctx, String asked) {
        Principal principal = HttpSupport.principal(ctx);
        if (principal.admin()) {
            return asked;
        }
        if (asked != null && !asked.equals(principal.account())) {
            throw ApiError.forbidden("user " + principal.qualifiedName() + " may not read the audit log of account '"
                + asked + "'");
        }
        return principal.account();
    }

    /** {@code gateway} is {@code name} or {@code namespace/name} in the account, or {@code account/namespace/name}. */
    private static AuditScope scope(Context ctx) {
        String account = account(ctx, ctx.queryParam("account"));
        String gateway = ctx.queryParam("gateway");
        if (gateway == null) {
            return new AuditScope(account, null);
        }
        String[] parts = gateway.split("/", -1);
        String id;
        try {
            id = switch (parts.length) {
                case 1 -> AggregateIds.gateway(required(account), "default", parts[0]);
                case 2 -> AggregateIds.gateway(required(account), parts[0], parts[1]);
                case 3 -> AggregateIds.gateway(parts[0], parts[1], parts[2]);
                default -> throw new IllegalArgumentException("expected name, namespace/name or account/namespace/name");
            };
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("gateway '" + gateway + "': " + e.getMessage(), "gateway");
        }
        String gatewayAccount = AggregateIds.parse(id).account();
        return new AuditScope(account(ctx, gatewayAccount), id);
    }

    private static String required(String account) {
        if (account == null) {
            throw new IllegalArgumentException("name the account too (account/namespace/name or ?account=)");
        }
        return account;
    }

    static ObjectNode render(EventEnvelope e) {
        ObjectNode o = HttpSupport.JSON.createObjectNode().put("type", e.getPayload().getClass().getSimpleName());
        o.setAll(AvroJson.toJson(e));
        return (ObjectNode) redact(o);
    }

    /** Drops every password hash, and every diff entry about one, from an audit answer. */
    static JsonNode redact(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.remove("passwordHash");
            object.forEach(AuditHandler::redact);
        } else if (node instanceof ArrayNode array) {
            for (Iterator<JsonNode> it = array.iterator(); it.hasNext(); ) {
                JsonNode item = it.next();
                if (item.path("path").asText().endsWith("passwordHash")) {
                    it.remove();
                } else {
                    redact(item);
                }
            }
        }
        return node;
    }

    private static Instant instant(Context ctx, String name, boolean required) {
        String raw = ctx.queryParam(name);
        if (raw == null) {
            if (required) {
                throw ApiError.badRequest(name + " is required: an ISO-8601 instant such as 2026-11-22T04:00:00Z", name);
            }
            return null;
        }
        try {
            return Instant.parse(raw);
        } catch (DateTimeParseException e) {
            throw ApiError.badRequest(name + " must be an ISO-8601 instant such as 2026-11-22T04:00:00Z", name);
        }
    }
}
