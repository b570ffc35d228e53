package org.epicgateway.api.audit;

import java.time.Instant;
import org.epicgateway.schemas.avro.EventEnvelope;

/**
 * Filters of {@code GET /api/v1/audit}; every filter is optional. {@code from} is inclusive, {@code to} exclusive,
 * both on the event's own timestamp.
 */
public record AuditQuery(String account, String aggregateId, String actorId, Instant from, Instant to, int limit) {

    boolean matches(EventEnvelope e) {
        return (account == null || account.equals(e.getAccount()))
            && (aggregateId == null || aggregateId.equals(e.getAggregateId()))
            && (actorId == null || actorId.equals(e.getActor().getId()))
            && (from == null || !e.getTimestamp().isBefore(from))
            && (to == null || e.getTimestamp().isBefore(to));
    }
}
