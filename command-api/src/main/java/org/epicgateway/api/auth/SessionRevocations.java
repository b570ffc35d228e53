package org.epicgateway.api.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sessions and tokens ended before their expiry: one token (sign-out) or every token of a user issued until a moment
 * (an admin's revocation). Tokens are stateless ({@link TokenSigner}), so this is the one thing the API remembers
 * about them: the SHA-256 of each revoked token until it would have expired, and a cut-off per revoked user until
 * every token issued before it has expired (issued = expiry - the configured TTL). Checked on every bearer and
 * session request, so a revoked cookie is refused at once. Kept in memory and appended to a file under the API's
 * data directory (one line per revocation, rewritten without the expired ones at start), so a restart forgets none.
 */
public final class SessionRevocations {
    private final Path file;
    private final Duration ttl;
    private final Clock clock;
    private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
    private final Map<String, Instant> users = new ConcurrentHashMap<>();

    public SessionRevocations(Path file, Duration ttl, Clock clock) {
        this.file = file;
        this.ttl = ttl;
        this.clock = clock;
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    String[] f = line.split(" ", 3);
                    if (f.length == 3) {
                        (f[0].equals("token") ? tokens : users).merge(f[2], Instant.parse(f[1]), (a, b) -> a.isAfter(b) ? a : b);
                    }
                }
            }
            Instant now = clock.instant();
            tokens.values().removeIf(expires -> !expires.isAfter(now));
            users.values().removeIf(cutoff -> !cutoff.plus(ttl).isAfter(now));
            List<String> kept = new ArrayList<>();
            tokens.forEach((digest, expires) -> kept.add("token " + expires + " " + digest));
            users.forEach((user, cutoff) -> kept.add("user " + cutoff + " " + user));
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, kept, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or rewrite the session revocations " + file, e);
        }
    }

    /** Ends one token (a sign-out): refused from now on, until it would have expired anyway. */
    public void revoke(String token, Instant expires) {
        String digest = Authenticator.sha256(token);
        tokens.put(digest, expires);
        append("token " + expires + " " + digest);
    }

    /** Ends every session and token of {@code qualifiedName} issued until now; later sign-ins are not affected. */
    public void revokeUser(String qualifiedName) {
        Instant now = clock.instant();
        users.put(qualifiedName, now);
        append("user " + now + " " + qualifiedName);
    }

    public boolean revoked(String token, TokenSigner.Claims claims) {
        Instant cutoff = users.get(claims.qualifiedName());
        // Token expiries are whole seconds: a token issued in the second of the revocation counts as before it.
        return (cutoff != null && !claims.expires().minus(ttl).isAfter(cutoff))
            || tokens.containsKey(Authenticator.sha256(token));
    }

    private synchronized void append(String line) {
        try {
            Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record a session revocation in " + file, e);
        }
    }
}
