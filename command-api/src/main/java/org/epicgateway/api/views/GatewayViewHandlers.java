package org.epicgateway.api.views;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.epicgateway.api.ApiError;
import org.epicgateway.api.HttpSupport;
import org.epicgateway.api.resources.ResourceHandlers;
import org.epicgateway.projections.audit.EventLog;
import org.epicgateway.projections.audit.Progress;
import org.epicgateway.projections.audit.StateAt;
import org.epicgateway.projections.node.Hosted;
import org.epicgateway.projections.node.NodeAdvertsDerivation;
import org.epicgateway.projections.topology.AggregateQueries;
import org.epicgateway.schemas.AggregateId;
import org.epicgateway.schemas.AggregateIds;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.Advert;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.NodeAdverts;
import org.epicgateway.schemas.avro.NodeState;
import org.epicgateway.schemas.avro.PlacementState;
import org.epicgateway.schemas.avro.ReplicaState;
import org.epicgateway.schemas.json.AvroJson;

/**
 * {@code GET .../gateways/{namespace}/{name}/view} (the gateway as the Envoy projection sees it: listeners, attached
 * routes, their Services and endpoint slices), {@code .../dataplane} (where it runs: {@link DataPlane}, now or
 * {@code ?at=} a past instant) and {@code .../view/events} (both, as server-sent events: {@code view} now and at
 * each change, {@code dataplane} now and whenever it changes). Tenant-confined like every account route: another
 * account is 403, a gateway the account does not have 404. The template's Envoy base config is left out: templates
 * are admins'.
 */
public final class GatewayViewHandlers {
    private static final Duration HEARTBEAT = Duration.ofSeconds(10);
    /**
     * Placement and node state live in the decider's store, which tells no one of changes; a subscriber's data plane
     * is recomputed this often (a few store reads) and sent when it differs.
     */
    private static final Duration DATA_PLANE_EVERY = Duration.ofSeconds(1);
    private final TopicFeed<GatewayView> views;
    private final TopicFeed<NodeAdverts> adverts;
    private final AggregateQueries queries;
    private final EventLog history;

    public GatewayViewHandlers(TopicFeed<GatewayView> views, TopicFeed<NodeAdverts> adverts, AggregateQueries queries,
                               EventLog history) {
        this.views = views;
        this.adverts = adverts;
        this.queries = queries;
        this.history = history;
    }

    public void get(Context ctx) {
        String gatewayId = ResourceHandlers.liveGateway(ctx, queries);
        GatewayView view = views.latest(gatewayId)
            .orElseThrow(() -> ApiError.notFound("the gateway view of " + gatewayId + " is not derived yet"));
        ctx.json(render(view));
    }

    /**
     * Now: placement and nodes from the decider's store, adverts as epic.node-adverts has them. At a past instant:
     * the log folded to it, and the adverts the node projection's own derivation gives for that state (the compacted
     * topic keeps no history).
     */
    public void dataPlane(Context ctx) {
        String gatewayId = ResourceHandlers.liveGateway(ctx, queries);
        boolean admin = HttpSupport.principal(ctx).admin();
        String at = ctx.queryParam("at");
        if (at == null) {
            ctx.json(live(gatewayId, admin));
            return;
        }
        StateAt world;
        try {
            world = new StateAt(Instant.parse(at));
        } catch (DateTimeParseException e) {
            throw ApiError.badRequest("at: not an ISO-8601 instant (e.g. 2026-01-31T12:00:00Z): " + at, "at");
        }
        history.readEvents(Progress.silent(), e -> {
            if (e.event() != null) {
                world.accept(e);
            }
        });
        GatewayView view = world.gatewayView(gatewayId).orElse(null);
        AggregateId id = AggregateIds.parse(gatewayId);
        List<ReplicaState> replicas = world.get(AggregateIds.placement(id.account(), id.namespace(), id.name()))
            .filter(s -> !s.getDeleted()).map(s -> ((PlacementState) s.getResource()).getReplicas()).orElse(List.of());
        ctx.json(DataPlane.of(gatewayId, view, world::get, node -> world.get(AggregateIds.node(node))
            .map(s -> prefixes(gatewayId, NodeAdvertsDerivation.derive((NodeState) s.getResource(),
                List.of(new Hosted(gatewayId, view, replicas.stream().filter(r -> r.getNode().equals(node)).toList())))))
            .orElse(List.of()), admin).put("at", at));
    }

    private ObjectNode live(String gatewayId, boolean admin) {
        return DataPlane.of(gatewayId, views.latest(gatewayId).orElse(null), queries::get,
            node -> adverts.latest(node).map(a -> prefixes(gatewayId, a)).orElse(List.of()), admin);
    }

    private static List<String> prefixes(String gatewayId, NodeAdverts adverts) {
        return adverts.getAdverts().stream().filter(a -> a.getGatewayId().equals(gatewayId)).map(Advert::getPrefix)
            .toList();
    }

    /** {@code GET /nodes} (admins): every node as the decider folded it, with what it announces over BGP. */
    public void nodes(Context ctx) {
        ArrayNode items = HttpSupport.JSON.createArrayNode();
        String after = null;
        do {
            AggregateQueries.Page page = queries.list(AggregateType.NODE, null, after, 1000);
            for (AggregateState s : page.items()) {
                NodeState node = (NodeState) s.getResource();
                ObjectNode o = AvroJson.toJson(node);
                o.set("adverts", HttpSupport.JSON.valueToTree(adverts.latest(node.getNode())
                    .map(a -> a.getAdverts().stream().map(v -> Map.of("prefix", v.getPrefix(),
                        "gatewayId", v.getGatewayId())).toList()).orElse(List.of())));
                items.add(o);
            }
            after = page.nextPageToken();
        } while (after != null);
        ctx.json(HttpSupport.JSON.createObjectNode().set("items", items));
    }

    public void events(Context ctx) throws Exception {
        String gatewayId = ResourceHandlers.liveGateway(ctx, queries);
        boolean admin = HttpSupport.principal(ctx).admin();
        new SseHandler(0, client -> stream(client, gatewayId, admin)).handle(ctx);
    }

    /**
     * Runs on the request's (virtual) thread until the client goes away. A closed connection is only noticed when a
     * write fails, so a comment every {@link #HEARTBEAT} ends the subscription of a reader that left.
     */
    private void stream(SseClient client, String gatewayId, boolean admin) {
        client.keepAlive();
        try (AutoCloseable subscription = views.subscribe(gatewayId, view -> send(client, view))) {
            views.latest(gatewayId).ifPresent(view -> send(client, view));
            Optional<String> sent = Optional.empty();
            long quiet = 0;
            while (!client.terminated()) {
                String dataPlane = live(gatewayId, admin).toString();
                if (sent.isEmpty() || !sent.get().equals(dataPlane)) {
                    synchronized (client) {
                        client.sendEvent("dataplane", dataPlane);
                    }
                    sent = Optional.of(dataPlane);
                    quiet = 0;
                } else if ((quiet += DATA_PLANE_EVERY.toMillis()) >= HEARTBEAT.toMillis()) {
                    synchronized (client) {
                        client.sendComment("heartbeat");
                    }
                    quiet = 0;
                }
                Thread.sleep(DATA_PLANE_EVERY);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException("closing a gateway view subscription", e);
        }
    }

    /** The feed's thread and the data plane loop write to the same stream: one at a time. */
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
