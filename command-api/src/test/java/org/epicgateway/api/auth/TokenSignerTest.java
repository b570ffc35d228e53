package org.epicgateway.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenSignerTest {
    private static final Instant T0 = Instant.parse("2026-11-22T04:00:00Z");
    private static final String HASH = "$2a$04$abcdefghijklmnopqrstuuN2b8l7y0jz8q3rJ5m9xG0yQ8sK9vZ6e";

    private static Clock at(Instant t) {
        return Clock.fixed(t, ZoneOffset.UTC);
    }

    @Test
    void aTokenCarriesItsUserUntilItExpires(@TempDir Path dir) {
        Path key = dir.resolve("api/token.key");
        TokenSigner.Issued issued = TokenSigner.fromKeyFile(key, at(T0)).issue("alice@acme", HASH, Duration.ofMinutes(10));
        assertThat(issued.expires()).isEqualTo(T0.plus(Duration.ofMinutes(10)));

        // Another signer on the same key file (an API restart) accepts it until the expiry, not at or after it.
        TokenSigner.Claims claims = TokenSigner.fromKeyFile(key, at(T0.plusSeconds(599))).verify(issued.token()).orElseThrow();
        assertThat(claims.qualifiedName()).isEqualTo("alice@acme");
        assertThat(claims.fingerprint()).isEqualTo(TokenSigner.fingerprint(HASH));
        assertThat(TokenSigner.fromKeyFile(key, at(T0.plusSeconds(600))).verify(issued.token())).isEmpty();
    }

    @Test
    void theKeyFileIsPrivateAndOtherKeysOrEditsAreRefused(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("token.key");
        String token = TokenSigner.fromKeyFile(key, at(T0)).issue("alice@acme", HASH, Duration.ofHours(1)).token();
        assertThat(Files.getPosixFilePermissions(key))
            .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

        assertThat(TokenSigner.fromKeyFile(dir.resolve("other.key"), at(T0)).verify(token)).isEmpty();
        TokenSigner signer = TokenSigner.fromKeyFile(key, at(T0));
        String[] parts = token.split("\\.");
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
            .encodeToString("mallory@acme\n9999999999\nffffffffffffffffffffffff".getBytes()) + "." + parts[2];
        assertThat(signer.verify(forged)).isEmpty();
        assertThat(signer.verify("epic1.garbage")).isEmpty();
        assertThat(signer.verify("Bearer " + token)).isEmpty();
        assertThat(signer.verify(token)).isPresent();
    }
}
