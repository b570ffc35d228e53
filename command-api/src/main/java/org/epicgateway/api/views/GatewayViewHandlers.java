package org.epicgateway.api.views;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.time.Duration;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import org.epicgateway.api.ApiError;
import org.epicgateway.api.resources.ResourceHandlers;
import org.epicgateway.projections.topology.AggregateQueries;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.json.AvroJson;

/**
 * {@code GET .../gateways/{namespace}/{name}/view} (the gateway as the Envoy projection sees it: listeners, attached
 * routes, their Services and endpoint slices) and {@code .../view/events} (the same, as server-sent events, one
 * {@code view} event now and one for each change). Tenant-confined like every account route: another account is 403,
 * a gateway the account does not have 404. The template's Envoy base config is left out: templates are admins'.
 */
public final class GatewayViewHandlers {
    private static final Duration HEARTBEAT = Duration.ofSeconds(10);
    private final GatewayViewFeed feed;
    private final AggregateQueries queries;

    public GatewayViewHandlers(GatewayViewFeed feed, AggregateQueries queries) {
        this.feed = feed;
        this.queries = queries;
    }

    public void get(Context ctx) {
        String gatewayId = ResourceHandlers.liveGateway(ctx, queries);
        GatewayView view = feed.latest(gatewayId)
            .orElseThrow(() -> ApiError.notFound("the gateway view of " + gatewayId + " is not derived yet"));
        ctx.json(render(view));
    }

    public void events(Context ctx) throws Exception {
        String gatewayId = ResourceHandlers.liveGateway(ctx, queries);
        new SseHandler(0, client -> stream(client, gatewayId)).handle(ctx);
    }

    /**
     * Runs on the request's (virtual) thread until the client goes away. A closed connection is only noticed when a
     * write fails, so a comment every {@link #HEARTBEAT} ends the subscription of a reader that left.
     */
    private void stream(SseClient client, String gatewayId) {
        client.keepAlive();
        try (AutoCloseable subscription = feed.subscribe(gatewayId, view -> send(client, view))) {
            feed.latest(gatewayId).ifPresent(view -> send(client, view));
            while (!client.terminated()) {
                Thread.sleep(HEARTBEAT);
                synchronized (client) {
                    client.sendComment("heartbeat");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException("closing a gateway view subscription", e);
        }
    }

    /** The feed's thread and the heartbeat write to the same stream: one at a time. */
    private static void send(SseClient client, GatewayView view) {
        synchronized (client) {
            if (view == null) {
                client.sendEvent("deleted", "{}");
            } else {
                client.sendEvent("view", render(view).toString());
            }
        }
    }

    static ObjectNode render(GatewayView view) {
        ObjectNode json = AvroJson.toJson(view);
        if (json.get("template") instanceof ObjectNode template) {
            template.remove("envoyBaseConfig");
        }
        return json;
    }
}
