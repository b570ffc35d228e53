package org.epicgateway.edge.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several replicas of the controller, one acting: each campaigns for the Lease {@code <namespace>/<name>}
 * (coordination.k8s.io, fabric8's LeaderElector), and only the holder runs a {@link KubernetesController}. A replica
 * that loses the Lease closes its controller and {@link #ended()} completes: the process exits and its restart
 * campaigns again, so two replicas never write EPIC or status at once for longer than the lease allows.
 */
public final class Leadership implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);

    /** The Lease and how it is held: renewed every {@code retry}, lost after {@code renewDeadline} without renewal. */
    public record Settings(String namespace, String name, String identity, Duration leaseDuration,
                           Duration renewDeadline, Duration retry) {
        public static Settings of(String namespace, String identity) {
            return new Settings(namespace, "epic-controller", identity, Duration.ofSeconds(15), Duration.ofSeconds(10),
                Duration.ofSeconds(2));
        }
    }

    private final KubernetesClient client;
    private final Settings settings;
    private final Supplier<KubernetesController> controllers;
    private volatile KubernetesController acting;
    private CompletableFuture<?> election;

    public Leadership(KubernetesClient client, Settings settings, Supplier<KubernetesController> controllers) {
        this.client = client;
        this.settings = settings;
        this.controllers = controllers;
    }

    /** Campaigns in the background; the controller starts once this replica holds the Lease. */
    public Leadership start() {
        election = client.leaderElector().withConfig(new LeaderElectionConfigBuilder().withName(settings.name())
            .withLock(new LeaseLock(settings.namespace(), settings.name(), settings.identity()))
            .withLeaseDuration(settings.leaseDuration()).withRenewDeadline(settings.renewDeadline())
            .withRetryPeriod(settings.retry()).withReleaseOnCancel()
            .withLeaderCallbacks(new LeaderCallbacks(this::lead, this::stopLeading,
                leader -> LOG.info("lease {}/{} held by {}", settings.namespace(), settings.name(), leader)))
            .build()).build().start();
        return this;
    }

    /** The running controller while this replica leads, else null. */
    public KubernetesController acting() {
        return acting;
    }

    /** Completes when this replica stopped campaigning: it lost the Lease, or was closed. */
    public CompletableFuture<?> ended() {
        return election;
    }

    private void lead() {
        LOG.info("{} holds lease {}/{}: acting", settings.identity(), settings.namespace(), settings.name());
        KubernetesController controller = controllers.get();
        controller.start();
        acting = controller;
    }

    private void stopLeading() {
        KubernetesController controller = acting;
        acting = null;
        if (controller != null) {
            LOG.warn("{} lost lease {}/{}: stopping", settings.identity(), settings.namespace(), settings.name());
            controller.close();
        }
    }

    /** Stops acting and gives the Lease up, so another replica takes over without waiting for it to expire. */
    @Override
    public void close() {
        if (election != null) {
            election.cancel(true);
        }
        stopLeading();
    }
}
