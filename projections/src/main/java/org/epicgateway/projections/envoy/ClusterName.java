package org.epicgateway.projections.envoy;

/**
 * The Envoy cluster of one backend Service port: {@code <account>/<namespace>/<service>:<port>}. Deterministic, so
 * the same Service port shared by many routes or gateways of an account is one cluster and one EDS key.
 */
public record ClusterName(String account, String namespace, String service, int port) {

    public static ClusterName parse(String name) {
        String[] parts = name.split("/", -1);
        int colon = parts.length == 3 ? parts[2].lastIndexOf(':') : -1;
        if (colon <= 0) {
            throw new IllegalArgumentException("not a cluster name <account>/<namespace>/<service>:<port>: " + name);
        }
        return new ClusterName(parts[0], parts[1], parts[2].substring(0, colon),
                Integer.parseInt(parts[2].substring(colon + 1)));
    }

    /** The backend as users name it, without the account: {@code <namespace>/<service>:<port>}. */
    public String backend() {
        return namespace + "/" + service + ":" + port;
    }

    @Override
    public String toString() {
        return account + "/" + backend();
    }
}
