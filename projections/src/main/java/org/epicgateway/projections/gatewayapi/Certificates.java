package org.epicgateway.projections.gatewayapi;

import java.util.List;
import org.epicgateway.schemas.avro.ReferenceGrant;
import org.epicgateway.schemas.avro.CertificateRef;
import org.epicgateway.schemas.avro.GatewayState;
import org.epicgateway.schemas.avro.GatewayView;
import org.epicgateway.schemas.avro.Listener;
import org.epicgateway.schemas.avro.ListenerProtocol;
import org.epicgateway.schemas.avro.TlsMode;

/** The Gateway API's rules for a listener's TLS, shared by the decider, the Envoy derivation and status. */
public final class Certificates {

    private Certificates() {}

    /**
     * A listener's certificateRefs in order: {@code tlsCertificateRefs}, or the single {@code tlsCertificateRef}
     * older producers wrote (events are kept forever, so that field is still read).
     */
    public static List<CertificateRef> refs(Listener l) {
        if (!l.getTlsCertificateRefs().isEmpty()) {
            return l.getTlsCertificateRefs();
        }
        return l.getTlsCertificateRef() == null ? List.of() : List.of(l.getTlsCertificateRef());
    }

    /** Whether the listener ends TLS itself: HTTPS always, TLS unless its mode is Passthrough. */
    public static boolean terminates(Listener l) {
        return l.getProtocol() == ListenerProtocol.HTTPS
                || l.getProtocol() == ListenerProtocol.TLS && l.getTlsMode() != TlsMode.PASSTHROUGH;
    }

    /**
     * Why a terminating listener's certificates cannot be used, as a Gateway API listener reason, or null:
     * InvalidCertificateRef when it has none or one was never stored (the view knows the stored ones by their
     * CertificateRecorded events), RefNotPermitted when one lives in another namespace without a ReferenceGrant. One
     * unusable reference makes the listener serve nothing rather than a wrong certificate.
     */
    public static String problem(GatewayView view, Listener l) {
        GatewayState gateway = view.getGateway();
        List<CertificateRef> refs = refs(l);
        if (refs.isEmpty()) {
            return "InvalidCertificateRef";
        }
        // Only the gateway's own account's grants: a shared gateway's view also holds those its other accounts'
        // routes bring, which speak for their namespaces, not the owner's.
        List<ReferenceGrant> own = view.getReferenceGrants().stream().filter(g -> g.getAccount() == null).toList();
        for (CertificateRef ref : refs) {
            String ns = ref.getNamespace();
            boolean permitted = ns == null || ns.equals(gateway.getNamespace()) || ReferenceGrants.permits(
                    own, "Gateway", gateway.getNamespace(), ns, "Secret", ref.getName());
            if (!permitted) {
                return "RefNotPermitted";
            }
        }
        for (CertificateRef ref : refs) {
            String ns = ref.getNamespace() == null ? gateway.getNamespace() : ref.getNamespace();
            if (view.getCertificates().stream().noneMatch(c -> c.getNamespace().equals(ns)
                    && c.getName().equals(ref.getName()))) {
                return "InvalidCertificateRef";
            }
        }
        return null;
    }

    /** {@code <account>/<namespace>/<name>}: the SDS name of a certificate a gateway's listener references. */
    public static String secretName(GatewayState gateway, CertificateRef ref) {
        String ns = ref.getNamespace() == null ? gateway.getNamespace() : ref.getNamespace();
        return gateway.getAccount() + "/" + ns + "/" + ref.getName();
    }
}
