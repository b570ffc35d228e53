package org.epicgateway.api.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.atomic.LongAdder;
import org.epicgateway.api.ApiError;

/** bcrypt hashing of API user passwords; only the hash ever leaves the API (in the ApiUserAdded event). */
public final class Passwords {
    /** bcrypt reads at most 72 bytes; longer passwords would be silently truncated, so they are refused. */
    static final int MAX_BYTES = 72;
    static final int MIN_LENGTH = 8;
    private final int cost;
    private final LongAdder checks = new LongAdder();

    public Passwords(int cost) {
        this.cost = cost;
    }

    public String hash(String password, String field) {
        if (password.length() < MIN_LENGTH) {
            throw ApiError.unprocessable("VALIDATION", "password must have at least " + MIN_LENGTH + " characters", field);
        }
        byte[] bytes = password.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_BYTES) {
            throw ApiError.unprocessable("VALIDATION", "password must be at most " + MAX_BYTES + " bytes (bcrypt limit)", field);
        }
        return new String(BCrypt.withDefaults().hash(cost, bytes), StandardCharsets.UTF_8);
    }

    /**
     * Whether {@code password} matches. Always runs one bcrypt verification, also for a password bcrypt cannot take
     * (over 72 bytes: its first 72 are checked, then refused), so every refusal costs the same time.
     */
    public boolean matches(String password, String bcryptHash) {
        byte[] bytes = password.getBytes(StandardCharsets.UTF_8);
        byte[] checked = bytes.length <= MAX_BYTES ? bytes : Arrays.copyOf(bytes, MAX_BYTES);
        checks.increment();
        boolean verified = BCrypt.verifyer().verify(checked, bcryptHash.getBytes(StandardCharsets.UTF_8)).verified;
        return verified && bytes.length <= MAX_BYTES;
    }

    /** A hash of a random 32-byte secret nobody knows, at this instance's cost (the stand-in for unknown users). */
    String unguessableHash() {
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
