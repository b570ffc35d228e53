package org.epicgateway.api.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.epicgateway.api.ApiError;
import org.epicgateway.schemas.avro.AccountState;
import org.epicgateway.schemas.avro.ApiUser;

/**
 * Resolves the {@code Authorization} header to a {@link Principal}. Users live in the account aggregates (fold of
 * ApiUserAdded/ApiUserRemoved), so a removed user is locked out at once. Login names are {@code <username>@<account>}.
 */
public final class Authenticator {
    /** bcrypt costs tens of milliseconds per check; remember credentials that verified (hashed, bounded). */
    private static final int VERIFIED_CACHE_LIMIT = 10_000;

    private final Function<String, Optional<AccountState>> accounts;
    private final Passwords passwords;
    private final TokenSigner tokens;
    private final LoginThrottle throttle;
    private final SessionRevocations revocations;
    /**
     * Checked instead of a stored hash when the login names no user, so an unknown user costs one bcrypt check like
     * a known one and user names cannot be found by timing. Same cost as real hashes; no password matches it.
     */
    private final String dummyHash;
    private final Map<String, Boolean> verified = new ConcurrentHashMap<>();
    /**
     * Login names of people signed in through OIDC start with this; API user names are DNS labels, which cannot
     * contain ':', so the two never meet.
     */
    public static final String FEDERATED_PREFIX = "oidc:";
    /** What a federated session's token is bound to instead of a password hash. */
    static final String FEDERATED_MARK = "federated-sign-in";

    /** @param accounts the account aggregate by account name (empty when missing or deleted) */
    public Authenticator(Function<String, Optional<AccountState>> accounts, Passwords passwords, TokenSigner tokens,
                         LoginThrottle throttle, SessionRevocations revocations) {
        this.revocations = revocations;
        this.accounts = accounts;
        this.passwords = passwords;
        this.tokens = tokens;
        this.throttle = throttle;
        this.dummyHash = passwords.unguessableHash();
    }

    /**
     * The caller, or 401 when the header is missing, malformed or does not match a user, or 429 (with the wait) when
     * password logins of that user or from {@code clientAddress} are throttled ({@link LoginThrottle}).
     */
    public Principal authenticate(String authorization, String clientAddress) {
        if (authorization == null || authorization.isBlank()) {
            throw ApiError.unauthorized("authentication required: HTTP Basic <username>@<account> or a bearer token");
        }
        if (regionMatches(authorization, "Basic ")) {
            return basic(authorization.substring(6).trim(), clientAddress);
        }
        if (regionMatches(authorization, "Bearer ")) {
            return bearer(authorization.substring(7).trim());
        }
        throw ApiError.unauthorized("unsupported Authorization scheme; use Basic or Bearer");
    }

    /** The user a password login names, with its stored hash; for issuing tokens bound to that hash. */
    public ApiUser userOf(Principal principal) {
        return findUser(principal.qualifiedName()).orElseThrow(() -> ApiError.unauthorized("user no longer exists"));
    }

    private Principal basic(String encoded, String clientAddress) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiError.unauthorized("malformed Basic credentials");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            throw ApiError.unauthorized("malformed Basic credentials");
        }
        String login = decoded.substring(0, colon);
        String password = decoded.substring(colon + 1);
        throttle.waitBefore(login, clientAddress).ifPresent(wait -> {
            throw ApiError.tooManyRequests("too many failed logins for this user or from this address; retry after "
                + retryAfterSeconds(wait) + " s", retryAfterSeconds(wait));
        });
        Optional<ApiUser> user = findUser(login);
        String hash = user.map(ApiUser::getPasswordHash).orElse(dummyHash);
        String cacheKey = sha256(login + "\n" + password + "\n" + hash);
        if (!verified.containsKey(cacheKey)) {
            // Known or not, one bcrypt check: the answer takes the same time either way.
            if (!passwords.matches(password, hash) || user.isEmpty()) {
                throttle.failed(login, clientAddress);
                throw badCredentials();
            }
            if (verified.size() >= VERIFIED_CACHE_LIMIT) {
                verified.clear();
            }
            verified.put(cacheKey, Boolean.TRUE);
        }
        throttle.succeeded(login);
        return principal(login, user.get());
    }

    private static long retryAfterSeconds(Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000);
    }

    /** The caller of a session cookie ({@link Sessions}): a bearer token, checked the same way. */
    public Principal session(String token) {
        try {
            return bearer(token);
        } catch (ApiError e) {
            throw ApiError.unauthorized("the session has ended or expired: sign in again");
        }
    }

    private Principal bearer(String token) {
        TokenSigner.Claims claims = tokens.verify(token)
            .orElseThrow(() -> ApiError.unauthorized("invalid or expired token"));
        if (revocations.revoked(token, claims)) {
            throw ApiError.unauthorized("token revoked: its session was signed out or revoked by an admin");
        }
        if (claims.qualifiedName().startsWith(FEDERATED_PREFIX)) {
            return federated(claims);
        }
        ApiUser user = findUser(claims.qualifiedName())
            .filter(u -> TokenSigner.fingerprint(u.getPasswordHash()).equals(claims.fingerprint()))
            .orElseThrow(() -> ApiError.unauthorized("token no longer valid: its user was removed or re-created"));
        return principal(claims.qualifiedName(), user);
    }

    /**
     * A person signed in through the platform's identity provider: a tenant of a live account, with no password
     * hash to bind the token to, so the token carries {@link #FEDERATED_MARK}'s fingerprint and lives until it expires.
     */
    private Principal federated(TokenSigner.Claims claims) {
        String login = claims.qualifiedName();
        int at = login.lastIndexOf('@');
        if (at <= FEDERATED_PREFIX.length() || !claims.fingerprint().equals(TokenSigner.fingerprint(FEDERATED_MARK))
            || accounts.apply(login.substring(at + 1)).isEmpty()) {
            throw ApiError.unauthorized("token no longer valid: its account was removed");
        }
        return new Principal(login.substring(at + 1), login.substring(0, at), List.of());
    }

    private Optional<ApiUser> findUser(String login) {
        int at = login.lastIndexOf('@');
        if (at <= 0 || at == login.length() - 1) {
            return Optional.empty();
        }
        String username = login.substring(0, at);
        return accounts.apply(login.substring(at + 1))
            .flatMap(a -> a.getUsers().stream().filter(u -> u.getUsername().equals(username)).findFirst());
    }

    private static Principal principal(String login, ApiUser user) {
        int at = login.lastIndexOf('@');
        return new Principal(login.substring(at + 1), user.getUsername(), List.copyOf(user.getRoles()));
    }

    private static ApiError badCredentials() {
        return ApiError.unauthorized("unknown user or wrong password (log in as <username>@<account>)");
    }

    private static boolean regionMatches(String header, String scheme) {
        return header.regionMatches(true, 0, scheme, 0, scheme.length());
    }

    /** Hex SHA-256 of the UTF-8 text (login cache keys, idempotency-key command ids). */
    public static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }
}
