package org.epicgateway.api.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.epicgateway.api.ApiError;
import org.epicgateway.platform.secrets.SecretBox;

/**
 * bcrypt hashing of API user passwords. Only the hash leaves the API, and only encrypted ({@link SecretBox}): commands
 * and events carry {@code aesgcm1:...}, which this class opens again to check a password.
 */
public final class Passwords {
    /** bcrypt reads at most 72 bytes; longer passwords would be silently truncated, so they are refused. */
    static final int MAX_BYTES = 72;
    static final int MIN_LENGTH = 8;
    private final int cost;
    /** What the API's SecretBox seals (bound into each ciphertext; the bytes every stored hash was sealed with). */
    public static final String SECRET_PURPOSE = "epic api password hash";

    private final SecretBox box;
    /** Checked in place of a hash that cannot be decrypted (key erased), so such a refusal costs the same time. */
    private final String standIn;
    private final LongAdder checks = new LongAdder();

    public Passwords(int cost, SecretBox box) {
        this.cost = cost;
        this.box = box;
        this.standIn = randomHash();
    }

    public String hash(String password, String field) {
        if (password.length() < MIN_LENGTH) {
            throw ApiError.unprocessable("VALIDATION", "password must have at least " + MIN_LENGTH + " characters", field);
        }
        byte[] bytes = password.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_BYTES) {
            throw ApiError.unprocessable("VALIDATION", "password must be at most " + MAX_BYTES + " bytes (bcrypt limit)", field);
        }
        return box.seal(new String(BCrypt.withDefaults().hash(cost, bytes), StandardCharsets.UTF_8));
    }

    /**
     * Whether {@code password} matches. Always runs one bcrypt verification, also for a password bcrypt cannot take
     * (over 72 bytes: its first 72 are checked, then refused), so every refusal costs the same time.
     */
    public boolean matches(String password, String storedHash) {
        byte[] bytes = password.getBytes(StandardCharsets.UTF_8);
        byte[] checked = bytes.length <= MAX_BYTES ? bytes : Arrays.copyOf(bytes, MAX_BYTES);
        Optional<String> bcryptHash = box.open(storedHash);
        checks.increment();
        boolean verified = BCrypt.verifyer().verify(checked,
            bcryptHash.orElse(standIn).getBytes(StandardCharsets.UTF_8)).verified;
        return verified && bcryptHash.isPresent() && bytes.length <= MAX_BYTES;
    }

    /** Whether a stored hash can still be decrypted with this API's key (false once the key was erased). */
    public boolean readable(String storedHash) {
        return box.open(storedHash).isPresent();
    }

    /** A stored-form hash of a random secret nobody knows, at this instance's cost (the stand-in for unknown users). */
    String unguessableHash() {
        return box.seal(randomHash());
    }

    private String randomHash() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        byte[] text = Base64.getEncoder().encode(secret);
        return new String(BCrypt.withDefaults().hash(cost, text), StandardCharsets.UTF_8);
    }

    /** bcrypt verifications run so far (the metric {@code epic_api_password_checks_total}). */
    public long checks() {
        return checks.sum();
    }
}
