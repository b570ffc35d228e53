package org.epicgateway.api.auth;

import io.javalin.http.Context;
import java.time.Duration;
import java.util.Map;
import org.epicgateway.api.ApiError;
import org.epicgateway.api.HttpSupport;

/**
 * {@code POST /api/v1/tokens}: trades a password login (HTTP Basic) for a bearer token valid for {@code ttl}.
 * Tokens are signed, not stored (see {@link TokenSigner}).
 */
public final class TokenHandler {
    private final Authenticator authenticator;
    private final TokenSigner signer;
    private final Duration ttl;

    public TokenHandler(Authenticator authenticator, TokenSigner signer, Duration ttl) {
        this.authenticator = authenticator;
        this.signer = signer;
        this.ttl = ttl;
    }

    public void issue(Context ctx) {
        String authorization = ctx.header("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            throw ApiError.unauthorized("tokens are issued for a password login: use HTTP Basic <username>@<account>");
        }
        Principal principal = HttpSupport.principal(ctx);
        TokenSigner.Issued issued =
            signer.issue(principal.qualifiedName(), authenticator.userOf(principal).getPasswordHash(), ttl);
        ctx.status(201).json(Map.of(
            "token", issued.token(),
            "tokenType", "Bearer",
            "expiresAt", issued.expires().toString()));
    }
}
