package org.epicgateway.api.resources;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import java.util.function.IntSupplier;
import org.epicgateway.api.resources.ResourceKind.BodySchema;
import org.epicgateway.api.resources.ResourceKind.Command;
import org.epicgateway.schemas.AggregateId;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.CreateGateway;
import org.epicgateway.schemas.avro.DeleteGateway;
import org.epicgateway.schemas.avro.GatewayState;
import org.epicgateway.schemas.avro.PlacementState;
import org.epicgateway.schemas.avro.ReplicaState;
import org.epicgateway.schemas.avro.UpdateGateway;

/** Gateways of a tenant. Create names the template; replace changes only the listeners (UpdateGateway). */
public final class Gateways {
    public static final ResourceKind KIND = new ResourceKind("Gateway", "gateways", AggregateType.GATEWAY,
        (body, target) -> {
            CreateGateway cmd = CreateGateway.newBuilder()
                .setAccount(target.account())
                .setNamespace(target.namespace(body))
                .setName(target.name(body, "name"))
                .setTemplate(body.string("template"))
                .setListeners(body.list("listeners", SpecJson::listener))
                .build();
            return new Command(new AggregateId(AggregateType.GATEWAY, cmd.getAccount(), cmd.getNamespace(), cmd.getName()), cmd);
        },
        (body, target) -> UpdateGateway.newBuilder().setListeners(body.list("listeners", SpecJson::listener)).build(),
        id -> new DeleteGateway(),
        state -> render((GatewayState) state),
        BodySchema.of(CreateGateway.getClassSchema()).omit("account").optional("namespace"),
        BodySchema.of(UpdateGateway.getClassSchema()));

    private Gateways() {
    }

    /**
     * Where the gateway's replicas run and whether they serve, how many of the template's are placed and why not
     * all (as far as the provider of the placed ones tells), and why one last stopped or could
     * not run (e.g. "no envoy binary on PATH"), so a gateway without serving replicas says why. Pure.
     *
     * @param wanted the template's replicas
     * @param liveEpicNodes how many EPIC nodes are live; asked only when fewer than {@code wanted} are placed
     */
    static ObjectNode placement(Optional<AggregateState> placement, int wanted, IntSupplier liveEpicNodes) {
        ObjectNode o = SpecJson.JSON.objectNode();
        ArrayNode replicas = o.putArray("replicas");
        int ready = 0;
        PlacementState p = placement.map(s -> (PlacementState) s.getResource()).orElse(null);
        int placed = p == null ? 0 : p.getReplicas().size();
        if (p != null) {
            for (ReplicaState r : p.getReplicas()) {
                replicas.addObject().put("instance", r.getInstance()).put("node", r.getNode())
                    .put("provider", r.getProvider()).put("ready", r.getReady());
                ready += r.getReady() ? 1 : 0;
            }
        }
        o.put("readyReplicas", ready).put("placedReplicas", placed).put("wantedReplicas", wanted);
        if (placed >= wanted) {
            o.putNull("unplaced");
        } else {
            o.put("unplaced", placed + " of " + wanted + " replicas placed: " + unplacedBecause(p, wanted, liveEpicNodes)
                + (p != null && p.getProblem() != null ? " (see problem)" : ""));
        }
        if (p != null && p.getProblem() != null) {
            o.putObject("problem").put("instance", p.getProblem().getInstance()).put("node", p.getProblem().getNode())
                .put("reason", p.getProblem().getReason());
        } else {
            o.putNull("problem");
        }
        return o;
    }

    /**
     * Why replicas are missing, from what is known: the provider of the placed ones (the local provider places at
     * most one replica of a gateway per live EPIC node; the Kubernetes provider leaves placement to the cluster's
     * scheduler, so EPIC nodes say nothing there); with none placed the provider is unknown, so the node rule is
     * given as the local provider's, not as the cause.
     */
    private static String unplacedBecause(PlacementState p, int wanted, IntSupplier liveEpicNodes) {
        List<String> providers = p == null ? List.of()
            : p.getReplicas().stream().map(ReplicaState::getProvider).distinct().toList();
        if (providers.contains("kubernetes")) {
            return "the kubernetes provider leaves placement to the cluster's scheduler, which has not placed the "
                + "others yet";
        }
        int live = liveEpicNodes.getAsInt();
        if (live >= wanted) {
            return "the provisioner has not placed the others yet";
        }
        String nodes = live + " live EPIC node" + (live == 1 ? "" : "s");
        return providers.isEmpty()
            ? nodes + "; the local provider places at most one replica of a gateway per node, the others as EPIC "
                + "nodes join (the Kubernetes provider leaves placement to the cluster's scheduler)"
            : nodes + " and at most one replica of a gateway per node; the others are placed as EPIC nodes join";
    }

    static ObjectNode render(GatewayState s) {
        ObjectNode o = SpecJson.JSON.objectNode()
            .put("account", s.getAccount()).put("namespace", s.getNamespace()).put("name", s.getName())
            .put("template", s.getTemplate());
        SpecJson.array(o, "listeners", s.getListeners(), SpecJson::json);
        SpecJson.putOpt(o, "address", s.getAddress());
        SpecJson.putOpt(o, "altAddress", s.getAltAddress());
        SpecJson.putOpt(o, "dnsName", s.getDnsName());
        SpecJson.putOpt(o, "sharingKey", s.getSharingKey());
        if (!s.getSharedWith().isEmpty()) {
            o.putArray("sharedWith").addAll(s.getSharedWith().stream().map(SpecJson.JSON::textNode).toList());
        }
        if (s.getCreationTimestamp() != null) {
            o.put("creationTimestamp", s.getCreationTimestamp().toString());
        }
        return o;
    }
}
