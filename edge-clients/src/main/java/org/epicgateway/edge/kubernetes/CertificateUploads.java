package org.epicgateway.edge.kubernetes;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.SecretObjectReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.epicgateway.edge.api.EpicApi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificate Secrets this cluster's Gateways reference, kept uploaded to EPIC's certificate store through
 * {@code PUT .../certificates/{namespace}/{name}}: only Secrets of type kubernetes.io/tls that a terminating listener
 * (HTTPS, TLS mode Terminate) of one of our Gateways names, in its own namespace or in one whose ReferenceGrant lets
 * Gateways of its namespace use it; no other Secret leaves the cluster. The idempotency key is the Secret's uid and
 * resourceVersion, so a restart re-sends what EPIC has decided before (no event) and a rotation is a new upload (a new
 * content hash recorded, an SDS push to the proxies). EPIC holds what the cluster holds: a Secret deleted, no longer
 * referenced, or that EPIC refuses (its 422 names the problem) is removed there, so the listener serves nothing rather
 * than a certificate the cluster no longer has: also what this cluster uploaded before a restart (listed by owner at
 * the run's first round) and what an account whose last Gateway of ours went still holds. An upload EPIC answers as
 * replayed is checked against EPIC's store and uploaded again under a key of this run when EPIC no longer holds it.
 * Touched only by the controller's worker.
 */
final class CertificateUploads {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateUploads.class);
    static final String TLS_SECRET = "kubernetes.io/tls";

    /** A Secret a listener of ours references, with where the reference is, for its status. */
    private record Wanted(Secret secret, List<String> listeners) {}

    /** account -> (Secret namespace/name -> the idempotency key of the upload EPIC accepted). */
    private final Map<String, Map<String, String>> uploaded = new HashMap<>();
    /** An upload EPIC refused: the Secret's version (uid, resourceVersion) and EPIC's reason. */
    private record Refusal(String version, String problem) {}

    /** account -> (Secret namespace/name -> the upload EPIC refused): not sent again until the Secret changes. */
    private final Map<String, Map<String, Refusal>> refused = new HashMap<>();
    /**
     * account -> (Secret namespace/name -> its incarnation in this run): how often this run removed it, or found EPIC
     * answering its upload from the decided commands while its store does not hold it (an earlier run removed it
     * within their retention). A Secret wanted again unchanged needs a key no run has used, else EPIC would answer
     * the first upload without storing it again.
     */
    private final Map<String, Map<String, Integer>> incarnations = new HashMap<>();
    /**
     * account -> the connection its Gateways last had: when the account's last Gateway of ours goes, its
     * certificates are removed through it.
     */
    private final Map<String, ClassParameters> connections = new HashMap<>();
    /** Accounts whose certificates this cluster uploaded before this run are known (listed once per run). */
    private final Set<String> listed = new HashSet<>();
    /** The controller's run, in the keys of re-uploads and removals, which no earlier run can have used. */
    private final String run;

    CertificateUploads(String run) {
        this.run = run;
    }

    /**
     * One round: uploads the referenced Secrets that changed, removes what is no longer wanted, and returns the
     * listeners whose certificates cannot be served ({@code namespace/gateway/listener} -> what is wrong), for status.
     * A listener without a problem here may still have one in EPIC (RefNotPermitted), which its status shows.
     */
    Map<String, String> reconcile(Collection<ClassParameters> classes, Map<String, ClassParameters> classOf,
                                  List<Gateway> gateways, List<Secret> secrets, List<ReferenceGrant> grants,
                                  Function<ClassParameters, EpicApi> apis, Runnable retry) {
        Map<String, Secret> byName = new HashMap<>();
        secrets.stream().filter(s -> TLS_SECRET.equals(s.getType()))
            .forEach(s -> byName.put(s.getMetadata().getNamespace() + "/" + s.getMetadata().getName(), s));
        Map<String, String> problems = new LinkedHashMap<>();
        Map<String, Map<String, Wanted>> wanted = new LinkedHashMap<>();
        for (Gateway g : gateways) {
            String ns = g.getMetadata().getNamespace();
            ClassParameters p = classOf.get(ns + "/" + g.getMetadata().getName());
            if (p == null) {
                continue;
            }
            connections.put(p.connection().account(), p);
            Map<String, Wanted> ofAccount = wanted.computeIfAbsent(p.connection().account(), a -> new LinkedHashMap<>());
            for (Listener l : listeners(g)) {
                if (!terminates(l)) {
                    continue;
                }
                String listener = ns + "/" + g.getMetadata().getName() + "/" + l.getName();
                for (SecretObjectReference ref : l.getTls().getCertificateRefs()) {
                    String secretNs = ref.getNamespace() == null ? ns : ref.getNamespace();
                    String name = secretNs + "/" + ref.getName();
                    if (ref.getName() == null || !Objects.requireNonNullElse(ref.getGroup(), "").isEmpty()
                        || !Objects.requireNonNullElse(ref.getKind(), "Secret").equals("Secret")
                        || !secretNs.equals(ns) && !granted(grants, ns, secretNs, ref.getName())) {
                        continue; // not a Secret, or not ours to read: the Gateway's status says so (Specs, EPIC)
                    }
                    Secret s = byName.get(name);
                    if (s == null) {
                        problems.merge(listener, "Secret " + name + " does not exist (or is not of type " + TLS_SECRET
                            + ")", (a, b) -> a + "; " + b);
                        continue;
                    }
                    ofAccount.computeIfAbsent(name, n -> new Wanted(s, new ArrayList<>())).listeners().add(listener);
                }
            }
        }
        // Accounts of our classes without a Gateway of ours: what this cluster uploaded there before this run is
        // listed once and goes (the last Gateway went while no controller ran; its class still says the account).
        for (ClassParameters p : classes) {
            connections.putIfAbsent(p.connection().account(), p);
            if (!listed.contains(p.connection().account())) {
                wanted.putIfAbsent(p.connection().account(), Map.of());
            }
        }
        // Accounts that had uploads but no Gateway of ours now: everything there goes.
        uploaded.keySet().stream().filter(a -> !wanted.containsKey(a)).forEach(a -> wanted.put(a, Map.of()));
        wanted.forEach((account, secretsWanted) -> {
            ClassParameters p = connections.get(account);
            try {
                sync(account, apis.apply(p), secretsWanted, problems);
            } catch (EpicApi.Unavailable e) {
                LOG.warn("EPIC account {}: certificates not synced: {}; next round retries", account, e.getMessage());
                retry.run();
            }
        });
        return problems;
    }

    private void sync(String account, EpicApi api, Map<String, Wanted> wanted, Map<String, String> problems)
            throws EpicApi.Unavailable {
        Map<String, String> done = uploaded.computeIfAbsent(account, a -> new HashMap<>());
        if (!listed.contains(account) && api.connection().cluster() != null) {
            // What this cluster uploaded before this run (its owner is the cluster): what the cluster no longer wants
            // is removed below, e.g. a Secret deleted while no controller ran. An empty key: not uploaded by this run.
            for (EpicApi.Listed c : api.listOwned("certificates", api.connection().cluster())) {
                done.putIfAbsent(c.namespace() + "/" + c.name(), "");
            }
            listed.add(account);
        }
        Map<String, Refusal> bad = refused.computeIfAbsent(account, a -> new HashMap<>());
        Map<String, Integer> incarnation = incarnations.computeIfAbsent(account, a -> new HashMap<>());
        Map<String, Wanted> valid = new HashMap<>();
        for (Map.Entry<String, Wanted> e : wanted.entrySet()) {
            String name = e.getKey();
            Secret s = e.getValue().secret();
            String version = s.getMetadata().getUid() + "." + s.getMetadata().getResourceVersion();
            String key = uploadKey(version, incarnation.get(name));
            String problem = null;
            if (key.equals(done.get(name))) {
                valid.put(name, e.getValue());
                continue;
            }
            if (bad.containsKey(name) && bad.get(name).version().equals(version)) {
                problem = bad.get(name).problem();
            } else {
                String chain = data(s, "tls.crt");
                String privateKey = data(s, "tls.key");
                if (chain == null || privateKey == null) {
                    problem = "has no " + (chain == null ? "tls.crt" : "tls.key");
                } else {
                    EpicApi.Result r = api.putCertificate(s.getMetadata().getNamespace(), s.getMetadata().getName(),
                        chain, privateKey, key);
                    if (r.ok() && r.answer().path("replayed").asBoolean() && !api.certificateHash(s.getMetadata()
                        .getNamespace(), s.getMetadata().getName()).equals(Optional.of(r.answer().path("sha256")
                        .asText()))) {
                        // Decided before, yet EPIC does not hold it: an earlier run removed it. Stored again under
                        // a key of this run.
                        key = uploadKey(version, incarnation.merge(name, 1, Integer::sum));
                        r = api.putCertificate(s.getMetadata().getNamespace(), s.getMetadata().getName(), chain,
                            privateKey, key);
                    }
                    if (r.ok()) {
                        done.put(name, key);
                        bad.remove(name);
                        valid.put(name, e.getValue());
                        LOG.info("certificate {} uploaded to EPIC account {} (sha256 {})", name, account,
                            r.answer().path("sha256").asText());
                        continue;
                    }
                    problem = r.answer().path("message").asText("refused with status " + r.status());
                    LOG.warn("EPIC account {} refused certificate {}: {}", account, name, problem);
                }
                bad.put(name, new Refusal(version, problem));
            }
            String message = "Secret " + name + ": " + problem;
            e.getValue().listeners().forEach(l -> problems.merge(l, message, (a, b) -> a + "; " + b));
        }
        for (String name : new ArrayList<>(done.keySet())) {
            if (!valid.containsKey(name)) {
                String[] nsName = name.split("/", 2);
                String key = done.get(name).isEmpty() ? null : "delete." + done.get(name) + "." + run;
                if (api.deleteCertificate(nsName[0], nsName[1], key).ok()) {
                    LOG.info("certificate {} removed from EPIC account {}", name, account);
                    done.remove(name);
                    incarnation.merge(name, 1, Integer::sum);
                }
            }
        }
    }

    /** The upload key of a Secret's version: its first incarnation's is the same in every run. */
    private String uploadKey(String version, Integer incarnation) {
        return "certificate." + version + (incarnation == null ? "" : "." + run + "-" + incarnation);
    }

    /** The namespaces of the Secrets our Gateways reference across namespaces: EPIC needs their ReferenceGrants. */
    static List<String> foreignNamespaces(Gateway g) {
        List<String> out = new ArrayList<>();
        for (Listener l : listeners(g)) {
            if (terminates(l)) {
                l.getTls().getCertificateRefs().stream().map(SecretObjectReference::getNamespace)
                    .filter(ns -> ns != null && !ns.equals(g.getMetadata().getNamespace())).forEach(out::add);
            }
        }
        return out;
    }

    /** HTTPS, or TLS whose mode is not Passthrough (Terminate is the default), with certificateRefs. */
    private static boolean terminates(Listener l) {
        return l.getTls() != null && l.getTls().getCertificateRefs() != null
            && ("HTTPS".equals(l.getProtocol()) || "TLS".equals(l.getProtocol())
                && !"Passthrough".equals(l.getTls().getMode()));
    }

    /** A Gateway's listeners; none when its spec has none (it is refused by the mapping, not here). */
    private static List<Listener> listeners(Gateway g) {
        return g.getSpec() == null || g.getSpec().getListeners() == null ? List.of() : g.getSpec().getListeners();
    }

    /** Whether a ReferenceGrant in the Secret's namespace lets Gateways of {@code from} use it (Core groups only). */
    private static boolean granted(List<ReferenceGrant> grants, String from, String secretNamespace, String secret) {
        return grants.stream().filter(g -> g.getMetadata().getNamespace().equals(secretNamespace) && g.getSpec() != null
                && g.getSpec().getFrom() != null && g.getSpec().getTo() != null)
            .anyMatch(g -> g.getSpec().getFrom().stream().anyMatch(f -> "gateway.networking.k8s.io".equals(f.getGroup())
                    && "Gateway".equals(f.getKind()) && from.equals(f.getNamespace()))
                && g.getSpec().getTo().stream().anyMatch(t -> Objects.requireNonNullElse(t.getGroup(), "").isEmpty()
                    && "Secret".equals(t.getKind()) && (t.getName() == null || t.getName().equals(secret))));
    }

    /** A Secret's value as text: {@code data} is base64 (what the API server returns), {@code stringData} plain. */
    private static String data(Secret s, String key) {
        if (s.getData() != null && s.getData().get(key) != null) {
            return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
        }
        return s.getStringData() == null ? null : s.getStringData().get(key);
    }
}
