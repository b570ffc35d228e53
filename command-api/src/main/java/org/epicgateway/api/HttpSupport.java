package org.epicgateway.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.epicgateway.api.auth.Principal;
import org.epicgateway.schemas.avro.CommandResult;

/** Small request/response helpers shared by the handlers: body parsing, paging, versions, the write answer. */
public final class HttpSupport {
    public static final ObjectMapper JSON = new ObjectMapper()
        .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
    static final String PRINCIPAL = "epic.principal";
    public static final int MAX_PAGE = 500;
    public static final int DEFAULT_PAGE = 100;
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    private static final Pattern IDEMPOTENCY_KEY_FORMAT = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private HttpSupport() {
    }

    /** The authenticated caller, set by the access wrapper of {@link CommandApi} before the handler runs. */
    public static Principal principal(Context ctx) {
        return ctx.attribute(PRINCIPAL);
    }

    /** The request body as JSON; 400 naming the problem when it is empty or not JSON. */
    public static JsonNode body(Context ctx) {
        String text = ctx.body();
        if (text.isBlank()) {
            throw ApiError.badRequest("request body is empty; a JSON object is required", null);
        }
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "MALFORMED_JSON", "request body is not valid JSON: " + e.getOriginalMessage(), null);
        }
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
