package org.epicgateway.cli.controller;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.epicgateway.edge.kubernetes.KubernetesController;
import org.epicgateway.edge.kubernetes.Leadership;
import org.epicgateway.edge.linux.LinuxController;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./epic controller kubernetes}: the workload-cluster controllers (docs/modules/edge-clients.md). */
@Command(name = "controller", mixinStandardHelpOptions = true,
    description = "Run a workload-cluster controller that connects a tenant's cluster or host to EPIC.",
    subcommands = {ControllerCommand.Kubernetes.class, ControllerCommand.Linux.class})
public final class ControllerCommand {

  @Command(name = "kubernetes", mixinStandardHelpOptions = true,
      description = "Gateway API controller: serves the GatewayClasses whose controllerName is "
          + KubernetesController.CONTROLLER_NAME + " (parametersRef: a ConfigMap/Secret with apiUrl, account, "
          + "username, password, template, clusterId), sends their Gateways, routes, Services, EndpointSlices and "
          + "ReferenceGrants to EPIC and writes status back. Uses --kubeconfig, else $KUBECONFIG/~/.kube/config, "
          + "else the in-cluster service account. Replicas elect one leader on the Lease <lease-namespace>/epic-controller; "
          + "the others wait, and a replica that loses the Lease exits (status 1) to campaign again after its restart.")
  static final class Kubernetes implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Option(names = "--kubeconfig", description = "kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster)")
    Path kubeconfig;
    @Option(names = "--controller-name", defaultValue = KubernetesController.CONTROLLER_NAME,
        description = "GatewayClass controllerName served (default ${DEFAULT-VALUE})")
    String controllerName;
    @Option(names = "--window", defaultValue = "PT0S",
        description = "coalescing window for changes, ISO-8601 (default ${DEFAULT-VALUE}; docs/benchmarks.md)")
    Duration window;
    @Option(names = "--status-interval", defaultValue = "PT2S",
        description = "status refresh without changes, ISO-8601 (default ${DEFAULT-VALUE})")
    Duration statusInterval;
    @Option(names = "--lease-namespace", defaultValue = "${env:POD_NAMESPACE:-epic-system}",
        description = "namespace of the leader election Lease (default: $POD_NAMESPACE, else epic-system)")
    String leaseNamespace;
    @Option(names = "--identity", defaultValue = "${env:POD_NAME:-${env:HOSTNAME:-epic-controller}}",
        description = "this replica's name in the Lease (default: $POD_NAME, else $HOSTNAME)")
    String identity;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      Config config = kubeconfig == null ? Config.autoConfigure(null)
          : Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString());
      KubernetesController.Settings settings = new KubernetesController.Settings(controllerName, window, statusInterval);
      try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
           Leadership leadership = new Leadership(client, Leadership.Settings.of(leaseNamespace, identity),
               () -> new KubernetesController(client, settings)).start()) {
        out.println("epic controller kubernetes: serving GatewayClasses of " + controllerName + " on "
            + config.getMasterUrl() + " while " + identity + " holds lease " + leaseNamespace + "/epic-controller");
        out.flush();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        leadership.ended().whenComplete((r, e) -> stop.countDown());
        stop.await();
        if (leadership.ended().isDone() && !leadership.ended().isCancelled()) {
          spec.commandLine().getErr().println("epic controller kubernetes: " + identity + " lost the lease; exiting");
          return 1;
        }
      }
      return 0;
    }
  }

  @Command(name = "linux", mixinStandardHelpOptions = true,
      description = "Linux controller for a host without Kubernetes: declares the services of --config as Services "
          + "and EndpointSlices with this host as their node, re-declares them every heartbeat, removes its "
          + "endpoints on a clean stop. Run ./epic agent run --node <node> next to it for the GUE tunnel "
          + "(edge-clients/deploy/linux/).")
  static final class Linux implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Option(names = "--config", required = true, description = "host.yaml (edge-clients/deploy/linux/host.yaml)")
    Path config;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      LinuxController.HostConfig host;
      try {
        host = LinuxController.HostConfig.read(config);
      } catch (IllegalArgumentException | java.io.IOException e) {
        spec.commandLine().getErr().println("epic controller linux: " + e.getMessage());
        return 2;
      }
      LinuxController controller = new LinuxController(host);
      Thread main = Thread.currentThread();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        controller.close();
        main.interrupt();
      }));
      out.println("epic controller linux: declaring " + host.services().size() + " service(s) of node "
          + host.node().name() + " to " + host.epic().apiUrl());
      out.flush();
      try {
        controller.run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return 0;
    }
  }
}
