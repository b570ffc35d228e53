package org.epicgateway.xds.snapshots;

import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.epicgateway.platform.secrets.CertificateBundle;
import org.epicgateway.platform.secrets.CertificateStore;

/**
 * Keeps the snapshot each gateway's proxies are served and hands endpoints to the per-resource {@link EndpointCache}:
 * a new revision replaces the gateway's snapshot (listeners, routes, clusters, secrets) and the EDS names it may
 * get; an endpoint change goes to the endpoint cache alone. Secrets are the revision's {@code secretNames} read from
 * the certificate store each time a snapshot is published or a certificate changes: a name the store does not have
 * is not served, so Envoy keeps that HTTPS listener warming (it serves nothing) instead of a wrong certificate.
 * Not thread-safe: the projector calls it under its lock.
 */
public final class SnapshotPublisher {
  private final XdsCache cache;
  private final CertificateStore certificates;
  private final Map<String, EnvoySnapshot> published = new HashMap<>();

  public SnapshotPublisher(XdsCache cache, CertificateStore certificates) {
    this.cache = cache;
    this.certificates = certificates;
  }

  /** The snapshot a revision is served as. */
  public EnvoySnapshot assemble(GatewayConfig config) {
    return EnvoySnapshot.assemble(config);
  }

  public void publish(EnvoySnapshot revision) {
    EnvoySnapshot snapshot = revision.withSecrets(secrets(revision.config()));
    String gatewayId = snapshot.config().gatewayId();
    published.put(gatewayId, snapshot);
    // EDS names first, so a proxy asking for a new cluster's endpoints after the CDS push finds them served.
    cache.endpoints().serve(gatewayId, snapshot.config().endpointNames());
    cache.snapshots().setSnapshot(gatewayId, snapshot);
  }

  /** Serves the gateways that name this certificate their current secrets; their other resources keep versions. */
  public void certificateChanged(String name) {
    published.values().stream().filter(s -> s.config().secretNames().contains(name)).toList()
        .forEach(this::publish);
  }

  private List<Secret> secrets(GatewayConfig config) {
    return config.secretNames().stream()
        .flatMap(name -> certificates.get(name).map(c -> secret(name, c)).stream()).toList();
  }

  private static Secret secret(String name, CertificateBundle certificate) {
    return Secret.newBuilder().setName(name).setTlsCertificate(TlsCertificate.newBuilder()
        .setCertificateChain(DataSource.newBuilder().setInlineString(certificate.certificateChainPem()))
        .setPrivateKey(DataSource.newBuilder().setInlineString(certificate.privateKeyPem()))).build();
  }

  public void endpointsChanged(EndpointAssignment assignment) {
    cache.endpoints().changed(assignment);
  }

  public void endpointsRemoved(String cluster) {
    cache.endpoints().removed(cluster);
  }

  public void remove(String gatewayId) {
    published.remove(gatewayId);
    cache.endpoints().serve(gatewayId, Set.of());
    // An empty snapshot, not a cleared one: connected proxies drop the gateway's listeners instead of keeping them.
    cache.snapshots().setSnapshot(gatewayId, Snapshot.createEmpty(""));
  }

  public EnvoySnapshot published(String gatewayId) {
    return published.get(gatewayId);
  }
}
