package org.epicgateway.api.auth;

import java.util.List;

/**
 * The authenticated caller: an API user of one account. Admins are API users holding the {@value #ADMIN_ROLE} role;
 * everyone else is a tenant confined to {@link #account()}. A workload cluster's controller also names its
 * {@code cluster} (header {@value #CLUSTER_HEADER}): its commands are that cluster's, which owns what they write.
 */
public record Principal(String account, String username, List<String> roles, String cluster) {
    public static final String ADMIN_ROLE = "admin";
    public static final String CLUSTER_HEADER = "Epic-Cluster";

    public Principal(String account, String username, List<String> roles) {
        this(account, username, roles, null);
    }

    public Principal forCluster(String cluster) {
        return new Principal(account, username, roles, cluster);
    }

    public boolean admin() {
        return roles.contains(ADMIN_ROLE);
    }

    /** The login name and the actor id recorded on every command: {@code <username>@<account>}. */
    public String qualifiedName() {
        return username + "@" + account;
    }
}
