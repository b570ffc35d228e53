package org.epicgateway.api.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stateless bearer tokens: {@code epic1.<payload>.<HMAC-SHA256>} with the payload naming the user, the expiry and a
 * fingerprint of the user's password hash. Nothing is stored per token, so tokens survive an API restart (the key is
 * a file under var/), and removing or re-creating a user invalidates its tokens (the fingerprint no longer matches).
 */
public final class TokenSigner {
    private static final String PREFIX = "epic1.";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final byte[] key;
    private final Clock clock;

    public TokenSigner(byte[] key, Clock clock) {
        this.key = key.clone();
        this.clock = clock;
    }

    /** Loads the server secret from {@code file}, creating a random 256-bit one (owner-only) on first start. */
    public static TokenSigner fromKeyFile(Path file, Clock clock) {
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.toAbsolutePath().getParent());
                byte[] fresh = new byte[32];
                new SecureRandom().nextBytes(fresh);
                Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "token-key", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.write(tmp, HexFormat.of().formatHex(fresh).getBytes(StandardCharsets.US_ASCII));
                Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            byte[] key = HexFormat.of().parseHex(Files.readString(file, StandardCharsets.US_ASCII).strip());
            return new TokenSigner(key, clock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the API token key " + file, e);
        }
    }

    public record Claims(String qualifiedName, Instant expires, String fingerprint) {
    }

    public record Issued(String token, Instant expires) {
    }

    public Issued issue(String qualifiedName, String passwordHash, Duration ttl) {
        Instant expires = clock.instant().plus(ttl);
        String payload = qualifiedName + "\n" + expires.getEpochSecond() + "\n" + fingerprint(passwordHash);
        String encoded = B64.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        return new Issued(PREFIX + encoded + "." + B64.encodeToString(mac(encoded)), expires);
    }


    /** The claims of a well-formed, correctly signed, unexpired token; empty otherwise. */
    public Optional<Claims> verify(String token) {
        if (!token.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String[] parts = token.substring(PREFIX.length()).split("\\.", -1);
        if (parts.length != 2) {
            return Optional.empty();
        }
        try {
            if (!MessageDigest.isEqual(mac(parts[0]), B64D.decode(parts[1]))) {
                return Optional.empty();
            }
            String[] fields = new String(B64D.decode(parts[0]), StandardCharsets.UTF_8).split("\n", -1);
            if (fields.length != 3) {
                return Optional.empty();
            }
            Instant expires = Instant.ofEpochSecond(Long.parseLong(fields[1]));
            if (!clock.instant().isBefore(expires)) {
                return Optional.empty();
            }
            return Optional.of(new Claims(fields[0], expires, fields[2]));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Binds a token to the exact password hash it was issued against. */
    public static String fingerprint(String passwordHash) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(passwordHash.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 12);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }

    private byte[] mac(String encodedPayload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(encodedPayload.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by every JDK", e);
        }
    }
}
