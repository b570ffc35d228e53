package org.epicgateway.api.certificates;

import io.javalin.http.Context;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.epicgateway.api.ApiError;
import org.epicgateway.api.HttpSupport;
import org.epicgateway.api.resources.JsonFields;
import org.epicgateway.api.resources.ResourceHandlers;
import org.epicgateway.platform.secrets.CertificateBundle;
import org.epicgateway.platform.secrets.CertificateStore;

/**
 * Listener certificates of an account, the Secrets its Gateways' {@code certificateRefs} name: uploaded as PEM (chain
 * and key), checked (malformed, oversized, expired, key not the certificate's are 422 naming the field and the
 * problem), kept in the certificate store and never in a command or event. Reads give the name, content hash and
 * expiry only, never the key. The xds-projector serves a stored certificate over SDS to the gateways naming it; a
 * new upload under the same name is a rotation (an SDS push, no listener change).
 */
public final class CertificateHandlers {
    private final CertificateStore store;
    private final Clock clock;

    public CertificateHandlers(CertificateStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public void put(Context ctx) {
        String name = name(ctx);
        JsonFields f = JsonFields.of(HttpSupport.body(ctx));
        CertificateBundle bundle;
        try {
            bundle = f.read(b -> CertificateBundle.parse(b.string("certificate"), b.string("privateKey"),
                clock.instant()));
        } catch (CertificateBundle.InvalidCertificateException e) {
            throw ApiError.unprocessable("INVALID_CERTIFICATE", e.getMessage(), e.field());
        }
        store.put(name, bundle);
        ctx.json(view(name, bundle));
    }

    public void get(Context ctx) {
        String name = name(ctx);
        ctx.json(view(name, store.get(name).orElseThrow(() -> ApiError.notFound("no certificate " + name))));
    }

    public void delete(Context ctx) {
        String name = name(ctx);
        if (!store.remove(name)) {
            throw ApiError.notFound("no certificate " + name);
        }
        ctx.json(Map.of("name", name, "deleted", true));
    }

    /** The SDS name: {@code <account>/<namespace>/<name>}, as the Envoy derivation names a certificateRef. */
    private static String name(Context ctx) {
        String account = ResourceHandlers.account(ctx, HttpSupport.principal(ctx));
        return account + "/" + ctx.pathParam("namespace") + "/" + ctx.pathParam("name");
    }

    private static Map<String, Object> view(String name, CertificateBundle bundle) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name);
        out.put("sha256", bundle.sha256());
        out.put("notAfter", bundle.notAfter().toString());
        return out;
    }
}
