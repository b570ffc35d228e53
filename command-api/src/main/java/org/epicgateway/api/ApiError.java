package org.epicgateway.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A client-visible failure: HTTP status plus the JSON body {@code {"code","message","field"}}. Thrown anywhere in a
 * handler; {@link CommandApi} renders it. Everything a client can get wrong ends here, so bad input never becomes a 5xx.
 */
public final class ApiError extends RuntimeException {
    private final int status;
    private final String code;
    private final String field;
    /** Seconds for the {@code Retry-After} header; 0 for none. */
    private final long retryAfterSeconds;

    public ApiError(int status, String code, String message, String field) {
        this(status, code, message, field, 0);
    }

    private ApiError(int status, String code, String message, String field, long retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.field = field;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 429 with {@code Retry-After: retryAfterSeconds}. */
    public static ApiError tooManyRequests(String message, long retryAfterSeconds) {
        return new ApiError(429, "TOO_MANY_REQUESTS", message, null, retryAfterSeconds);
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** 503 with {@code Retry-After}: nothing was done, the same request may succeed then. */
    public static ApiError unavailable(String code, String message, long retryAfterSeconds) {
        return new ApiError(503, code, message, null, retryAfterSeconds);
    }

    public static ApiError badRequest(String message, String field) {
        return new ApiError(400, "BAD_REQUEST", message, field);
    }

    public static ApiError unauthorized(String message) {
        return new ApiError(401, "UNAUTHORIZED", message, null);
    }

    public static ApiError forbidden(String message) {
        return new ApiError(403, "FORBIDDEN", message, null);
    }

    public static ApiError notFound(String message) {
        return new ApiError(404, "NOT_FOUND", message, null);
    }

    public static ApiError conflict(String code, String message, String field) {
        return new ApiError(409, code, message, field);
    }

    public static ApiError unprocessable(String code, String message, String field) {
        return new ApiError(422, code, message, field);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String field() {
        return field;
    }

    public Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", code);
        body.put("message", getMessage());
        if (field != null) {
            body.put("field", field);
        }
        return body;
    }
}
