package org.epicgateway.api.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jwt.JWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.GeneralException;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.epicgateway.api.ApiError;
import org.epicgateway.api.auth.Authenticator;
import org.epicgateway.api.auth.Sessions;
import org.epicgateway.schemas.avro.AccountState;

/**
 * Sign-in through the platform's OpenID Connect provider: authorization code flow with PKCE (S256), a state bound to
 * the browser by a cookie, a nonce, and the ID token validated by Nimbus ({@link IDTokenValidator}: signature against
 * the provider's published keys, issuer, audience = our client id, expiry, nonce). The account is the value of the
 * configured claim and must be a live account; the person becomes {@code oidc:<sub>@<account>}, a tenant of that
 * account (never an admin: platform admins are API users), and gets the same browser session as a password
 * sign-in ({@link Sessions}). Nothing is stored but the pending logins (in memory, 10 minutes, bounded).
 */
public final class OidcSignIn {
    private static final String STATE_COOKIE = "epic_oidc_state";
    private static final Duration PENDING_FOR = Duration.ofMinutes(10);
    private static final int MAX_PENDING = 10_000;
    private static final String CALLBACK = "/api/v1/oidc/callback";

    private record Pending(Nonce nonce, CodeVerifier verifier, URI redirectUri, Instant expires) {
    }

    private final OidcConfig config;
    private final Function<String, Optional<AccountState>> accounts;
    private final Sessions sessions;
    private final Clock clock;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private volatile OIDCProviderMetadata provider;

    /** @param config null when the platform has no OIDC provider: the routes then answer 404 */
    public OidcSignIn(OidcConfig config, Function<String, Optional<AccountState>> accounts, Sessions sessions,
                      Clock clock) {
        this.config = config;
        this.accounts = accounts;
        this.sessions = sessions;
        this.clock = clock;
    }

    /** {@code GET /oidc}: whether the sign-in page offers the provider. */
    public void describe(Context ctx) {
        ctx.json(config == null ? Map.of("enabled", false)
            : Map.of("enabled", true, "issuer", config.issuer().toString()));
    }

    /** {@code GET /oidc/login}: to the provider's authorization endpoint. */
    public void login(Context ctx) {
        OIDCProviderMetadata op = provider();
        State state = new State();
        Nonce nonce = new Nonce();
        CodeVerifier verifier = new CodeVerifier();
        URI redirect = config.redirectUri() != null ? config.redirectUri()
            : URI.create(ctx.scheme() + "://" + ctx.host() + CALLBACK);
        forgetExpired();
        if (pending.size() >= MAX_PENDING) {
            throw ApiError.tooManyRequests("too many sign-ins in progress; retry in a minute", 60);
        }
        pending.put(state.getValue(), new Pending(nonce, verifier, redirect, clock.instant().plus(PENDING_FOR)));
        AuthenticationRequest request = new AuthenticationRequest.Builder(ResponseType.CODE, new Scope("openid"),
            new ClientID(config.clientId()), redirect)
            .endpointURI(op.getAuthorizationEndpointURI())
            .state(state).nonce(nonce).codeChallenge(verifier, CodeChallengeMethod.S256)
            .build();
        // Lax: the provider sends the browser back with a top-level GET from its own site, which Strict would drop.
        ctx.res().addHeader("Set-Cookie", STATE_COOKIE + "=" + state.getValue() + "; Path=" + CALLBACK + "; Max-Age="
            + PENDING_FOR.toSeconds() + "; HttpOnly; SameSite=Lax" + (ctx.req().isSecure() ? "; Secure" : ""));
        ctx.redirect(request.toURI().toString());
    }

    /**
     * {@code GET /oidc/callback?code=&state=}: code to tokens, the ID token checked, a session, back to the console.
     * A refusal starts no session; a browser (it asks for HTML) is sent to the console's sign-in page with the reason
     * in the fragment (never sent to a server, so not logged), any other client gets the API's JSON error.
     */
    public void callback(Context ctx) {
        try {
            signIn(ctx);
        } catch (ApiError refused) {
            String accept = ctx.header("Accept");
            if (accept == null || !accept.contains("text/html")) {
                throw refused;
            }
            ctx.res().addHeader("Set-Cookie", STATE_COOKIE + "=; Path=" + CALLBACK + "; Max-Age=0; HttpOnly; SameSite=Lax");
            ctx.redirect("/ui/#signin-refused=" + URLEncoder.encode(refused.getMessage(), StandardCharsets.UTF_8)
                .replace("+", "%20"), HttpStatus.SEE_OTHER);
        }
    }

