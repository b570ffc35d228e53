package org.epicgateway.api.resources;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.epicgateway.api.resources.ResourceKind.BodySchema;
import org.epicgateway.api.resources.ResourceKind.Command;
import org.epicgateway.schemas.AggregateId;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.avro.DefineGatewayTemplate;
import org.epicgateway.schemas.avro.RemoveGatewayTemplate;
import org.epicgateway.schemas.avro.TemplateState;
import org.epicgateway.schemas.avro.UpdateGatewayTemplate;

/** Gateway templates (admin only): which pool, how many replicas, the Envoy base config. */
public final class Templates {
    public static final ResourceKind KIND = new ResourceKind("GatewayTemplate", "templates", AggregateType.TEMPLATE,
        (body, target) -> {
            DefineGatewayTemplate cmd = read(body, target);
            return new Command(new AggregateId(AggregateType.TEMPLATE, null, null, cmd.getTemplate()), cmd);
        },
        (body, target) -> {
            DefineGatewayTemplate d = read(body, target);
            return new UpdateGatewayTemplate(d.getTemplate(), d.getPool(), d.getDnsNamePattern(), d.getReplicas(),
                d.getShareable(), d.getEnvoyBaseConfig());
        },
        id -> RemoveGatewayTemplate.newBuilder().setTemplate(id.name()).build(),
        state -> render((TemplateState) state),
        BodySchema.of(DefineGatewayTemplate.getClassSchema()),
        BodySchema.of(UpdateGatewayTemplate.getClassSchema()).optional("template"));

    private Templates() {
    }

    /** Define and Update carry the same fields; the body is read once and the update reuses it. */
    private static DefineGatewayTemplate read(JsonFields body, Target target) {
        return DefineGatewayTemplate.newBuilder()
            .setTemplate(target.name(body, "template"))
            .setPool(body.string("pool"))
            .setDnsNamePattern(body.optString("dnsNamePattern"))
            .setReplicas(body.integer("replicas"))
            .setShareable(body.bool("shareable"))
            .setEnvoyBaseConfig(body.string("envoyBaseConfig"))
            .build();
    }

    static ObjectNode render(TemplateState s) {
        ObjectNode o = SpecJson.JSON.objectNode().put("template", s.getTemplate()).put("pool", s.getPool());
        SpecJson.putOpt(o, "dnsNamePattern", s.getDnsNamePattern());
        return o.put("replicas", s.getReplicas()).put("shareable", s.getShareable())
            .put("envoyBaseConfig", s.getEnvoyBaseConfig());
    }
}
