package org.epicgateway.api.resources;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.epicgateway.api.resources.ResourceKind.BodySchema;
import org.epicgateway.api.resources.ResourceKind.Command;
import org.epicgateway.schemas.AggregateId;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.avro.EndpointSliceState;
import org.epicgateway.schemas.avro.RemoveEndpointSlice;
import org.epicgateway.schemas.avro.UpsertEndpointSlice;

/** EndpointSlices of a tenant: the pods behind a Service, with the node address the GUE tunnel reaches them by. */
public final class EndpointSlices {
    public static final ResourceKind KIND = new ResourceKind("EndpointSlice", "endpointslices",
        AggregateType.ENDPOINT_SLICE,
        (body, target) -> {
            UpsertEndpointSlice cmd = read(body, target);
            return new Command(new AggregateId(AggregateType.ENDPOINT_SLICE, cmd.getAccount(), cmd.getNamespace(), cmd.getName()), cmd);
        },
        EndpointSlices::read,
        id -> new RemoveEndpointSlice(),
        state -> render((EndpointSliceState) state),
        BodySchema.of(UpsertEndpointSlice.getClassSchema()).omit("account").optional("namespace"),
        BodySchema.of(UpsertEndpointSlice.getClassSchema()).omit("account").optional("namespace", "name"));

    private EndpointSlices() {
    }

    static UpsertEndpointSlice read(JsonFields body, Target target) {
        return UpsertEndpointSlice.newBuilder()
            .setAccount(target.account())
            .setNamespace(target.namespace(body))
            .setName(target.name(body, "name"))
            .setServiceName(body.string("serviceName"))
            .setClusterId(body.optString("clusterId"))
            .setPorts(body.list("ports", SpecJson::endpointPort))
            .setEndpoints(body.list("endpoints", SpecJson::endpoint))
            .build();
    }

    static ObjectNode render(EndpointSliceState s) {
        ObjectNode o = SpecJson.JSON.objectNode()
            .put("account", s.getAccount()).put("namespace", s.getNamespace()).put("name", s.getName())
            .put("serviceName", s.getServiceName());
        SpecJson.putOpt(o, "clusterId", s.getClusterId());
        SpecJson.array(o, "ports", s.getPorts(), SpecJson::json);
        SpecJson.array(o, "endpoints", s.getEndpoints(), SpecJson::json);
        return o;
    }
}
