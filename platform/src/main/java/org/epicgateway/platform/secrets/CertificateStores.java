package org.epicgateway.platform.secrets;

import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The certificate store a process is configured with, one instance per process and store so the services of one
 * process (the API storing, the xds-projector serving) share its change notifications:
 * {@code -Depic.certificates.store=embedded} (default: {@link EncryptedCertificateStore#ofDataDir}) or
 * {@code kubernetes} (Kubernetes Secrets in the namespace {@code -Depic.certificates.namespace}, default {@code epic},
 * of the cluster fabric8 finds: in-cluster service account, else {@code KUBECONFIG}/{@code ~/.kube/config}).
 */
public final class CertificateStores {
    public static final String STORE = "epic.certificates.store";
    public static final String NAMESPACE = "epic.certificates.namespace";
    private static final Map<String, KubernetesCertificateStore> KUBERNETES = new ConcurrentHashMap<>();

    private CertificateStores() {}

    public static CertificateStore configured(Path dataDir) {
        String store = System.getProperty(STORE, "embedded");
        return switch (store) {
            case "embedded" -> EncryptedCertificateStore.ofDataDir(dataDir);
            case "kubernetes" -> KUBERNETES.computeIfAbsent(System.getProperty(NAMESPACE, "epic"),
                    ns -> new KubernetesCertificateStore(new KubernetesClientBuilder().build(), ns, Clock.systemUTC()));
            default -> throw new IllegalArgumentException("-D" + STORE + "=" + store
                    + " is not a certificate store: embedded or kubernetes");
        };
    }
}
