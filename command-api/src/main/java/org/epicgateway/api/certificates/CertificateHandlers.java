package org.epicgateway.api.certificates;

import io.javalin.http.Context;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.epicgateway.api.Commands;
import org.epicgateway.api.auth.Principal;
import org.epicgateway.projections.topology.AggregateQueries;
import org.epicgateway.schemas.AggregateId;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.avro.CertificateState;
import org.epicgateway.schemas.avro.CommandResult;
import org.epicgateway.schemas.avro.RecordCertificate;
import org.epicgateway.schemas.avro.RemoveCertificate;
import org.epicgateway.api.ApiError;
import org.epicgateway.api.HttpSupport;
import org.epicgateway.api.resources.JsonFields;
import org.epicgateway.api.resources.ResourceHandlers;
import org.epicgateway.api.resources.ResourceKind;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.epicgateway.platform.secrets.CertificateBundle;
import org.epicgateway.platform.secrets.CertificateStore;

/**
 * Listener certificates of an account, the Secrets its Gateways' {@code certificateRefs} name: uploaded as PEM (chain
 * and key), checked (malformed, oversized, expired, key not the certificate's are 422 naming the field and the
 * problem) and kept in the certificate store; commands and events carry only the reference: RecordCertificate /
 * CertificateRecorded with the name, content hash and expiry (the audit log says which content a name had and when,
 * and listener status knows which certificates exist). Reads give the name, content hash and expiry, never the key. The xds-projector serves a stored certificate over SDS to the gateways naming it; a
 * new upload under the same name is a rotation (an SDS push, no listener change).
 */
public final class CertificateHandlers {
    /**
     * The certificate records as a collection, listed by the generic handler ({@code ?namespace=}, {@code ?owner=}:
     * what a workload controller's start compares with its cluster); written only through this class.
     */
    public static final ResourceKind KIND = new ResourceKind("Certificate", "certificates", AggregateType.CERTIFICATE,
        null, null, null, state -> {
            CertificateState c = (CertificateState) state;
            return JsonNodeFactory.instance.objectNode().put("account", c.getAccount()).put("namespace", c.getNamespace())
                .put("name", c.getName()).put("sha256", c.getSha256()).put("notAfter", c.getNotAfter().toString());
        }, null, null);
    private final CertificateStore store;
    private final Commands commands;
    private final AggregateQueries queries;
    private final Clock clock;

    public CertificateHandlers(CertificateStore store, Commands commands, AggregateQueries queries, Clock clock) {
        this.store = store;
        this.commands = commands;
        this.queries = queries;
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
        AggregateId id = id(ctx);
        Principal principal = HttpSupport.principal(ctx);
        String commandId = HttpSupport.commandId(ctx);
        String requestHash = HttpSupport.requestHash(ctx);
        Optional<CompletableFuture<CommandResult>> earlier = commands.decided(commandId, requestHash);
        // Stored first: the event never names a certificate the store does not hold. A replay stores nothing.
        CompletableFuture<CommandResult> recorded = earlier.orElseGet(() -> {
            store.put(name, bundle);
            return commands.submit(principal, commandId, requestHash, id, null, new RecordCertificate(id.account(),
                id.namespace(), id.name(), bundle.sha256(), bundle.notAfter()));
        });
        ctx.future(() -> recorded.thenAccept(r -> {
            Map<String, Object> out = view(name, bundle);
            out.put("commandId", r.getCommandId());
            out.put("version", r.getVersion());
            if (earlier.isPresent()) {
                // Said, so a client can tell "decided before" from "stored now": the certificate may have gone since.
                out.put("replayed", true);
            }
            ctx.json(out);
        }));
    }

    public void get(Context ctx) {
        String name = name(ctx);
        ctx.json(view(name, store.get(name).orElseThrow(() -> ApiError.notFound("no certificate " + name))));
    }

    public void delete(Context ctx) {
        String name = name(ctx);
        AggregateId id = id(ctx);
        Principal principal = HttpSupport.principal(ctx);
        String commandId = HttpSupport.commandId(ctx);
        String requestHash = HttpSupport.requestHash(ctx);
        // A replay is answered before anything is removed: the certificate may have been uploaded again since.
        Optional<CompletableFuture<CommandResult>> earlier = commands.decided(commandId, requestHash);
        if (earlier.isPresent()) {
            ctx.future(() -> earlier.get().thenAccept(r -> ctx.json(Map.of("name", name, "deleted", true,
                "commandId", r.getCommandId(), "replayed", true))));
            return;
        }
        boolean recorded = queries.get(id.toString()).filter(s -> !s.getDeleted()).isPresent();
        if (!recorded) {
            // Stored without a record (an upload whose command failed): nothing to decide, the key just goes.
            if (!store.remove(name)) {
                throw ApiError.notFound("no certificate " + name);
            }
            ctx.json(Map.of("name", name, "deleted", true));
            return;
        }
        // Removed from the store once the decider accepted: a rejected command (another cluster's certificate)
        // leaves the key where its record is.
        CompletableFuture<CommandResult> removed = commands.submit(principal, commandId, requestHash, id, null,
            new RemoveCertificate()).thenApply(r -> {
                store.remove(name);
                return r;
            });
        ctx.future(() -> removed.thenAccept(r -> ctx.json(Map.of("name", name, "deleted", true,
            "commandId", r.getCommandId()))));
    }

    private static AggregateId id(Context ctx) {
        return new AggregateId(AggregateType.CERTIFICATE, ResourceHandlers.account(ctx, HttpSupport.principal(ctx)),
            ctx.pathParam("namespace"), ctx.pathParam("name"));
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
