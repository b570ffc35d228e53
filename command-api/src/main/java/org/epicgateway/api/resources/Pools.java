package org.epicgateway.api.resources;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.epicgateway.api.resources.ResourceKind.BodySchema;
import org.epicgateway.api.resources.ResourceKind.Command;
import org.epicgateway.projections.decider.AddressPool;
import org.epicgateway.schemas.AggregateId;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.avro.DefineAddressPool;
import org.epicgateway.schemas.avro.PoolState;

/** Address pools (admin only). A pool can be redefined (PUT) but not removed: allocations reference it. */
public final class Pools {
    public static final ResourceKind KIND = new ResourceKind("AddressPool", "pools", AggregateType.POOL,
        (body, target) -> {
            DefineAddressPool cmd = read(body, target);
            return new Command(new AggregateId(AggregateType.POOL, null, null, cmd.getPool()), cmd);
        },
        Pools::read,
        null,
        state -> render((PoolState) state),
        BodySchema.of(DefineAddressPool.getClassSchema()),
        BodySchema.of(DefineAddressPool.getClassSchema()).optional("pool"));

    private Pools() {
    }

    static DefineAddressPool read(JsonFields f, Target target) {
        return DefineAddressPool.newBuilder()
            .setPool(target.name(f, "pool"))
            .setRanges(f.strings("ranges"))
            .setAltPool(f.optString("altPool"))
            .setAggregation(f.optString("aggregation"))
            .build();
    }

    static ObjectNode render(PoolState s) {
        ObjectNode o = SpecJson.JSON.objectNode().put("pool", s.getPool());
        SpecJson.strings(o, "ranges", s.getRanges());
        SpecJson.putOpt(o, "altPool", s.getAltPool());
        SpecJson.putOpt(o, "aggregation", s.getAggregation());
        ObjectNode allocated = o.putObject("allocated");
        s.getAllocated().forEach((address, gateway) -> allocated.put(address.toString(), gateway.toString()));
        // Not in the Avro state: what a reader needs to show allocated / free without re-implementing the ranges'
        // rules (text, since an IPv6 pool's count exceeds a JSON number's safe range).
        o.put("capacity", AddressPool.parse(s.getRanges()).size().toString());
        return o;
    }
}
