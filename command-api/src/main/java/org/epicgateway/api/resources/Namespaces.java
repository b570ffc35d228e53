package org.epicgateway.api.resources;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.epicgateway.api.resources.ResourceKind.BodySchema;
import org.epicgateway.api.resources.ResourceKind.Command;
import org.epicgateway.schemas.AggregateId;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.avro.NamespaceState;
import org.epicgateway.schemas.avro.RemoveNamespace;
import org.epicgateway.schemas.avro.UpsertNamespace;

/**
 * A tenant's namespaces and their labels: what a listener's {@code allowedRoutes} namespace selector matches. A
 * namespace is account-wide ({@code /accounts/{a}/namespaces/{name}}, no {@code ?namespace=}); one without a record
 * still has the label {@code kubernetes.io/metadata.name=<name>}.
 */
public final class Namespaces {
    public static final ResourceKind KIND = new ResourceKind("Namespace", "namespaces", AggregateType.NAMESPACE,
        (body, target) -> {
            UpsertNamespace cmd = read(body, target);
            return new Command(new AggregateId(AggregateType.NAMESPACE, cmd.getAccount(), null, cmd.getName()), cmd);
        },
        Namespaces::read,
        id -> new RemoveNamespace(),
        state -> render((NamespaceState) state),
        BodySchema.of(UpsertNamespace.getClassSchema()).omit("account"),
        BodySchema.of(UpsertNamespace.getClassSchema()).omit("account").optional("name"));

    private Namespaces() {
    }

    static UpsertNamespace read(JsonFields body, Target target) {
        return UpsertNamespace.newBuilder()
            .setAccount(target.account())
            .setName(target.name(body, "name"))
            .setLabels(body.stringMap("labels"))
            .build();
    }

    static ObjectNode render(NamespaceState n) {
        ObjectNode o = SpecJson.JSON.objectNode().put("account", n.getAccount()).put("name", n.getName());
        SpecJson.labels(o, "labels", n.getLabels());
        return o;
    }
}
