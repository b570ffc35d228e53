package org.epicgateway.platform.secrets;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production certificate store: one Kubernetes Secret of type {@code kubernetes.io/tls} per certificate in one
 * namespace of the EPIC cluster, named {@code <account>.<namespace>.<secret>} (each part a DNS label, so the name is
 * unambiguous) and labelled with its parts. Kubernetes keeps the key (encrypted at rest as the cluster is configured;
 * RBAC limits who reads it); a watch on the labelled Secrets tells listeners of every change, whoever made it (the
 * API of another process, an operator, a certificate manager rotating it), so a rotation is one SDS push.
 */
public final class KubernetesCertificateStore implements CertificateStore, AutoCloseable {
    public static final String TLS_TYPE = "kubernetes.io/tls";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGER = "epic";
    public static final String ACCOUNT_LABEL = "epic-gateway.org/account";
    public static final String NAMESPACE_LABEL = "epic-gateway.org/namespace";
    public static final String NAME_LABEL = "epic-gateway.org/name";
    public static final String SHA256_ANNOTATION = "epic-gateway.org/sha256";
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesCertificateStore.class);

    private final KubernetesClient client;
    private final String namespace;
    private final Clock clock;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private SharedIndexInformer<Secret> watch;

    public KubernetesCertificateStore(KubernetesClient client, String namespace, Clock clock) {
        this.client = client;
        this.namespace = namespace;
        this.clock = clock;
    }

    @Override
    public String put(String name, CertificateBundle certificate) {
        String[] parts = CertificateStore.parts(name);
        Secret secret = new SecretBuilder().withNewMetadata().withNamespace(namespace).withName(secretName(parts))
                .withLabels(Map.of(MANAGED_BY, MANAGER, ACCOUNT_LABEL, parts[0], NAMESPACE_LABEL, parts[1],
                        NAME_LABEL, parts[2]))
                .withAnnotations(Map.of(SHA256_ANNOTATION, certificate.sha256())).endMetadata()
                .withType(TLS_TYPE)
                .withData(Map.of("tls.crt", base64(certificate.certificateChainPem()),
                        "tls.key", base64(certificate.privateKeyPem())))
                .build();
        client.secrets().inNamespace(namespace).resource(secret).createOr(NonDeletingOperation::update);
        return certificate.sha256();
    }

    /**
     * The certificate of a Secret, checked again as an upload is (a Secret may have been edited in the cluster): one
     * that is not {@code kubernetes.io/tls}, expired, or whose key does not fit is not served, so its listener serves
     * nothing rather than a wrong certificate.
     */
    @Override
    public Optional<CertificateBundle> get(String name) {
        Secret secret = client.secrets().inNamespace(namespace).withName(secretName(CertificateStore.parts(name))).get();
        if (secret == null) {
            return Optional.empty();
        }
        Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
        if (!TLS_TYPE.equals(secret.getType()) || !data.containsKey("tls.crt") || !data.containsKey("tls.key")) {
            LOG.warn("Secret {}/{} is not a {} Secret with tls.crt and tls.key: certificate {} is not served",
                    namespace, secret.getMetadata().getName(), TLS_TYPE, name);
            return Optional.empty();
        }
        try {
            return Optional.of(CertificateBundle.parse(text(data.get("tls.crt")), text(data.get("tls.key")),
                    clock.instant()));
        } catch (IllegalArgumentException e) {
            LOG.warn("Secret {}/{}: certificate {} is not served: {}", namespace, secret.getMetadata().getName(), name,
                    e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public boolean remove(String name) {
        return !client.secrets().inNamespace(namespace).withName(secretName(CertificateStore.parts(name))).delete().isEmpty();
    }

    /** Starts the watch on first use; listeners hear of Secrets added, changed or deleted, by their SDS name. */
    @Override
    public synchronized void onChange(Consumer<String> listener) {
        listeners.add(listener);
        if (watch == null) {
            watch = client.secrets().inNamespace(namespace).withLabel(MANAGED_BY, MANAGER)
                    .inform(new ResourceEventHandler<>() {
                        @Override
                        public void onAdd(Secret s) {
                            changed(s);
                        }

                        @Override
                        public void onUpdate(Secret before, Secret after) {
                            changed(after);
                        }

                        @Override
                        public void onDelete(Secret s, boolean finalStateUnknown) {
                            changed(s);
                        }
                    });
        }
    }

    private void changed(Secret s) {
        Map<String, String> labels = s.getMetadata().getLabels();
        String name = labels.get(ACCOUNT_LABEL) + "/" + labels.get(NAMESPACE_LABEL) + "/" + labels.get(NAME_LABEL);
        if (name.equals(sdsName(s.getMetadata().getName()))) {
            listeners.forEach(l -> l.accept(name));
        } else {
            LOG.warn("Secret {}/{}: its labels name {}, which is not its name; ignored", namespace,
                    s.getMetadata().getName(), name);
        }
    }

    @Override
    public synchronized void close() {
        if (watch != null) {
            watch.close();
        }
    }

    /** {@code <account>.<namespace>.<secret>}: the Kubernetes name of an SDS name. */
    static String secretName(String[] parts) {
        return String.join(".", parts);
    }

    private static String sdsName(String secretName) {
        return secretName.replace('.', '/');
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}
