package org.epicgateway.projections.gatewayapi;

import java.util.List;
import org.epicgateway.schemas.avro.ReferenceGrant;

/** Gateway API ReferenceGrant: may an object of {@code fromKind} in one namespace reference one in another? */
public final class ReferenceGrants {
    private ReferenceGrants() {}

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
