package org.epicgateway.api.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.epicgateway.api.ApiError;
import org.epicgateway.api.Commands;
import org.epicgateway.api.HttpSupport;
import org.epicgateway.api.auth.Principal;
import org.epicgateway.api.validation.BodyValidator;
import org.epicgateway.api.openapi.BatchBody;
import org.epicgateway.projections.topology.AggregateQueries;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.CommandResult;
import org.epicgateway.schemas.avro.CreateGateway;
import org.epicgateway.schemas.avro.GatewayState;
import org.epicgateway.schemas.avro.UpdateGateway;

/**
 * {@code POST /accounts/{account}/batch}, kubectl-apply style: many objects of the account's kinds in one request,
 * each created when absent and replaced when present. Every object is its own command and event, decided on its own
 * (all or nothing per object, never across objects), and gets its own result in request order: status (201 created,
 * 200 replaced, or the error status a single request would get), command id and version, or the error with its
 * field as {@code items[i].<field>}. The request answers 200 once every accepted object's event is durable; when
 * the commands do not fit in the in-flight bound it answers 429 and sends none.
 */
public final class BatchHandler {
    /** Objects per request at most; bigger loads are several requests. */
    public static final int MAX_ITEMS = 1000;
    private static final String OBJECT_KEY = BatchBody.OBJECT_KEY;

    private final Map<String, ResourceKind> kinds;
    private final Commands commands;
    private final AggregateQueries queries;

    public BatchHandler(List<ResourceKind> kinds, Commands commands, AggregateQueries queries) {
        this.kinds = kinds.stream().collect(Collectors.toMap(ResourceKind::title, Function.identity()));
        this.commands = commands;
        this.queries = queries;
    }

    /** The request body's shape, for the OpenAPI document. */
    public static BatchBody body(List<ResourceKind> kinds) {
        return new BatchBody(kinds, MAX_ITEMS);
    }

    /** One object of the batch: its answer so far, or the command it became. */
    private record Item(String path, ObjectNode answer, int status, CommandEnvelope command) {}

