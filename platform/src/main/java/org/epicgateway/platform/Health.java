package org.epicgateway.platform;

/**
 * How a service is doing right now, for {@code /healthz}: up or down, with its state in a word or two ("RUNNING",
 * "REBALANCING", "not started"). Never tenant data: the health endpoint is public.
 */
public record Health(boolean up, String state) {

    public static Health up(String state) {
        return new Health(true, state);
    }

    public static Health down(String state) {
        return new Health(false, state);
    }
}
