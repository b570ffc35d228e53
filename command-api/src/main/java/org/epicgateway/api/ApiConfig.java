package org.epicgateway.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.epicgateway.api.oidc.OidcConfig;

/**
 * Settings of the command API. {@link #fromEnvironment()} reads {@code EPIC_API_HOST} (where HTTPS listens; plain
 * HTTP is always 127.0.0.1 only), {@code EPIC_API_TLS_PORT} (8443), {@code EPIC_API_TLS_KEYSTORE} +
 * {@code EPIC_API_TLS_PASSWORD} (a PKCS#12 certificate and key; else a self-signed one is generated under
 * {@code <dataDir>/api/tls}) and {@code EPIC_ADMIN_PASSWORD} (else a generated one is kept in
 * {@code <dataDir>/api/admin-password}).
 *
 * @param port            plain HTTP, on 127.0.0.1 only
 * @param tlsPort         HTTPS, on {@code host}
 * @param tlsKeystore     PKCS#12 key store of the HTTPS certificate; null for the generated self-signed one
 * @param bcryptCost      work factor for new password hashes (10 in production; tests may use 4, bcrypt's minimum)
 * @param commandTimeout  how long a write waits for its CommandResult before answering 503
 * @param tokenTtl        lifetime of bearer tokens
 * @param auditMaxScan    records one audit request may read at most
 * @param oidc            the platform's OpenID Connect provider for console sign-in; null: none
 *                        ({@code EPIC_OIDC_*}, {@link OidcConfig#fromEnvironment()})
 */
public record ApiConfig(String host, int port, String adminAccount, String adminUser, String adminPassword,
                        int bcryptCost, Duration commandTimeout, Duration tokenTtl, int auditMaxScan,
                        int tlsPort, Path tlsKeystore, String tlsPassword, OidcConfig oidc) {

    /** HTTPS on a free port with the generated self-signed certificate (tests, benchmarks). */
    public ApiConfig(String host, int port, String adminAccount, String adminUser, String adminPassword,
                     int bcryptCost, Duration commandTimeout, Duration tokenTtl, int auditMaxScan) {
        this(host, port, adminAccount, adminUser, adminPassword, bcryptCost, commandTimeout, tokenTtl, auditMaxScan,
            0, null, null, null);
    }

    public static final String DEFAULT_ADMIN_ACCOUNT = "system";
    public static final String DEFAULT_ADMIN_USER = "admin";

    /** Port 8080 unless {@link #withPort}; the rest from the environment and defaults. */
    public static ApiConfig fromEnvironment() {
        return new ApiConfig(System.getenv().getOrDefault("EPIC_API_HOST", "127.0.0.1"), 8080,
            DEFAULT_ADMIN_ACCOUNT, DEFAULT_ADMIN_USER, System.getenv("EPIC_ADMIN_PASSWORD"), 10,
            Duration.ofSeconds(30), Duration.ofHours(12), 100_000,
            Integer.parseInt(System.getenv().getOrDefault("EPIC_API_TLS_PORT", "8443")),
            Optional.ofNullable(System.getenv("EPIC_API_TLS_KEYSTORE")).map(Path::of).orElse(null),
            System.getenv("EPIC_API_TLS_PASSWORD"), OidcConfig.fromEnvironment());
    }

    public ApiConfig withPort(int newPort) {
        return new ApiConfig(host, newPort, adminAccount, adminUser, adminPassword, bcryptCost, commandTimeout,
            tokenTtl, auditMaxScan, tlsPort, tlsKeystore, tlsPassword, oidc);
    }

    public ApiConfig withTlsPort(int newTlsPort) {
        return new ApiConfig(host, port, adminAccount, adminUser, adminPassword, bcryptCost, commandTimeout,
            tokenTtl, auditMaxScan, newTlsPort, tlsKeystore, tlsPassword, oidc);
    }

    public ApiConfig withOidc(OidcConfig newOidc) {
        return new ApiConfig(host, port, adminAccount, adminUser, adminPassword, bcryptCost, commandTimeout,
            tokenTtl, auditMaxScan, tlsPort, tlsKeystore, tlsPassword, newOidc);
    }
}
