package org.epicgateway.api.oidc;

import java.net.URI;

/**
 * OpenID Connect sign-in of one platform: the identity provider ({@code issuer}, discovered through its
 * {@code /.well-known/openid-configuration}), this platform's client there, and the ID-token claim that names the
 * EPIC account a person belongs to. {@link #fromEnvironment()}: {@code EPIC_OIDC_ISSUER}, {@code EPIC_OIDC_CLIENT_ID},
 * {@code EPIC_OIDC_CLIENT_SECRET} (optional: without it the console is a public client, PKCE only),
 * {@code EPIC_OIDC_ACCOUNT_CLAIM} (default {@value #DEFAULT_ACCOUNT_CLAIM}), {@code EPIC_OIDC_REDIRECT_URI} (optional:
 * else the callback URL on the host and scheme the browser used).
 *
 * @param redirectUri the callback registered at the provider, or null to derive it from the request
 */
public record OidcConfig(URI issuer, String clientId, String clientSecret, String accountClaim, URI redirectUri) {
    public static final String DEFAULT_ACCOUNT_CLAIM = "epic_account";

    public OidcConfig {
        if (issuer == null || clientId == null || clientId.isBlank()) {
            throw new IllegalArgumentException("OIDC needs an issuer and a client id");
        }
        if (accountClaim == null || accountClaim.isBlank()) {
            accountClaim = DEFAULT_ACCOUNT_CLAIM;
        }
    }

    /** The platform's OIDC settings, or null (OIDC sign-in off) when {@code EPIC_OIDC_ISSUER} is not set. */
    public static OidcConfig fromEnvironment() {
        String issuer = System.getenv("EPIC_OIDC_ISSUER");
        if (issuer == null || issuer.isBlank()) {
            return null;
        }
        String redirect = System.getenv("EPIC_OIDC_REDIRECT_URI");
        return new OidcConfig(URI.create(issuer), System.getenv("EPIC_OIDC_CLIENT_ID"),
            System.getenv("EPIC_OIDC_CLIENT_SECRET"), System.getenv("EPIC_OIDC_ACCOUNT_CLAIM"),
            redirect == null || redirect.isBlank() ? null : URI.create(redirect));
    }
}
