package org.epicgateway.api.validation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.epicgateway.api.ApiError;

/**
 * The HTTP edge of every request, before any handler: methods exactly as sent (case-sensitive, never overridden by a
 * header), and bodies that are {@code application/json}, at most a given size however they are framed (a chunked body
 * has no Content-Length to check up front), and strictly parsed: one JSON value, no trailing tokens, no duplicate keys.
 */
public final class StrictRequests {
    /** Parses request bodies: a second value after the first or a repeated key is an error, not silently dropped. */
    public static final ObjectMapper JSON = JsonMapper.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
        .build();
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
    /** Headers some frameworks (Javalin among them) let replace the request's method; this API acts on none. */
    private static final List<String> METHOD_OVERRIDES = List.of("X-HTTP-Method-Override", "X-HTTP-Method",
        "X-Method-Override");

    private StrictRequests() {
    }

    /** Refuses a method that is not exactly one this API serves, and any method-override header. */
    public static void checkMethod(Context ctx) {
        String method = ctx.req().getMethod();
        if (!METHODS.contains(method)) {
            throw new ApiError(405, "METHOD_NOT_ALLOWED", "method '" + method + "' is not served; methods are "
                + "case-sensitive (e.g. POST, not post)", null);
        }
        for (String header : METHOD_OVERRIDES) {
            if (ctx.header(header) != null) {
                throw ApiError.badRequest(header + " is not supported: send the request with the method you mean",
                    header);
            }
        }
    }

    /** Path parameters and the {@code namespace} query parameter within their {@link Limits#parameter} (400). */
    public static void checkParameters(Context ctx) {
        ctx.pathParamMap().forEach((name, value) -> checkParameter(name, value));
        String namespace = ctx.queryParam("namespace");
        if (namespace != null) {
            checkParameter("namespace", namespace);
        }
    }

    private static void checkParameter(String name, String value) {
        Limit limit = Limits.parameter(name);
        if (limit != null) {
            limit.problem(com.fasterxml.jackson.databind.node.TextNode.valueOf(value)).ifPresent(p -> {
                throw ApiError.badRequest("parameter '" + name + "' " + p, name);
            });
        }
    }

    /**
     * The body of a request that must carry JSON: 415 unless it is {@code application/json} (UTF-8), 413 above
     * {@code maxBytes}, 400 when it is empty, cannot be read (a malformed chunked body) or is not exactly one JSON value.
     */
    public static JsonNode jsonBody(Context ctx, long maxBytes) {
        requireJson(ctx.header("Content-Type"));
        String text = new String(read(ctx, maxBytes), StandardCharsets.UTF_8);
        if (text.isBlank()) {
            throw ApiError.badRequest("request body is empty; a JSON object is required", "body");
        }
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "MALFORMED_JSON", "request body is not valid JSON: " + e.getOriginalMessage(),
                "body");
        }
    }

    private static void requireJson(String contentType) {
        if (contentType == null) {
            throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "the request has no Content-Type; send application/json",
                "Content-Type");
        }
        String[] parts = contentType.split(";");
        boolean json = parts[0].trim().toLowerCase(Locale.ROOT).equals("application/json");
        for (int i = 1; json && i < parts.length; i++) {
            String[] parameter = parts[i].trim().split("=", 2);
            if (parameter[0].trim().equalsIgnoreCase("charset")) {
                json = parameter.length == 2 && parameter[1].trim().replace("\"", "").equalsIgnoreCase("utf-8");
            }
        }
        if (!json) {
            throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type " + Limit.quoted(contentType)
                + " is not supported; send application/json (UTF-8)", "Content-Type");
        }
    }

    /** Reads at most {@code maxBytes}; one more byte is a 413, whatever the framing said. */
    private static byte[] read(Context ctx, long maxBytes) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxBytes) {
            throw tooLarge(maxBytes);
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] bytes = in.readNBytes((int) maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw tooLarge(maxBytes);
            }
            return bytes;
        } catch (IOException | RuntimeException e) {
            if (e instanceof ApiError api) {
                throw api;
            }
            throw new ApiError(400, "MALFORMED_BODY", "the request body could not be read (" + e.getClass()
                .getSimpleName() + "): check its Content-Length or chunked framing", "body");
        }
    }

    private static ApiError tooLarge(long maxBytes) {
        return new ApiError(413, "BODY_TOO_LARGE", "request body is larger than " + maxBytes + " bytes", "body");
    }
}
