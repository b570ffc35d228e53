package org.epicgateway.platform;

import java.util.ArrayList;
import java.util.List;

/**
 * The health of every service of one platform, as {@code /healthz} answers it: healthy only while all of them are
 * up. Built before the services (the API that serves it is one of them) and given the list once it exists.
 */
public final class PlatformHealth {

    /** {@code services} when healthy; otherwise {@code down} names each service that is not, with its state. */
    public record Report(boolean healthy, List<String> services, List<String> down) {
    }

    private volatile List<PlatformService> services = List.of();

    /** The services to report on, in start order. */
    public void watch(List<? extends PlatformService> services) {
        this.services = List.copyOf(services);
    }

    public Report report() {
        List<String> names = new ArrayList<>();
        List<String> down = new ArrayList<>();
        for (PlatformService service : services) {
            names.add(service.name());
            Health health;
            try {
                health = service.health();
            } catch (RuntimeException e) {
                health = Health.down("health check failed: " + e.getClass().getSimpleName());
            }
            if (!health.up()) {
                down.add(service.name() + ": " + health.state());
            }
        }
        return new Report(down.isEmpty() && !names.isEmpty(), List.copyOf(names), List.copyOf(down));
    }
}
