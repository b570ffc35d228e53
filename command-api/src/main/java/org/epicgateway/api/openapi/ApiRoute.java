package org.epicgateway.api.openapi;

import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.util.List;
import org.epicgateway.api.auth.Access;

/**
 * One entry of the route table: what {@link org.epicgateway.api.CommandApi} registers with Javalin and what
 * {@link OpenApiDocument} describes, so the two cannot drift apart.
 *
 * @param body        request body schema, or null
 * @param queryParams names of the query parameters the route reads
 * @param success     status of a successful answer (200, 201, 204)
 * @param command     the route submits a command, so it takes an {@code Idempotency-Key}
 */
public record ApiRoute(HandlerType method, String path, String summary, String tag, Access access, RequestBody body,
                       List<String> queryParams, int success, Handler handler, boolean command) {

    /** Every write submits a command unless it says otherwise (issuing a token does not). */
    public ApiRoute(HandlerType method, String path, String summary, String tag, Access access, RequestBody body,
                    List<String> queryParams, int success, Handler handler) {
        this(method, path, summary, tag, access, body, queryParams, success, handler, method != HandlerType.GET);
    }
}