    public void apply(Context ctx) {
        Principal principal = HttpSupport.principal(ctx);
        String account = ResourceHandlers.account(ctx, principal);
        String key = HttpSupport.idempotencyKey(ctx);
        JsonNode body = HttpSupport.body(ctx);
        body.fieldNames().forEachRemaining(name -> {
            if (!name.equals("items")) {
                throw ApiError.badRequest("unknown field '" + name + "'", name);
            }
        });
        JsonNode items = body.get("items");
        if (items == null || !items.isArray() || items.isEmpty() || items.size() > MAX_ITEMS) {
            throw ApiError.badRequest("field 'items' must be an array of 1-" + MAX_ITEMS + " objects", "items");
        }
        List<Item> batch = new ArrayList<>();
        List<CommandEnvelope> toSend = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            // With an Idempotency-Key, object i of a retried batch is the same command as in the first attempt; an
            // object's own idempotencyKey makes it the same command whatever batch carries it (controllers).
            String path = "items[" + i + "]";
            String objectKey;
            try {
                objectKey = objectKey(items.get(i), path);
            } catch (ApiError e) {
                batch.add(new Item(path, error(SpecJson.JSON.objectNode(), e, path), 0, null));
                continue;
            }
            String itemKey = objectKey != null ? objectKey : key == null ? null : key + "/" + i;
            String commandId = Commands.commandId(principal, itemKey, "POST " + ctx.path());
            String requestHash = itemKey == null ? null : Commands.requestHash(commandId, null, items.get(i));
            Item item = item(items.get(i), path, account, principal, commandId, requestHash);
            batch.add(item);
            if (item.command() != null) {
                toSend.add(item.command());
            }
        }
        List<CompletableFuture<CommandResult>> sent = commands.submitAll(toSend);
        List<CompletableFuture<ObjectNode>> answers = new ArrayList<>();
        int next = 0;
        for (Item item : batch) {
            if (item.command() == null) {
                answers.add(CompletableFuture.completedFuture(item.answer()));
            } else {
                answers.add(sent.get(next++).handle((result, error) -> answer(item, result, error)));
            }
        }
        ctx.future(() -> CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenRun(() -> {
            ObjectNode out = SpecJson.JSON.objectNode();
            ArrayNode results = out.putArray("results");
            answers.forEach(a -> results.add(a.join()));
            ctx.status(200).json(out);
        }));
    }

    /** An object's own idempotency key, checked like the header; null when it has none. */
    private static String objectKey(JsonNode item, String path) {
        JsonNode key = item.isObject() ? item.get(OBJECT_KEY) : null;
        if (key == null) {
            return null;
        }
        if (!key.isTextual() || !HttpSupport.IDEMPOTENCY_KEY_FORMAT.matcher(key.asText()).matches()) {
            throw ApiError.badRequest("field '" + path + "." + OBJECT_KEY + "' must be 1-128 characters of A-Z a-z "
                + "0-9 . _ : -", OBJECT_KEY);
        }
        return key.asText();
    }

    /** Reads one object into its command, or into its error answer. */
    private Item item(JsonNode json, String path, String account, Principal principal, String commandId,
                      String requestHash) {
        ObjectNode answer = SpecJson.JSON.objectNode();
        if (!json.isObject()) {
            return new Item(path, answer.put("status", 400).put("code", "BAD_REQUEST")
                .put("message", "field '" + path + "' must be an object").put("field", path), 0, null);
        }
        try {
            ObjectNode body = ((ObjectNode) json).deepCopy();
            JsonNode kindName = body.remove("kind");
            body.remove(OBJECT_KEY);
            ResourceKind kind = kindName == null ? null : kinds.get(kindName.asText());
            if (kind == null) {
                throw ApiError.badRequest("field '" + path + ".kind' must be one of " + kinds.keySet().stream()
                    .sorted().toList(), "kind");
            }
            answer.put("kind", kind.title());
            BodyValidator.validate(kind.createBody().avro(), body);
            ResourceKind.Command command = JsonFields.of(body).read(f -> kind.create().apply(f,
                new Target(account, null, null)));
            answer.put("aggregateId", command.target().toString());
            Optional<CompletableFuture<CommandResult>> earlier = commands.decided(commandId, requestHash);
            Optional<AggregateState> existing = queries.get(command.target().toString());
            boolean live = existing.isPresent() && !existing.get().getDeleted();
            if (earlier.isPresent()) {
                // Said, so a client can tell "decided before" from "done now", and whether the object has gone since
                // (deleted later: created again only under a new key) or is there (a retry whose answer was lost).
                return new Item(path, written(answer, 200, earlier.get().join()).put("replayed", true)
                    .put("live", live), 0, null);
            }
            // A create must find nothing (version 0) or a deleted one, whose event chain it continues.
            Long expected = live ? null : existing.map(AggregateState::getVersion).orElse(0L);
            SpecificRecord payload = live ? replacement(command.payload(), existing.get()) : command.payload();
            return new Item(path, answer, live ? 200 : 201, Commands.command(Commands.actor(principal), commandId,
                requestHash, command.target(), expected, payload));
        } catch (ApiError e) {
            return new Item(path, error(answer, e, path), 0, null);
        }
    }

    /**
     * What applying a create's content to a live object sends: the same upsert for routes and slices; for a gateway
     * its listeners (UpdateGateway), since its template is chosen once.
     */
    private static SpecificRecord replacement(SpecificRecord create, AggregateState existing) {
        if (create instanceof CreateGateway gateway) {
            String template = ((GatewayState) existing.getResource()).getTemplate();
            if (!template.equals(gateway.getTemplate())) {
                throw ApiError.conflict("CONFLICT", "gateway " + existing.getAggregateId() + " uses template '"
                    + template + "'; a gateway's template cannot be changed", "template");
            }
            return new UpdateGateway(gateway.getListeners());
        }
        return create;
    }

    private static ObjectNode answer(Item item, CommandResult result, Throwable error) {
        if (error == null) {
            return written(item.answer(), item.status(), result);
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        ApiError e = cause instanceof ApiError a ? a
            : new ApiError(500, "INTERNAL", "internal error: " + cause.getClass().getSimpleName(), null);
        return error(item.answer(), e, item.path()).put("commandId", item.command().getCommandId());
    }

    private static ObjectNode written(ObjectNode answer, int status, CommandResult result) {
        return answer.put("status", status).put("commandId", result.getCommandId())
            .put("aggregateId", result.getAggregateId()).put("version", result.getVersion());
    }

    /** The error as a single request would answer it, its field prefixed with the object's place in the batch. */
    private static ObjectNode error(ObjectNode answer, ApiError e, String path) {
        answer.put("status", e.status()).put("code", e.code()).put("message", e.getMessage());
        if (e.field() != null) {
            answer.put("field", path + "." + e.field());
        }
        return answer;
    }
}
