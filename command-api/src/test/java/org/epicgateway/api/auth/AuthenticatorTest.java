package org.epicgateway.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
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

/** Password logins: the same bcrypt work for unknown and known users, and throttling per login and per address. */
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
    private final Authenticator auth = new Authenticator(
        account -> Optional.ofNullable(Map.of("acme", new AccountState("acme", "Acme",
            List.of(new ApiUser("alice", ALICE_HASH, List.of())), null)).get(account)),
        PASSWORDS, new TokenSigner(new byte[32], clock), throttle);

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
