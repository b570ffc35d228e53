package org.epicgateway.api.resources;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.epicgateway.api.resources.ResourceKind.BodySchema;
import org.epicgateway.api.resources.ResourceKind.Command;
import org.epicgateway.schemas.AggregateId;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.avro.GrpcRouteState;
import org.epicgateway.schemas.avro.RemoveGrpcRoute;
import org.epicgateway.schemas.avro.UpsertGrpcRoute;

/** GRPCRoutes of a tenant: parent refs, hostnames, rules (service/method and header matches, filters, backends). */
public final class GrpcRoutes {
    public static final ResourceKind KIND = new ResourceKind("GRPCRoute", "grpcroutes", AggregateType.GRPC_ROUTE,
        (body, target) -> {
            UpsertGrpcRoute cmd = read(body, target);
            return new Command(new AggregateId(AggregateType.GRPC_ROUTE, cmd.getAccount(), cmd.getNamespace(), cmd.getName()), cmd);
        },
        GrpcRoutes::read,
        id -> new RemoveGrpcRoute(),
        state -> render((GrpcRouteState) state),
        BodySchema.of(UpsertGrpcRoute.getClassSchema()).omit("account").optional("namespace"),
        BodySchema.of(UpsertGrpcRoute.getClassSchema()).omit("account").optional("namespace", "name"));

    private GrpcRoutes() {
    }

    static UpsertGrpcRoute read(JsonFields body, Target target) {
        return UpsertGrpcRoute.newBuilder()
            .setAccount(target.account())
            .setNamespace(target.namespace(body))
            .setName(target.name(body, "name"))
            .setParentRefs(body.list("parentRefs", SpecJson::parentRef))
            .setHostnames(body.strings("hostnames"))
            .setRules(body.list("rules", SpecJson::grpcRouteRule))
            .build();
    }

    static ObjectNode render(GrpcRouteState s) {
        return SpecJson.route(s.getAccount(), s.getNamespace(), s.getName(), s.getParentRefs(), s.getHostnames(),
            s.getRules(), SpecJson::json, s.getCreationTimestamp());
    }
}
