package org.epicgateway.api.resources;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.epicgateway.api.resources.ResourceKind.BodySchema;
import org.epicgateway.api.resources.ResourceKind.Command;
import org.epicgateway.schemas.AggregateId;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.avro.RemoveTcpRoute;
import org.epicgateway.schemas.avro.TcpRouteState;
import org.epicgateway.schemas.avro.UpsertTcpRoute;

/** TCPRoutes of a tenant: parent refs and weighted backend refs. */
public final class TcpRoutes {
    public static final ResourceKind KIND = new ResourceKind("TCPRoute", "tcproutes", AggregateType.TCP_ROUTE,
        (body, target) -> {
            UpsertTcpRoute cmd = read(body, target);
            return new Command(new AggregateId(AggregateType.TCP_ROUTE, cmd.getAccount(), cmd.getNamespace(), cmd.getName()), cmd);
        },
        TcpRoutes::read,
        id -> new RemoveTcpRoute(),
        state -> render((TcpRouteState) state),
        BodySchema.of(UpsertTcpRoute.getClassSchema()).omit("account").optional("namespace"),
        BodySchema.of(UpsertTcpRoute.getClassSchema()).omit("account").optional("namespace", "name"));

    private TcpRoutes() {
    }

    static UpsertTcpRoute read(JsonFields body, Target target) {
        return UpsertTcpRoute.newBuilder()
            .setAccount(target.account())
            .setNamespace(target.namespace(body))
            .setName(target.name(body, "name"))
            .setParentRefs(body.list("parentRefs", SpecJson::parentRef))
            .setRules(body.list("rules", SpecJson::tcpRouteRule))
            .build();
    }

    static ObjectNode render(TcpRouteState s) {
        ObjectNode o = SpecJson.JSON.objectNode()
            .put("account", s.getAccount()).put("namespace", s.getNamespace()).put("name", s.getName());
        SpecJson.array(o, "parentRefs", s.getParentRefs(), SpecJson::json);
        SpecJson.array(o, "rules", s.getRules(), SpecJson::json);
        return o.put("creationTimestamp", s.getCreationTimestamp().toString());
    }
}
