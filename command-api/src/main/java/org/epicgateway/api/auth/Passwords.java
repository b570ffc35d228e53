package org.epicgateway.api.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;
import org.epicgateway.api.ApiError;

/** bcrypt hashing of API user passwords; only the hash ever leaves the API (in the ApiUserAdded event). */
public final class Passwords {
    /** bcrypt reads at most 72 bytes; longer passwords would be silently truncated, so they are refused. */
    static final int MAX_BYTES = 72;
    static final int MIN_LENGTH = 8;
    private final int cost;

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

    public boolean matches(String password, String bcryptHash) {
        byte[] bytes = password.getBytes(StandardCharsets.UTF_8);
        return bytes.length <= MAX_BYTES
            && BCrypt.verifyer().verify(bytes, bcryptHash.getBytes(StandardCharsets.UTF_8)).verified;
    }
}
