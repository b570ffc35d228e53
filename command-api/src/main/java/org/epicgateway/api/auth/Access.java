package org.epicgateway.api.auth;

/** Who may call a route: anyone, any authenticated API user (scoped to its account by the handler), or admins. */
public enum Access {
    PUBLIC,
    USER,
    ADMIN
}
