package org.epicgateway.api.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import org.epicgateway.api.ApiError;
import org.epicgateway.api.HttpSupport;
import org.epicgateway.api.auth.Principal;
import org.epicgateway.schemas.avro.EventEnvelope;

/**
 * {@code GET /api/v1/audit?account=&aggregate=&actor=&from=&to=&limit=&cursor=}. Tenants see only events of their own
 * account; asking for another account is 403. Password hashes in ApiUserAdded are redacted.
 */
public final class AuditHandler {
    private final AuditLog log;

    public AuditHandler(AuditLog log) {
        this.log = log;
    }

    public void list(Context ctx) {
        Principal principal = HttpSupport.principal(ctx);
        String account = ctx.queryParam("account");
        if (!principal.admin()) {
            if (account != null && !account.equals(principal.account())) {
                throw ApiError.forbidden("user " + principal.qualifiedName() + " may not read the audit log of account '"
                    + account + "'");
            }
            account = principal.account();
        }
        AuditQuery query = new AuditQuery(account, ctx.queryParam("aggregate"), ctx.queryParam("actor"),
            instant(ctx, "from"), instant(ctx, "to"), HttpSupport.limit(ctx));
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

    static ObjectNode render(EventEnvelope e) {
        ObjectNode o = HttpSupport.JSON.createObjectNode()
            .put("eventId", e.getEventId())
            .put("type", e.getPayload().getClass().getSimpleName())
            .put("aggregateType", e.getAggregateType())
            .put("aggregateId", e.getAggregateId())
            .put("sequence", e.getSequence())
            .put("timestamp", e.getTimestamp().toString())
            .put("account", e.getAccount())
            .put("correlationId", e.getCorrelationId())
            .put("causationId", e.getCausationId())
            .put("previousHash", hex(e.getPreviousHash()));
        ObjectNode actor = o.putObject("actor").put("kind", e.getActor().getKind().name())
            .put("id", e.getActor().getId());
        actor.put("account", e.getActor().getAccount());
        o.set("payload", payload(e));
        return o;
    }

    /** The event payload as JSON: Avro's own JSON rendering of the record, minus secrets. */
    private static ObjectNode payload(EventEnvelope e) {
        try {
            ObjectNode payload = (ObjectNode) HttpSupport.JSON.readTree(e.getPayload().toString());
            payload.remove("passwordHash");
            return payload;
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("event " + e.getEventId() + " payload did not render as JSON", ex);
        }
    }

    private static String hex(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static Instant instant(Context ctx, String name) {
        String raw = ctx.queryParam(name);
        if (raw == null) {
            return null;
        }
        try {
            return Instant.parse(raw);
        } catch (DateTimeParseException e) {
            throw ApiError.badRequest(name + " must be an ISO-8601 instant such as 2026-11-22T04:00:00Z", name);
        }
    }
}
