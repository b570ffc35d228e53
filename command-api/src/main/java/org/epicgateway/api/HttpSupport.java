package org.epicgateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.epicgateway.api.auth.Authenticator;
import org.epicgateway.api.auth.Principal;
import org.epicgateway.api.validation.StrictRequests;
import org.epicgateway.schemas.avro.CommandResult;

/** Small request/response helpers shared by the handlers: body parsing, paging, versions, the write answer. */
public final class HttpSupport {
    public static final ObjectMapper JSON = StrictRequests.JSON;
    static final String PRINCIPAL = "epic.principal";
    /** The request body, read, parsed and validated by {@link CommandApi} before the handler runs. */
    static final String BODY = "epic.body";
    public static final int MAX_PAGE = 500;
    public static final int DEFAULT_PAGE = 100;
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    public static final Pattern IDEMPOTENCY_KEY_FORMAT = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private HttpSupport() {
    }

    /** The authenticated caller, set by the access wrapper of {@link CommandApi} before the handler runs. */
    public static Principal principal(Context ctx) {
        return ctx.attribute(PRINCIPAL);
    }

    /** The request body as JSON, as {@link CommandApi} read and validated it for the route. */
    public static JsonNode body(Context ctx) {
        JsonNode body = ctx.attribute(BODY);
        return body != null ? body : StrictRequests.jsonBody(ctx, CommandApi.MAX_BODY_BYTES);
    }

    /** {@code If-Match: "<version>"} (quotes optional) as the command's expected version; null when absent. */
    public static Long ifMatch(Context ctx) {
        String header = ctx.header("If-Match");
        if (header == null) {
            return null;
        }
        String v = header.trim();
        if (v.startsWith("\"") && v.endsWith("\"") && v.length() >= 2) {
            v = v.substring(1, v.length() - 1);
        }
        try {
            long version = Long.parseLong(v);
            if (version < 0) {
                throw new NumberFormatException();
            }
            return version;
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("If-Match must be a resource version as returned in ETag, e.g. \"3\"", "If-Match");
        }
    }

    /** The optional {@code Idempotency-Key} of a write (1-128 of {@code [A-Za-z0-9._:-]}); null when absent. */
    public static String idempotencyKey(Context ctx) {
        String key = ctx.header(IDEMPOTENCY_KEY);
        if (key != null && !IDEMPOTENCY_KEY_FORMAT.matcher(key).matches()) {
            throw ApiError.badRequest(IDEMPOTENCY_KEY + " must be 1-128 characters of A-Z a-z 0-9 . _ : -",
                IDEMPOTENCY_KEY);
        }
        return key;
    }

    /**
     * The id of this write's command: with an {@code Idempotency-Key}, derived from the caller, the endpoint (method,
     * path, namespace) and the key, so a key means one request on one endpoint of one user; a fresh id without.
     */
    public static String commandId(Context ctx) {
        return Commands.commandId(principal(ctx), idempotencyKey(ctx), ctx.req().getMethod() + " " + ctx.path()
            + "?namespace=" + ctx.queryParam("namespace"));
    }

    /**
     * What an idempotent retry must repeat exactly, hashed: the command id (which covers the endpoint and key), the
     * If-Match version and the body as parsed (so whitespace does not count); null without a key.
     */
    public static String requestHash(Context ctx) {
        if (ctx.header(IDEMPOTENCY_KEY) == null) {
            return null;
        }
        return Commands.requestHash(commandId(ctx), ctx.header("If-Match"), ctx.attribute(BODY));
    }

    public static String etag(long version) {
        return "\"" + version + "\"";
    }

    /** The {@code limit} query parameter, 1..{@value #MAX_PAGE}, default {@value #DEFAULT_PAGE}. */
    public static int limit(Context ctx) {
        String raw = ctx.queryParam("limit");
        if (raw == null) {
            return DEFAULT_PAGE;
        }
        try {
            int limit = Integer.parseInt(raw);
            if (limit >= 1 && limit <= MAX_PAGE) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiError.badRequest("limit must be an integer between 1 and " + MAX_PAGE, "limit");
    }

    /**
     * Answers a write once its result is known, without a thread waiting meanwhile: {@code {commandId, aggregateId,
     * version}} plus the ETag, or the future's failure through the exception handlers.
     */
    public static void written(Context ctx, int status, CompletableFuture<CommandResult> result) {
        ctx.future(() -> result.thenAccept(r -> {
            ctx.status(status);
            ctx.header("ETag", etag(r.getVersion()));
            ctx.json(new WriteResult(r.getCommandId(), r.getAggregateId(), r.getVersion()));
        }));
    }

    public record WriteResult(String commandId, String aggregateId, long version) {
    }
}
