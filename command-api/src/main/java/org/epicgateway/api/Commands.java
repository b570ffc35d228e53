package org.epicgateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.epicgateway.api.auth.Authenticator;
import org.epicgateway.api.auth.Principal;
import org.epicgateway.projections.decider.Decision;
import org.epicgateway.projections.topology.AggregateQueries;
import org.epicgateway.projections.topology.CommandBus;
import org.epicgateway.schemas.AggregateId;
import org.epicgateway.schemas.avro.Actor;
import org.epicgateway.schemas.avro.ActorKind;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.CommandResult;
import org.epicgateway.schemas.avro.Rejection;

/**
 * Submits commands through the decider's {@link CommandBus}; the futures complete with the outcome only once the
 * events are durable, so a write answers then and never earlier. A rejection becomes the matching 4xx; the decider appended nothing for it.
 *
 * <p>A write with an {@code Idempotency-Key} gets a command id derived from the caller and the key, so a client's
 * retry is the same command: the decider answers it with the first decision and appends nothing.
 */
public final class Commands {
    /** Seconds a client should wait before retrying after 429 (in-flight bound reached): about one decider batch. */
    static final int OVERLOAD_RETRY_AFTER_SECONDS = 1;
    /** Seconds before retrying while the decider is not running (it restarts or restores its store). */
    static final int UNAVAILABLE_RETRY_AFTER_SECONDS = 5;
    /** Prefix of command ids derived from an Idempotency-Key; every other id is a fresh UUID, never decided before. */
    private static final String IDEMPOTENT = "idem-";
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

    /** The actor of a command an authenticated API user sends: its workload cluster when it names one. */
    public static Actor actor(Principal principal) {
        return principal.cluster() != null ? new Actor(ActorKind.CLUSTER, principal.cluster(), principal.account())
            : new Actor(ActorKind.USER, principal.qualifiedName(), principal.account());
    }

    /**
     * The id of a caller's command: {@code idem-<hex SHA-256 of "<user>@<account>\n<endpoint>\n<key>">} for an
     * idempotency key, scoped to the caller and the endpoint so two users' (or tenants') keys never meet and a key
     * reused on another endpoint is another command; a fresh UUID without one.
     */
    public static String commandId(Principal principal, String idempotencyKey, String endpoint) {
        if (idempotencyKey == null) {
            return UUID.randomUUID().toString();
        }
        return IDEMPOTENT + Authenticator.sha256(principal.qualifiedName() + "\n" + endpoint + "\n" + idempotencyKey);
    }

    /** What a retry with the same key must repeat, hashed: the command id, the If-Match version, the body as parsed. */
    public static String requestHash(String commandId, String ifMatch, JsonNode body) {
        return Authenticator.sha256(commandId + "\n" + ifMatch + "\n" + (body == null ? "" : body.toString()));
    }

    /**
     * The answer to a retry whose command was already decided, before the handler's own checks (which the first
     * attempt has changed the outcome of, e.g. a created resource now exists): the result, or its rejection thrown;
     * 422 when the key was used for a different request ({@code requestHash} differs, {@link Decision#retry}).
     */
    public Optional<CompletableFuture<CommandResult>> decided(String commandId, String requestHash) {
        if (!commandId.startsWith(IDEMPOTENT)) {
            return Optional.empty();
        }
        return queries.decided(commandId).map(earlier -> acceptedOrThrow(Decision.retry(earlier, requestHash)))
            .map(CompletableFuture::completedFuture);
    }

    /**
     * Submits as the caller. The future completes with the result of an accepted command once its events are
     * durable, or fails with an {@link ApiError}: the rejection's 4xx, 429 when too many commands are in flight,
     * 503 when the decider is not running or gave no answer in time.
     */
    public CompletableFuture<CommandResult> submit(Principal principal, String commandId, String requestHash,
                                                   AggregateId target, Long expectedVersion, SpecificRecord payload) {
        return submit(actor(principal), commandId, requestHash, target, expectedVersion, payload);
    }

