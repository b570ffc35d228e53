package org.epicgateway.api.resources;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.epicgateway.api.resources.ResourceKind.BodySchema;
import org.epicgateway.api.resources.ResourceKind.Command;
import org.epicgateway.schemas.AggregateId;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.avro.HttpRouteState;
import org.epicgateway.schemas.avro.RemoveHttpRoute;
import org.epicgateway.schemas.avro.UpsertHttpRoute;

/** HTTPRoutes of a tenant: the full Gateway API route spec (parent refs, hostnames, rules). */
public final class HttpRoutes {
    public static final ResourceKind KIND = new ResourceKind("HTTPRoute", "httproutes", AggregateType.HTTP_ROUTE,
        (body, target) -> {
            UpsertHttpRoute cmd = read(body, target);
            return new Command(new AggregateId(AggregateType.HTTP_ROUTE, cmd.getAccount(), cmd.getNamespace(), cmd.getName()), cmd);
        },
        HttpRoutes::read,
        id -> new RemoveHttpRoute(),
        state -> render((HttpRouteState) state),
        BodySchema.of(UpsertHttpRoute.getClassSchema()).omit("account").optional("namespace"),
        BodySchema.of(UpsertHttpRoute.getClassSchema()).omit("account").optional("namespace", "name"));

    private HttpRoutes() {
    }

    static UpsertHttpRoute read(JsonFields body, Target target) {
        return UpsertHttpRoute.newBuilder()
            .setAccount(target.account())
            .setNamespace(target.namespace(body))
            .setName(target.name(body, "name"))
            .setParentRefs(body.list("parentRefs", SpecJson::parentRef))
            .setHostnames(body.strings("hostnames"))
            .setRules(body.list("rules", SpecJson::httpRouteRule))
            .build();
    }

    static ObjectNode render(HttpRouteState s) {
        return SpecJson.route(s.getAccount(), s.getNamespace(), s.getName(), s.getParentRefs(), s.getHostnames(),
            s.getRules(), SpecJson::json, s.getCreationTimestamp());
    }
}
