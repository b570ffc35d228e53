package org.epicgateway.api.auth;

import java.util.List;

/**
 * The authenticated caller: an API user of one account. Admins are API users holding the {@value #ADMIN_ROLE} role;
 * everyone else is a tenant confined to {@link #account()}.
 */
public record Principal(String account, String username, List<String> roles) {
    public static final String ADMIN_ROLE = "admin";

    public boolean admin() {
        return roles.contains(ADMIN_ROLE);
    }

    /** The login name and the actor id recorded on every command: {@code <username>@<account>}. */
    public String qualifiedName() {
        return username + "@" + account;
    }
}
