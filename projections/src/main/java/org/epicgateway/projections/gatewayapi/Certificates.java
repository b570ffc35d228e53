package org.epicgateway.projections.gatewayapi;

import java.util.List;
import org.epicgateway.schemas.avro.GatewayState;
import org.epicgateway.schemas.avro.Listener;
import org.epicgateway.schemas.avro.ReferenceGrant;

/** The Gateway API's rule for a TLS listener's certificate, shared by the Envoy derivation and status. */
public final class Certificates {

    private Certificates() {}

    /**
     * Why a TLS listener's certificate cannot be used, as a Gateway API listener reason (InvalidCertificateRef when
     * there is none, RefNotPermitted when it lives in another namespace without a ReferenceGrant), or null.
     */
    public static String problem(GatewayState gateway, Listener l, List<ReferenceGrant> grants) {
        if (l.getTlsCertificateRef() == null) {
            return "InvalidCertificateRef";
        }
        String ns = l.getTlsCertificateRef().getNamespace();
        boolean permitted = ns == null || ns.equals(gateway.getNamespace()) || ReferenceGrants.permits(grants,
                "Gateway", gateway.getNamespace(), ns, "Secret", l.getTlsCertificateRef().getName());
        return permitted ? null : "RefNotPermitted";
    }
}
