package org.epicgateway.api.resources;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.epicgateway.api.resources.ResourceKind.BodySchema;
import org.epicgateway.api.resources.ResourceKind.Command;
import org.epicgateway.schemas.AggregateId;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.avro.ReferenceGrantState;
import org.epicgateway.schemas.avro.RemoveReferenceGrant;
import org.epicgateway.schemas.avro.UpsertReferenceGrant;

/** Gateway API ReferenceGrants of a tenant: which routes and gateways of other namespaces may reference this one. */
public final class ReferenceGrants {
    public static final ResourceKind KIND = new ResourceKind("ReferenceGrant", "referencegrants",
        AggregateType.REFERENCE_GRANT,
        (body, target) -> {
            UpsertReferenceGrant cmd = read(body, target);
            return new Command(new AggregateId(AggregateType.REFERENCE_GRANT, cmd.getAccount(), cmd.getNamespace(),
                cmd.getName()), cmd);
        },
        ReferenceGrants::read,
        id -> new RemoveReferenceGrant(),
        state -> render((ReferenceGrantState) state),
        BodySchema.of(UpsertReferenceGrant.getClassSchema()).omit("account").optional("namespace"),
        BodySchema.of(UpsertReferenceGrant.getClassSchema()).omit("account").optional("namespace", "name"));

    private ReferenceGrants() {
    }

    static UpsertReferenceGrant read(JsonFields body, Target target) {
        return UpsertReferenceGrant.newBuilder()
            .setAccount(target.account())
            .setNamespace(target.namespace(body))
            .setName(target.name(body, "name"))
            .setFrom(body.list("from", SpecJson::referenceGrantFrom))
            .setTo(body.list("to", SpecJson::referenceGrantTo))
            .build();
    }

    static ObjectNode render(ReferenceGrantState g) {
        ObjectNode o = SpecJson.JSON.objectNode()
            .put("account", g.getAccount()).put("namespace", g.getNamespace()).put("name", g.getName());
        SpecJson.array(o, "from", g.getFrom(), SpecJson::json);
        SpecJson.array(o, "to", g.getTo(), SpecJson::json);
        return o;
    }
}
