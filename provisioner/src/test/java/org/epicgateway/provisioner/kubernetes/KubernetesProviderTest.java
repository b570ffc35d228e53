package org.epicgateway.provisioner.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.List;
import java.util.Map;
import org.epicgateway.provisioner.provider.ReplicaSpec;
import org.epicgateway.provisioner.provider.ReplicaStatus;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes provider against fabric8's mock API server in CRUD mode (real client, real requests). CRUD mode
 * runs no controllers, so the test plays the Deployment controller and kubelet where it says so: it creates and
 * deletes the pods a Deployment would have.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesProviderTest {
  private static final String GATEWAY = "gateway/acme/default/web";

  KubernetesClient client;

  private KubernetesProvider provider() {
    return new KubernetesProvider(client, new KubernetesProvider.Settings("epic", "envoyproxy/envoy:v1.31.1",
        "epic"));
  }

  private static ReplicaSpec spec(int replicas) {
    return new ReplicaSpec(GATEWAY, replicas, Map.of(), "192.0.2.7", List.of(80, 443), "public", List.of(),
        "xds.epic.svc", 18000);
  }

  private Deployment deployment() {
    return client.apps().deployments().inNamespace("epic").withName(KubernetesProvider.deploymentName(GATEWAY))
        .get();
  }

  /** What the Deployment controller and the scheduler would do: a pod of the Deployment on a node. */
  private void pod(String name, String node, boolean ready) {
    Deployment d = deployment();
    Pod pod = new PodBuilder().withNewMetadata().withName(name).withNamespace("epic")
        .withLabels(d.getSpec().getTemplate().getMetadata().getLabels()).endMetadata()
        .withNewSpec().withNodeName(node).endSpec()
        .withNewStatus().withPhase("Running").addNewCondition().withType("Ready").withStatus(ready ? "True" : "False")
        .endCondition().endStatus().build();
    client.pods().inNamespace("epic").resource(pod).create();
  }

  @Test
  void createsADeploymentWithTheBootstrapTheNetworkAndTheSpreadThenScalesAndDeletesIt() {
    KubernetesProvider provider = provider();
    assertThat(provider.apply(spec(2))).as("no pod scheduled yet: nothing placed").isEmpty();

    Deployment d = deployment();
    assertThat(d.getSpec().getReplicas()).isEqualTo(2);
    assertThat(d.getMetadata().getAnnotations()).containsEntry(KubernetesProvider.GATEWAY_ID_ANNOTATION, GATEWAY);
    var template = d.getSpec().getTemplate();
    assertThat(template.getMetadata().getAnnotations()).containsEntry(KubernetesProvider.NETWORKS_ANNOTATION,
        "[{\"name\":\"public\",\"namespace\":\"epic\",\"ips\":[\"192.0.2.7/32\"]}]");
    assertThat(template.getSpec().getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution())
        .as("one replica of a gateway per node").singleElement().satisfies(t -> {
          assertThat(t.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
          assertThat(t.getLabelSelector().getMatchLabels())
              .containsEntry(KubernetesProvider.GATEWAY_LABEL, d.getMetadata().getName());
        });
    assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getIntVal())
        .as("no surge pod that anti-affinity would leave Pending").isZero();
    var envoy = template.getSpec().getContainers().get(0);
    assertThat(envoy.getImage()).isEqualTo("envoyproxy/envoy:v1.31.1");
    assertThat(envoy.getArgs()).containsSubsequence("--service-node", GATEWAY + "~$(POD_NAME)");
    assertThat(envoy.getEnv()).singleElement().satisfies(e ->
        assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name"));
    String bootstrap = client.configMaps().inNamespace("epic")
        .withName(KubernetesProvider.deploymentName(GATEWAY) + "-bootstrap").get().getData().get("bootstrap.yaml");
    assertThat(bootstrap).contains("address: \"xds.epic.svc\", port_value: 18000").contains("ads: {}")
        .doesNotContain("node:");

    pod("web-a", "epic-a", true);
    pod("web-b", "epic-b", false);
    assertThat(provider.apply(spec(2))).containsExactlyInAnyOrder(
        new ReplicaStatus("web-a", "epic-a", ReplicaStatus.Phase.READY, null, null),
        new ReplicaStatus("web-b", "epic-b", ReplicaStatus.Phase.PLACED, null, null));

    provider.apply(spec(3));
    assertThat(deployment().getSpec().getReplicas()).as("the template's replicas changed").isEqualTo(3);

    provider.remove(GATEWAY);
    assertThat(deployment()).isNull();
    assertThat(client.configMaps().inNamespace("epic").list().getItems()).isEmpty();
  }

  @Test
  void aPodGoneWithItsNodeIsNoLongerReportedAndAFailedPodIsReportedWithItsReason() {
    KubernetesProvider provider = provider();
    provider.apply(spec(2));
    pod("web-a", "epic-a", true);
    pod("web-b", "epic-b", true);
    assertThat(provider.apply(spec(2))).hasSize(2);

    // Node epic-b is lost: its pod is evicted (deleted), the replacement is not scheduled yet.
    client.pods().inNamespace("epic").withName("web-b").delete();
    assertThat(provider.apply(spec(2))).extracting(ReplicaStatus::instance).containsExactly("web-a");

    Pod failed = client.pods().inNamespace("epic").withName("web-a").get();
    failed.getStatus().setPhase("Failed");
    failed.getStatus().setReason("OOMKilled");
    failed.getStatus().setMessage("envoy used too much memory");
    client.pods().inNamespace("epic").resource(failed).update();
    assertThat(provider.apply(spec(2))).containsExactly(ReplicaStatus.failed("web-a", "epic-a",
        "pod failed: OOMKilled envoy used too much memory"));
  }
}
