package org.epicgateway.api;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.epicgateway.api.auth.Authenticator;
import org.epicgateway.api.auth.Principal;
import org.epicgateway.projections.topology.AggregateQueries;
import org.epicgateway.projections.topology.CommandBus;
import org.epicgateway.schemas.AggregateId;
import org.epicgateway.schemas.avro.Actor;
import org.epicgateway.schemas.avro.ActorKind;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.CommandResult;
import org.epicgateway.schemas.avro.Rejection;

/**
 * Submits one command through the decider's {@link CommandBus} and waits for its outcome, so a write answers only
 * once its events are durable. A rejection becomes the matching 4xx; the decider appended nothing for it.
 *
 * <p>A write with an {@code Idempotency-Key} gets a command id derived from the caller and the key, so a client's
 * retry is the same command: the decider answers it with the first decision and appends nothing.
 */
public final class Commands {
    private final CommandBus bus;
    private final AggregateQueries queries;
    private final Duration timeout;
    private final MeterRegistry meters;

    public Commands(CommandBus bus, AggregateQueries queries, Duration timeout, MeterRegistry meters) {
        this.bus = bus;
        this.queries = queries;
        this.timeout = timeout;
        this.meters = meters;
    }

    /** The actor of a command an authenticated API user sends. */
    public static Actor actor(Principal principal) {
        return new Actor(ActorKind.USER, principal.qualifiedName(), principal.account());
    }

    /**
     * The id of a caller's command: {@code idem-<hex SHA-256 of "<user>@<account>\n<key>">} for an idempotency key,
     * scoped to the caller so two users' (or tenants') keys never meet; a fresh UUID without one.
     */
    public static String commandId(Principal principal, String idempotencyKey) {
        if (idempotencyKey == null) {
            return UUID.randomUUID().toString();
        }
        return "idem-" + Authenticator.sha256(principal.qualifiedName() + "\n" + idempotencyKey);
    }

    /**
     * The answer to a retry whose command was already decided, before the handler's own checks (which the first
     * attempt has changed the outcome of, e.g. a created resource now exists): the result, or its rejection thrown.
     */
    public Optional<CommandResult> decided(String commandId) {
        return queries.decided(commandId).map(Commands::acceptedOrThrow);
    }

    /** Submits as the caller; the result of an accepted command, or an {@link ApiError} for a rejected one. */
    public CommandResult submit(Principal principal, String commandId, AggregateId target, Long expectedVersion,
                                SpecificRecord payload) {
        return submit(actor(principal), commandId, target, expectedVersion, payload);
    }

    public CommandResult submit(Actor actor, String commandId, AggregateId target, Long expectedVersion,
                                SpecificRecord payload) {
        CommandEnvelope command = CommandEnvelope.newBuilder()
            .setCommandId(commandId)
            .setActor(actor)
            // The decider re-checks that a tenant command only touches this account's aggregates; pools and
            // templates belong to no account.
            .setAccount(target.account())
            .setTargetAggregateId(target.toString())
            .setExpectedVersion(expectedVersion)
            .setTimestamp(Instant.now())
            .setPayload(payload)
            .build();
        CommandResult result;
        try {
            result = bus.submit(command, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for command " + command.getCommandId(), e);
        } catch (TimeoutException e) {
            throw new ApiError(503, "TIMEOUT", "no outcome for command " + command.getCommandId() + " within "
                + timeout.toSeconds() + " s; it may still be applied (check GET or /audit)", null);
        }
        String outcome = result.getAccepted() ? "accepted" : result.getRejection().getCode().name();
        meters.counter("epic_api_commands", "command", payload.getClass().getSimpleName(), "outcome", outcome).increment();
        return acceptedOrThrow(result);
    }

    private static CommandResult acceptedOrThrow(CommandResult result) {
        if (!result.getAccepted()) {
            throw rejected(result.getRejection());
        }
        return result;
    }

    /** Decider rejection codes to HTTP: invariants of current state are conflicts, bad content is 422. */
    static ApiError rejected(Rejection r) {
        String field = r.getField();
        int status = switch (r.getCode()) {
            case VALIDATION -> 422;
            // A missing target is 404; a missing *referenced* thing (template, pool, gateway) is bad content.
            case NOT_FOUND -> field == null || field.equals("targetAggregateId") ? 404 : 422;
            case CONFLICT, QUOTA_EXCEEDED, POOL_EXHAUSTED -> 409;
            case FORBIDDEN -> 403;
            case TOO_LARGE -> 413;
            // The decider could not decide or write it (the command is in epic.dlq); retrying gives the same answer.
            case UNPROCESSABLE -> 422;
        };
        return new ApiError(status, r.getCode().name(), r.getMessage(), field);
    }
}
