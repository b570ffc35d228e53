package org.epicgateway.api;

import java.time.Duration;

/**
 * Settings of the command API. {@link #fromEnvironment()} reads {@code EPIC_API_HOST} and
 * {@code EPIC_ADMIN_PASSWORD} (else a generated one is kept in {@code <dataDir>/api/admin-password}).
 *
 * @param bcryptCost      work factor for new password hashes (10 in production; tests may use 4, bcrypt's minimum)
 * @param commandTimeout  how long a write waits for its CommandResult before answering 503
 * @param tokenTtl        lifetime of bearer tokens
 * @param auditMaxScan    records one audit request may read at most
 */
public record ApiConfig(String host, int port, String adminAccount, String adminUser, String adminPassword,
                        int bcryptCost, Duration commandTimeout, Duration tokenTtl, int auditMaxScan) {

    public static final String DEFAULT_ADMIN_ACCOUNT = "system";
    public static final String DEFAULT_ADMIN_USER = "admin";

    /** Port 8080 unless {@link #withPort}; the rest from the environment and defaults. */
    public static ApiConfig fromEnvironment() {
        return new ApiConfig(System.getenv().getOrDefault("EPIC_API_HOST", "127.0.0.1"), 8080,
            DEFAULT_ADMIN_ACCOUNT, DEFAULT_ADMIN_USER, System.getenv("EPIC_ADMIN_PASSWORD"), 10,
            Duration.ofSeconds(30), Duration.ofHours(12), 100_000);
    }

    public ApiConfig withPort(int newPort) {
        return new ApiConfig(host, newPort, adminAccount, adminUser, adminPassword, bcryptCost, commandTimeout,
            tokenTtl, auditMaxScan);
    }
}
