package org.epicgateway.api.auth;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.epicgateway.api.ApiError;
import org.epicgateway.api.HttpSupport;

/**
 * Cookie sessions for browsers (the web console). A session is a bearer token ({@link TokenSigner}: signed, bound to
 * the user's password hash, nothing stored) carried in an HttpOnly, SameSite=Strict cookie, Secure when the request
 * came over HTTPS, so page scripts never hold a credential. Every request on a session is authenticated and
 * authorized exactly as a bearer request is: the console gets what its user may do through the API and nothing more.
 *
 * <p>Writes on a session also need {@value #CSRF_HEADER}: the SHA-256 of the session token, handed to the signed-in
 * page in the body of {@code POST /sessions} and {@code GET /sessions/current}. Another site can make the browser send
 * the cookie (SameSite=Strict already stops that in current browsers) but cannot read the token to derive the header.
 */
public final class Sessions {
    public static final String COOKIE = "epic_session";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    private final Authenticator authenticator;
    private final TokenSigner signer;
    private final Duration ttl;
    private final SessionRevocations revocations;

    public Sessions(Authenticator authenticator, TokenSigner signer, Duration ttl, SessionRevocations revocations) {
        this.authenticator = authenticator;
        this.signer = signer;
        this.ttl = ttl;
        this.revocations = revocations;
    }

    /** {@code POST /sessions}: a password login (HTTP Basic, throttled like any) starts a session. */
    public void create(Context ctx) {
        String authorization = ctx.header("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            throw ApiError.unauthorized("a session starts with a password login: HTTP Basic <username>@<account>");
        }
        Principal principal = HttpSupport.principal(ctx);
        TokenSigner.Issued issued =
            signer.issue(principal.qualifiedName(), authenticator.userOf(principal).getPasswordHash(), ttl);
        ctx.res().addHeader("Set-Cookie", cookie(ctx, issued.token(), ttl.toSeconds()));
        ctx.header("Cache-Control", "no-store");
        ctx.status(201).json(describe(principal, issued.token(), issued.expires().toString()));
    }

    /**
     * Starts the session of a person the platform's identity provider vouched for ({@code oidc:<sub>@<account>}, a
     * tenant of that account: see {@code OidcSignIn}); the caller redirects to the console.
     */
    public void startFederated(Context ctx, String qualifiedName) {
        if (!qualifiedName.startsWith(Authenticator.FEDERATED_PREFIX)) {
            throw new IllegalArgumentException("not a federated login name: " + qualifiedName);
        }
        TokenSigner.Issued issued = signer.issue(qualifiedName, Authenticator.FEDERATED_MARK, ttl);
        ctx.res().addHeader("Set-Cookie", cookie(ctx, issued.token(), ttl.toSeconds()));
        ctx.header("Cache-Control", "no-store");
    }

    /** {@code GET /sessions/current}: who the session is, and its CSRF token (the page may have been reloaded). */
    public void current(Context ctx) {
        String token = ctx.cookie(COOKIE);
        if (token == null || ctx.header("Authorization") != null) {
            throw ApiError.unauthorized("no session: this request was not authenticated by the session cookie");
        }
        ctx.header("Cache-Control", "no-store");
        ctx.json(describe(HttpSupport.principal(ctx), token,
            signer.verify(token).map(c -> c.expires().toString()).orElse(null)));
    }

    /**
     * {@code DELETE /sessions/current}: the session is revoked on the server (its cookie is refused from now on,
     * wherever it was copied) and the browser forgets it.
     */
    public void end(Context ctx) {
        String token = ctx.cookie(COOKIE);
        if (token != null && ctx.header("Authorization") == null) {
            signer.verify(token).ifPresent(claims -> revocations.revoke(token, claims.expires()));
        }
        ctx.res().addHeader("Set-Cookie", cookie(ctx, "", 0));
        ctx.json(Map.of("ended", true));
    }

    /**
     * {@code DELETE /accounts/{account}/users/{username}/sessions} (admins): every session and bearer token of that
     * login issued until now is refused from now on; a person signed in through OIDC is {@code oidc:<sub>}.
     */
    public void revokeUser(Context ctx) {
        String login = ctx.pathParam("username") + "@" + ctx.pathParam("account");
        revocations.revokeUser(login);
        ctx.json(Map.of("user", login, "revoked", true));
    }

    /**
     * The caller of a request that carries no {@code Authorization} header but a session cookie, or null when it
     * has no cookie. A write must carry the session's CSRF token (403 otherwise, before anything is done).
     */
    public Principal fromCookie(Context ctx) {
        String token = ctx.cookie(COOKIE);
        if (token == null || token.isEmpty() || ctx.header("Authorization") != null) {
            return null;
        }
        Principal principal = authenticator.session(token);
        if (!SAFE_METHODS.contains(ctx.req().getMethod().toUpperCase(Locale.ROOT))) {
            String sent = ctx.header(CSRF_HEADER);
            if (sent == null || !MessageDigest.isEqual(
                sent.getBytes(StandardCharsets.UTF_8),
                csrfToken(token).getBytes(StandardCharsets.UTF_8))) {
                throw new ApiError(403, "CSRF", "a write on a session needs the session's " + CSRF_HEADER
                    + " header (from POST /api/v1/sessions or GET /api/v1/sessions/current)", CSRF_HEADER);
            }
        }
        return principal;
    }

    /** Derived from the session token, which only the browser's cookie jar and this server know. */
    static String csrfToken(String sessionToken) {
        return Authenticator.sha256("csrf\n" + sessionToken);
    }

    private static Map<String, Object> describe(Principal p, String token, String expiresAt) {
        return Map.of(
            "user", p.qualifiedName(),
            "account", p.account(),
            "admin", p.admin(),
            "csrfToken", csrfToken(token),
            "expiresAt", expiresAt == null ? "" : expiresAt);
    }

    private static String cookie(Context ctx, String value, long maxAgeSeconds) {
        // Path=/ so the console under /ui and the API under /api/v1 share it; Secure only where the browser will
        // send it back (a Secure cookie set over plain HTTP on 127.0.0.1 would be dropped by the browser).
        return COOKIE + "=" + value + "; Path=/; Max-Age=" + maxAgeSeconds + "; HttpOnly; SameSite=Strict"
            + (ctx.req().isSecure() ? "; Secure" : "");
    }
}
