package org.epicgateway.api.resources;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.epicgateway.api.resources.ResourceKind.BodySchema;
import org.epicgateway.api.resources.ResourceKind.Command;
import org.epicgateway.schemas.AggregateId;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.avro.RemoveService;
import org.epicgateway.schemas.avro.ServiceState;
import org.epicgateway.schemas.avro.UpsertService;

/** Workload Services of a tenant: the ports (and their appProtocol) route backendRefs resolve against. */
public final class Services {
    public static final ResourceKind KIND = new ResourceKind("Service", "services", AggregateType.SERVICE,
        (body, target) -> {
            UpsertService cmd = read(body, target);
            return new Command(new AggregateId(AggregateType.SERVICE, cmd.getAccount(), cmd.getNamespace(),
                cmd.getName()), cmd);
        },
        Services::read,
        id -> new RemoveService(),
        state -> render((ServiceState) state),
        BodySchema.of(UpsertService.getClassSchema()).omit("account").optional("namespace"),
        BodySchema.of(UpsertService.getClassSchema()).omit("account").optional("namespace", "name"));

    private Services() {
    }

    static UpsertService read(JsonFields body, Target target) {
        return UpsertService.newBuilder()
            .setAccount(target.account())
            .setNamespace(target.namespace(body))
            .setName(target.name(body, "name"))
            .setPorts(body.list("ports", SpecJson::servicePort))
            .build();
    }

    static ObjectNode render(ServiceState s) {
        ObjectNode o = SpecJson.JSON.objectNode()
            .put("account", s.getAccount()).put("namespace", s.getNamespace()).put("name", s.getName());
        SpecJson.array(o, "ports", s.getPorts(), SpecJson::json);
        return o;
    }
}
