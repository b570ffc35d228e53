package org.epicgateway.projections.gatewayapi;

import java.util.List;
import org.epicgateway.schemas.avro.ReferenceGrant;

/** Gateway API ReferenceGrant: may an object of {@code fromKind} in one namespace reference one in another? */
public final class ReferenceGrants {
    /** The group of the route and Gateway kinds a grant's {@code from} may name. */
    public static final String GATEWAY_API_GROUP = "gateway.networking.k8s.io";

    private ReferenceGrants() {}

    /**
     * The kind a grant's {@code from} entry is kept under: the kind itself when its group is the Gateway API's, else
     * {@code group/Kind}, which no route or Gateway kind equals. A grant from {@code example.com/HTTPRoute} must not
     * let Gateway API HTTPRoutes in (conformance ReferenceGrant group checks).
     */
    public static String fromKind(String group, String kind) {
        return GATEWAY_API_GROUP.equals(group) ? kind : (group == null ? "" : group) + "/" + kind;
    }

    /**
     * The kind a grant's {@code to} entry is kept under: the kind itself in the core group ({@code ""}, where Services
     * and Secrets live), else {@code group/Kind}, which matches no Service or Secret.
     */
    public static String toKind(String group, String kind) {
        return group == null || group.isEmpty() || group.equals("core") ? kind : group + "/" + kind;
    }

    /** True when a grant in {@code toNamespace} trusts ({@code fromKind}, {@code fromNamespace}) for this target. */
    public static boolean permits(List<ReferenceGrant> grants, String fromKind, String fromNamespace,
                                  String toNamespace, String toKind, String toName) {
        return grants.stream()
                .filter(g -> g.getNamespace().equals(toNamespace))
                .anyMatch(g -> g.getFrom().stream().anyMatch(f -> f.getKind().equals(fromKind)
                                && f.getNamespace().equals(fromNamespace))
                        && g.getTo().stream().anyMatch(t -> t.getKind().equals(toKind)
                                && (t.getName() == null || t.getName().equals(toName))));
    }
}