    private void signIn(Context ctx) {
        provider();
        String error = ctx.queryParam("error");
        if (error != null) {
            throw ApiError.unauthorized("the identity provider refused the sign-in: " + error
                + Optional.ofNullable(ctx.queryParam("error_description")).map(d -> " (" + d + ")").orElse(""));
        }
        String state = ctx.queryParam("state");
        if (state == null || !state.equals(ctx.cookie(STATE_COOKIE))) {
            throw ApiError.unauthorized("this sign-in was not started in this browser (state does not match)");
        }
        Pending login = pending.remove(state);
        if (login == null || clock.instant().isAfter(login.expires())) {
            throw ApiError.unauthorized("the sign-in expired or was already used: start again");
        }
        String code = ctx.queryParam("code");
        if (code == null || code.isBlank()) {
            throw ApiError.badRequest("the provider sent no authorization code", "code");
        }
        IDTokenClaimsSet claims = claims(login, new AuthorizationCode(code));
        Object accountClaim = claims.getClaim(config.accountClaim());
        if (!(accountClaim instanceof String account) || account.isBlank()) {
            throw ApiError.forbidden("the ID token has no '" + config.accountClaim()
                + "' claim naming an EPIC account");
        }
        if (accounts.apply(account).isEmpty()) {
            throw ApiError.forbidden("account '" + account + "' named by the ID token does not exist");
        }
        sessions.startFederated(ctx, Authenticator.FEDERATED_PREFIX + claims.getSubject().getValue() + "@" + account);
        ctx.res().addHeader("Set-Cookie", STATE_COOKIE + "=; Path=" + CALLBACK + "; Max-Age=0; HttpOnly; SameSite=Lax");
        ctx.redirect("/ui/");
    }

    private IDTokenClaimsSet claims(Pending login, AuthorizationCode code) {
        OIDCProviderMetadata op = provider();
        ClientID client = new ClientID(config.clientId());
        AuthorizationCodeGrant grant = new AuthorizationCodeGrant(code, login.redirectUri(), login.verifier());
        TokenRequest request = config.clientSecret() == null
            ? new TokenRequest(op.getTokenEndpointURI(), client, grant)
            : new TokenRequest(op.getTokenEndpointURI(), new ClientSecretBasic(client, new Secret(config.clientSecret())), grant);
        try {
            TokenResponse response = OIDCTokenResponseParser.parse(request.toHTTPRequest().send());
            if (!response.indicatesSuccess()) {
                throw ApiError.unauthorized("the identity provider refused the code: "
                    + response.toErrorResponse().getErrorObject().getDescription());
            }
            JWT idToken = ((OIDCTokenResponse) response.toSuccessResponse()).getOIDCTokens().getIDToken();
            IDTokenValidator validator = new IDTokenValidator(op.getIssuer(), client,
                JWSAlgorithm.RS256, op.getJWKSetURI().toURL());
            return validator.validate(idToken, login.nonce());
        } catch (BadJOSEException | JOSEException e) {
            throw ApiError.unauthorized("the ID token is not valid: " + e.getMessage());
        } catch (IOException | ParseException e) {
            throw new ApiError(502, "IDENTITY_PROVIDER", "the identity provider's token endpoint failed: "
                + e.getMessage(), null);
        }
    }

    /** Discovered once, at the first sign-in (the API starts even while the provider is unreachable). */
    private OIDCProviderMetadata provider() {
        if (config == null) {
            throw ApiError.notFound("OIDC sign-in is not configured on this platform (EPIC_OIDC_ISSUER)");
        }
        OIDCProviderMetadata op = provider;
        if (op == null) {
            try {
                op = OIDCProviderMetadata.resolve(new Issuer(config.issuer()));
            } catch (IOException | GeneralException e) {
                throw new ApiError(502, "IDENTITY_PROVIDER", "cannot read the identity provider's configuration at "
                    + config.issuer() + ": " + e.getMessage(), null);
            }
            provider = op;
        }
        return op;
    }

    private void forgetExpired() {
        Instant now = clock.instant();
        pending.values().removeIf(p -> now.isAfter(p.expires()));
    }
}
