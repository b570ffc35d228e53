package org.epicgateway.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.epicgateway.api.ApiError;
import org.epicgateway.schemas.avro.AccountState;
import org.epicgateway.schemas.avro.ApiUser;
import org.junit.jupiter.api.Test;
import org.epicgateway.platform.secrets.SecretBox;

/**
 * Password logins: the same bcrypt work for unknown and known users, and throttling per login and per address; revoked
 * tokens (a sign-out, an admin's revocation of a user) refused.
 */
class AuthenticatorTest {
    private static final Passwords PASSWORDS = new Passwords(4, new SecretBox(new byte[32], Passwords.SECRET_PURPOSE));
    private static final String ALICE_HASH = PASSWORDS.hash("alice-password-1", "password");

    /** A clock the test moves. */
    private static final class MovingClock extends Clock {
        Instant now = Instant.parse("2026-12-04T12:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final MovingClock clock = new MovingClock();
    private final LoginThrottle throttle = LoginThrottle.standard(clock);
    private static final Duration TTL = Duration.ofHours(1);
    private final Path revokedFile = temporaryFile();
    private final TokenSigner signer = new TokenSigner(new byte[32], clock);
    private final Authenticator auth = authenticator(new SessionRevocations(revokedFile, TTL, clock));

    private Authenticator authenticator(SessionRevocations revocations) {
        return new Authenticator(account -> Optional.ofNullable(Map.of("acme", new AccountState("acme", "Acme",
            List.of(new ApiUser("alice", ALICE_HASH, List.of())), null)).get(account)),
            PASSWORDS, signer, throttle, revocations);
    }

    private static Path temporaryFile() {
        try {
            return Files.createTempDirectory("epic-revocations-").resolve("revoked-sessions");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String basic(String login, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((login + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private int status(String login, String password, String address) {
        try {
            auth.authenticate(basic(login, password), address);
            return 200;
        } catch (ApiError e) {
            return e.status();
        }
    }

    /** bcrypt verifications one login attempt ran. */
    private long checksOf(String login, String password, String address) {
        long before = PASSWORDS.checks();
        status(login, password, address);
        return PASSWORDS.checks() - before;
    }

    @Test
    void aRevokedTokenIsRefusedAtOnceAndAfterARestartAndAUsersRevocationEndsOnlyItsEarlierTokens() {
        SessionRevocations revocations = new SessionRevocations(revokedFile, TTL, clock);
        Authenticator api = authenticator(revocations);
        String signedOut = signer.issue("alice@acme", ALICE_HASH, TTL).token();
        clock.now = clock.now.plusSeconds(1);
        String other = signer.issue("alice@acme", ALICE_HASH, TTL).token();
        assertThat(api.session(signedOut).qualifiedName()).isEqualTo("alice@acme");

        revocations.revoke(signedOut, signer.verify(signedOut).orElseThrow().expires());
        assertThatThrownBy(() -> api.session(signedOut)).isInstanceOf(ApiError.class)
            .extracting(e -> ((ApiError) e).status()).isEqualTo(401);
        assertThatThrownBy(() -> api.authenticate("Bearer " + signedOut, "10.0.0.1"))
            .hasMessageContaining("revoked");
        assertThat(api.session(other).qualifiedName()).isEqualTo("alice@acme");
        // A restart reads the file: the sign-out still holds.
        Authenticator restarted = authenticator(new SessionRevocations(revokedFile, TTL, clock));
        assertThatThrownBy(() -> restarted.session(signedOut)).hasMessageContaining("sign in again");

        // An admin revokes alice: her tokens issued until now go; a sign-in a second later works.
        clock.now = clock.now.plusSeconds(1);
        revocations.revokeUser("alice@acme");
        assertThatThrownBy(() -> api.session(other)).isInstanceOf(ApiError.class);
        clock.now = clock.now.plusSeconds(1);
        String fresh = signer.issue("alice@acme", ALICE_HASH, TTL).token();
        assertThat(api.session(fresh).qualifiedName()).isEqualTo("alice@acme");
        assertThatThrownBy(() -> authenticator(new SessionRevocations(revokedFile, TTL, clock)).session(other))
            .isInstanceOf(ApiError.class);
        // Once every revoked token would have expired, the restart drops the entries.
        clock.now = clock.now.plus(TTL).plusSeconds(5);
        new SessionRevocations(revokedFile, TTL, clock);
        assertThat(revokedFile).isEmptyFile();
    }

    @Test
    void unknownUsersCostTheSameBcryptCheckAsKnownOnes() {
        assertThat(checksOf("alice@acme", "wrong-password", "10.0.0.1")).isEqualTo(1);
        assertThat(checksOf("mallory@acme", "wrong-password", "10.0.0.2")).isEqualTo(1);
        assertThat(checksOf("alice@nowhere", "wrong-password", "10.0.0.3")).isEqualTo(1);
        assertThat(checksOf("no-at-sign", "wrong-password", "10.0.0.4")).isEqualTo(1);
        assertThat(checksOf("alice@acme", "x".repeat(100), "10.0.0.5")).isEqualTo(1);
        // The right password for the real user succeeds (one check), and a repeat is answered from the login cache.
        assertThat(checksOf("alice@acme", "alice-password-1", "10.0.0.6")).isEqualTo(1);
        assertThat(checksOf("alice@acme", "alice-password-1", "10.0.0.6")).isZero();
        // All of them were refused the same way: nothing tells an unknown user from a wrong password.
        for (String login : List.of("alice@acme", "mallory@acme", "alice@nowhere", "no-at-sign")) {
            assertThatThrownBy(() -> auth.authenticate(basic(login, "wrong-password"), "10.0.0.7"))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.status()).isEqualTo(401);
                    assertThat(e.getMessage()).isEqualTo("unknown user or wrong password (log in as <username>@<account>)");
                });
        }
    }

    @Test
    void aLoginIsThrottledAfterFiveFailuresEvenWithTheRightPassword() {
        for (int i = 0; i < 5; i++) {
            assertThat(status("alice@acme", "wrong-" + i, "10.1.0." + i)).isEqualTo(401);
        }
        assertThat(status("alice@acme", "wrong-5", "10.1.0.5")).isEqualTo(401); // the 6th failure starts the wait
        long checks = PASSWORDS.checks();
        assertThatThrownBy(() -> auth.authenticate(basic("alice@acme", "alice-password-1"), "10.1.1.1"))
            .isInstanceOfSatisfying(ApiError.class, e -> {
                assertThat(e.status()).isEqualTo(429);
                assertThat(e.retryAfterSeconds()).isEqualTo(1);
            });
        assertThat(PASSWORDS.checks()).as("a throttled attempt runs no bcrypt").isEqualTo(checks);

        // Each further failure doubles the wait.
        clock.now = clock.now.plusSeconds(1);
        assertThat(status("alice@acme", "wrong-6", "10.1.0.6")).isEqualTo(401);
        assertThatThrownBy(() -> auth.authenticate(basic("alice@acme", "alice-password-1"), "10.1.1.1"))
            .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.retryAfterSeconds()).isEqualTo(2));

        // Once the wait is over the right password works, and clears the login's count.
        clock.now = clock.now.plusSeconds(2);
        assertThat(status("alice@acme", "alice-password-1", "10.1.1.1")).isEqualTo(200);
        assertThat(status("alice@acme", "wrong-7", "10.1.0.7")).isEqualTo(401);
        assertThat(status("alice@acme", "alice-password-1", "10.1.1.1")).isEqualTo(200);
    }

    @Test
    void anAddressIsThrottledAfterThirtyFailuresOverAnyLogins() {
        for (int i = 0; i < 30; i++) {
            assertThat(status("user" + i + "@acme", "wrong", "192.0.2.9")).isEqualTo(401);
        }
        assertThat(status("user30@acme", "wrong", "192.0.2.9")).isEqualTo(401);
        assertThat(status("alice@acme", "alice-password-1", "192.0.2.9")).isEqualTo(429);
        // Another address is not held back, and its success does not free the throttled one.
        assertThat(status("alice@acme", "alice-password-1", "192.0.2.10")).isEqualTo(200);
        assertThat(status("alice@acme", "alice-password-1", "192.0.2.9")).isEqualTo(429);
        // The wait never exceeds 15 minutes, and failures are forgotten after 30 quiet minutes.
        for (int i = 0; i < 40; i++) {
            clock.now = clock.now.plus(LoginThrottle.MAX_WAIT);
            status("user" + i + "@acme", "wrong", "192.0.2.9");
        }
        assertThat(throttle.waitBefore("x@acme", "192.0.2.9")).hasValue(LoginThrottle.MAX_WAIT);
        clock.now = clock.now.plus(Duration.ofMinutes(31));
        assertThat(status("alice@acme", "alice-password-1", "192.0.2.9")).isEqualTo(200);
        assertThat(status("user1@acme", "wrong", "192.0.2.9")).isEqualTo(401);
    }
}
