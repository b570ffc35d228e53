package org.epicgateway.api.resources;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.epicgateway.api.resources.ResourceKind.BodySchema;
import org.epicgateway.api.resources.ResourceKind.Command;
import org.epicgateway.schemas.AggregateId;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.avro.RemoveTlsRoute;
import org.epicgateway.schemas.avro.TlsRouteState;
import org.epicgateway.schemas.avro.UpsertTlsRoute;

/** TLSRoutes of a tenant: parent refs, SNI hostnames and weighted backend refs (TLS passed through or terminated, as the listener says). */
public final class TlsRoutes {
    public static final ResourceKind KIND = new ResourceKind("TLSRoute", "tlsroutes", AggregateType.TLS_ROUTE,
        (body, target) -> {
            UpsertTlsRoute cmd = read(body, target);
            return new Command(new AggregateId(AggregateType.TLS_ROUTE, cmd.getAccount(), cmd.getNamespace(), cmd.getName()), cmd);
        },
        TlsRoutes::read,
        id -> new RemoveTlsRoute(),
        state -> render((TlsRouteState) state),
        BodySchema.of(UpsertTlsRoute.getClassSchema()).omit("account").optional("namespace"),
        BodySchema.of(UpsertTlsRoute.getClassSchema()).omit("account").optional("namespace", "name"));

    private TlsRoutes() {
    }

    static UpsertTlsRoute read(JsonFields body, Target target) {
        return UpsertTlsRoute.newBuilder()
            .setAccount(target.account())
            .setNamespace(target.namespace(body))
            .setName(target.name(body, "name"))
            .setParentRefs(body.list("parentRefs", SpecJson::parentRef))
            .setHostnames(body.strings("hostnames"))
            .setRules(body.list("rules", SpecJson::tcpRouteRule))
            .build();
    }

    static ObjectNode render(TlsRouteState s) {
        ObjectNode o = SpecJson.JSON.objectNode()
            .put("account", s.getAccount()).put("namespace", s.getNamespace()).put("name", s.getName());
        SpecJson.array(o, "parentRefs", s.getParentRefs(), SpecJson::json);
        SpecJson.strings(o, "hostnames", s.getHostnames());
        SpecJson.array(o, "rules", s.getRules(), SpecJson::json);
        return o.put("creationTimestamp", s.getCreationTimestamp().toString());
    }
}