    public CompletableFuture<CommandResult> submit(Actor actor, String commandId, String requestHash,
                                                   AggregateId target, Long expectedVersion, SpecificRecord payload) {
        return answer(bus.submit(command(actor, commandId, requestHash, target, expectedVersion, payload), timeout),
            payload);
    }

    /** The command a caller's write becomes; {@code requestHash} is set when it carries an Idempotency-Key. */
    public static CommandEnvelope command(Actor actor, String commandId, String requestHash, AggregateId target,
                                          Long expectedVersion, SpecificRecord payload) {
        return CommandEnvelope.newBuilder()
            .setCommandId(commandId)
            .setActor(actor)
            // The decider re-checks that a tenant command only touches this account's aggregates; pools and
            // templates belong to no account.
            .setAccount(target.account())
            .setTargetAggregateId(target.toString())
            .setExpectedVersion(expectedVersion)
            .setTimestamp(Instant.now())
            .setPayload(payload)
            .setRequestHash(requestHash)
            .build();
    }

    /**
     * Several commands, sent together or not at all: when they do not fit in the in-flight bound (or the decider is
     * not running) this throws the 429 (503) and sends none. Each future is then answered like {@link #submit}.
     */
    public List<CompletableFuture<CommandResult>> submitAll(List<CommandEnvelope> commands) {
        List<CompletableFuture<CommandResult>> sent = bus.submitAll(commands, timeout);
        if (!sent.isEmpty() && sent.getFirst().isCompletedExceptionally()) {
            Throwable refused = sent.getFirst().exceptionNow();
            if (refused instanceof CommandBus.Overloaded || refused instanceof CommandBus.DeciderUnavailable) {
                throw failure(refused);
            }
        }
        List<CompletableFuture<CommandResult>> answers = new ArrayList<>(sent.size());
        for (int i = 0; i < sent.size(); i++) {
            answers.add(answer(sent.get(i), (SpecificRecord) commands.get(i).getPayload()));
        }
        return answers;
    }

    private CompletableFuture<CommandResult> answer(CompletableFuture<CommandResult> sent, SpecificRecord payload) {
        return sent.handle((result, error) -> {
            if (error != null) {
                throw failure(error instanceof CompletionException ? error.getCause() : error);
            }
            String outcome = result.getAccepted() ? "accepted" : result.getRejection().getCode().name();
            meters.counter("epic_api_commands", "command", payload.getClass().getSimpleName(), "outcome", outcome)
                .increment();
            return acceptedOrThrow(result);
        });
    }

    /** Why a command has no result, for the client: 429/503 ask it to retry later; nothing else was acknowledged. */
    private RuntimeException failure(Throwable error) {
        return switch (error) {
            case CommandBus.Overloaded o -> ApiError.tooManyRequests("too many commands in flight ("
                + o.getMessage() + "); nothing was done, retry later", OVERLOAD_RETRY_AFTER_SECONDS);
            case CommandBus.DeciderUnavailable u -> ApiError.unavailable("UNAVAILABLE", u.getMessage()
                + "; nothing was done, retry later", UNAVAILABLE_RETRY_AFTER_SECONDS);
            case TimeoutException t -> new ApiError(503, "TIMEOUT", t.getMessage() + "; it may still be applied "
                + "(check GET or /audit)", null);
            case RuntimeException r -> r;
            default -> new IllegalStateException(error);
        };
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
            case CONFLICT, QUOTA_EXCEEDED, POOL_EXHAUSTED, TUNNELS_EXHAUSTED -> 409;
            case FORBIDDEN -> 403;
            case TOO_LARGE -> 413;
            // The decider could not decide or write it (the command is in epic.dlq); retrying gives the same answer.
            case UNPROCESSABLE -> 422;
        };
        return new ApiError(status, r.getCode().name(), r.getMessage(), field);
    }
}
