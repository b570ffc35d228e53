package org.epicgateway.provisioner.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.epicgateway.provisioner.provider.EnvoyBootstrap;
import org.epicgateway.provisioner.provider.ReplicaProvider;
import org.epicgateway.provisioner.provider.ReplicaSpec;
import org.epicgateway.provisioner.provider.ReplicaStatus;

/**
 * Production: per gateway one Deployment of Envoy in the EPIC cluster (fabric8), whose replicas the Kubernetes
 * scheduler spreads over nodes (one per node where possible: a topology spread constraint on the hostname). Each pod
 * gets the gateway's public network as a second interface through a Multus annotation (the template's pool names the
 * NetworkAttachmentDefinition, as the original's ServicePrefix did) with the gateway address on it, and Envoy the
 * bootstrap from a ConfigMap with node id {@code <gatewayId>~<pod name>} ({@code --service-node}). Pod names are the
 * instances; a pod is placed once it has a node and ready with its Ready condition.
 */
public final class KubernetesProvider implements ReplicaProvider {
  public static final String GATEWAY_LABEL = "epic.gateway";
  public static final String GATEWAY_ID_ANNOTATION = "epic.gateway-id";
  public static final String NETWORKS_ANNOTATION = "k8s.v1.cni.cncf.io/networks";

  /**
   * @param namespace        where the Deployments live
   * @param image            the Envoy image
   * @param networkNamespace the namespace of the NetworkAttachmentDefinitions
   */
  public record Settings(String namespace, String image, String networkNamespace) {}

  private final KubernetesClient client;
  private final Settings settings;

  public KubernetesProvider(KubernetesClient client, Settings settings) {
    this.client = client;
    this.settings = settings;
  }

  @Override
  public String name() {
    return "kubernetes";
  }

  @Override
  public boolean schedulesItself() {
    return true;
  }

  /** The Deployment's name: a hash, since gateway ids are longer than Kubernetes names allow and contain '/'. */
  public static String deploymentName(String gatewayId) {
    try {
      return "gw-" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(gatewayId.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  @Override
  public List<ReplicaStatus> apply(ReplicaSpec spec) {
    String name = deploymentName(spec.gatewayId());
    ConfigMap bootstrap = new ConfigMapBuilder().withNewMetadata().withName(name + "-bootstrap")
        .withNamespace(settings.namespace()).addToLabels(GATEWAY_LABEL, name)
        .addToAnnotations(GATEWAY_ID_ANNOTATION, spec.gatewayId()).endMetadata()
        .addToData("bootstrap.yaml", EnvoyBootstrap.yaml(null, spec.gatewayId(), spec.xdsHost(), spec.xdsPort(),
            "/var/run/envoy/admin.sock"))
        .build();
    client.configMaps().inNamespace(settings.namespace()).resource(bootstrap).createOr(NonDeletingOperation::update);
    client.apps().deployments().inNamespace(settings.namespace()).resource(deployment(spec, name))
        .createOr(NonDeletingOperation::update);
    List<ReplicaStatus> statuses = new ArrayList<>();
    for (Pod pod : client.pods().inNamespace(settings.namespace()).withLabel(GATEWAY_LABEL, name).list().getItems()) {
      String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
      if (node == null || pod.getMetadata().getDeletionTimestamp() != null) {
        continue; // not scheduled yet, or going away: neither placed nor serving
      }
      String instance = pod.getMetadata().getName();
      String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
      if ("Failed".equals(phase)) {
        statuses.add(ReplicaStatus.failed(instance, node, "pod failed: " + pod.getStatus().getReason() + " "
            + pod.getStatus().getMessage()));
        continue;
      }
      boolean ready = pod.getStatus() != null && pod.getStatus().getConditions().stream()
          .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
      statuses.add(new ReplicaStatus(instance, node, ready ? ReplicaStatus.Phase.READY : ReplicaStatus.Phase.PLACED,
          null, null));
    }
    return statuses;
  }

  private Deployment deployment(ReplicaSpec spec, String name) {
    String prefix = spec.address() + (spec.address().contains(":") ? "/128" : "/32");
    String networks = "[{\"name\":\"" + spec.network() + "\",\"namespace\":\"" + settings.networkNamespace()
        + "\",\"ips\":[\"" + prefix + "\"]}]";
    Map<String, String> labels = Map.of(GATEWAY_LABEL, name, "app.kubernetes.io/part-of", "epic",
        "app.kubernetes.io/component", "envoy");
    return new DeploymentBuilder()
        .withNewMetadata().withName(name).withNamespace(settings.namespace()).withLabels(labels)
        .addToAnnotations(GATEWAY_ID_ANNOTATION, spec.gatewayId()).endMetadata()
        .withNewSpec().withReplicas(spec.wanted())
        .withNewSelector().addToMatchLabels(GATEWAY_LABEL, name).endSelector()
        // A new pod must not wait for a node its own anti-affinity keeps it off: replace one at a time, no surge.
        .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate().withNewMaxSurge(0)
        .withNewMaxUnavailable(1).endRollingUpdate().endStrategy()
        .withNewTemplate()
        .withNewMetadata().withLabels(labels).addToAnnotations(NETWORKS_ANNOTATION, networks)
        .addToAnnotations(GATEWAY_ID_ANNOTATION, spec.gatewayId()).endMetadata()
        .withNewSpec()
        // One replica of a gateway per node, as the local provider places them: a node announces the address once
        // and routes it to one replica, so a second pod there adds no next hop. Pods beyond the nodes stay Pending
        // (not placed) and are scheduled as nodes join.
        .withNewAffinity().withNewPodAntiAffinity().addNewRequiredDuringSchedulingIgnoredDuringExecution()
        .withTopologyKey("kubernetes.io/hostname").withNewLabelSelector().addToMatchLabels(GATEWAY_LABEL, name)
        .endLabelSelector().endRequiredDuringSchedulingIgnoredDuringExecution().endPodAntiAffinity().endAffinity()
        .addNewContainer().withName("envoy").withImage(settings.image())
        .withArgs("-c", "/etc/envoy/bootstrap.yaml", "--service-node", spec.gatewayId() + "~$(POD_NAME)",
            "--service-cluster", spec.gatewayId())
        .addNewEnv().withName("POD_NAME").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name")
        .endFieldRef().endValueFrom().endEnv()
        .addNewVolumeMount().withName("bootstrap").withMountPath("/etc/envoy").endVolumeMount()
        .addNewVolumeMount().withName("admin").withMountPath("/var/run/envoy").endVolumeMount()
        .endContainer()
        .addNewVolume().withName("bootstrap").withNewConfigMap().withName(name + "-bootstrap").endConfigMap()
        .endVolume()
        .addNewVolume().withName("admin").withNewEmptyDir().endEmptyDir().endVolume()
        .endSpec().endTemplate().endSpec().build();
  }

  @Override
  public void remove(String gatewayId) {
    String name = deploymentName(gatewayId);
    client.apps().deployments().inNamespace(settings.namespace()).withName(name).delete();
    client.configMaps().inNamespace(settings.namespace()).withName(name + "-bootstrap").delete();
  }

  @Override
  public void close() {
    client.close();
  }
}
