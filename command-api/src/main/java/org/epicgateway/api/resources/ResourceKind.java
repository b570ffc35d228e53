package org.epicgateway.api.resources;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.epicgateway.api.openapi.RequestBody;
import org.epicgateway.schemas.AggregateId;
import org.epicgateway.schemas.AggregateType;

/**
 * One REST collection mapped onto one aggregate type: how a request body becomes a command payload for create,
 * replace and delete, and how the aggregate's state is rendered. An operation a kind lacks is {@code null} and gets
 * no route. Request schemas are the Avro command schemas (the JSON mirrors them) minus fields the URL supplies.
 *
 * @param title       the product word, e.g. "Gateway"
 * @param collection  the URL segment, e.g. "gateways"
 * @param create      POST body to command (the body names the resource)
 * @param replace     PUT body to command (the URL names the resource)
 * @param delete      DELETE to command
 * @param render      state record ({@code AggregateState.resource}) to JSON
 * @param createBody  schema of the POST body
 * @param replaceBody schema of the PUT body
 */
public record ResourceKind(
    String title,
    String collection,
    AggregateType type,
    BiFunction<JsonFields, Target, Command> create,
    BiFunction<JsonFields, Target, SpecificRecord> replace,
    Function<AggregateId, SpecificRecord> delete,
    Function<Object, ObjectNode> render,
    BodySchema createBody,
    BodySchema replaceBody) {

    /** A mapped command: the aggregate it targets and its payload. */
    public record Command(AggregateId target, SpecificRecord payload) {
    }

    /**
     * The JSON body of an operation: an Avro command schema minus the fields the URL supplies ({@code omitted}),
     * with fields the URL or a default may fill made optional, plus extra properties (e.g. a clear-text password).
     */
    public record BodySchema(Schema avro, Set<String> omitted, Set<String> optional, ObjectNode extraProperties,
                             Set<String> extraRequired) implements RequestBody {
        public static BodySchema of(Schema avro) {
            return new BodySchema(avro, Set.of(), Set.of(), SpecJson.JSON.objectNode(), Set.of());
        }

        public BodySchema omit(String... fields) {
            return new BodySchema(avro, union(omitted, fields), optional, extraProperties, extraRequired);
        }

        public BodySchema optional(String... fields) {
            return new BodySchema(avro, omitted, union(optional, fields), extraProperties, extraRequired);
        }

        public BodySchema withRequired(String name, ObjectNode schema) {
            ObjectNode extra = extraProperties.deepCopy();
            extra.set(name, schema);
            return new BodySchema(avro, omitted, optional, extra, union(extraRequired, name));
        }

        private static Set<String> union(Set<String> set, String... more) {
            Set<String> out = new HashSet<>(set);
            out.addAll(List.of(more));
            return Set.copyOf(out);
        }
    }

    public boolean tenantScoped() {
        return type.tenantNamespaced();
    }
}
