package org.epicgateway.api.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Throttles password guessing, per login name and per client address: after {@code freeFailures} failed logins
 * (without a success of that login in between) each further attempt must wait, 1 s after the first extra failure and
 * twice as long after each next one, up to {@link #MAX_WAIT}. A login or address whose last failure is older than
 * {@link #FORGET_AFTER} starts afresh. While a key waits, attempts are refused before any password check (so they
 * cost no bcrypt), even with the right password: the caller cannot learn a password by trying while throttled.
 *
 * <p>A success clears the login's counter but not the address's, so an attacker holding one valid account cannot
 * reset its address between guesses at others. Per-login throttling lets anyone delay a user's password logins (never
 * beyond {@link #MAX_WAIT}); issued bearer tokens keep working meanwhile.
 */
public final class LoginThrottle {
    static final Duration MAX_WAIT = Duration.ofMinutes(15);
    static final Duration FORGET_AFTER = Duration.ofMinutes(30);
    /** Entries kept at most; beyond it, forgotten ones are dropped first (an address flood cannot grow memory). */
    private static final int MAX_ENTRIES = 100_000;

    private final Clock clock;
    private final int freeUserFailures;
    private final int freeAddressFailures;
    private final Map<String, Failures> entries = new ConcurrentHashMap<>();

    private record Failures(int count, Instant last, Instant blockedUntil) {
    }

    public LoginThrottle(Clock clock, int freeUserFailures, int freeAddressFailures) {
        this.clock = clock;
        this.freeUserFailures = freeUserFailures;
        this.freeAddressFailures = freeAddressFailures;
    }

    /** Production limits: 5 failures per login, 30 per address before waiting. */
    public static LoginThrottle standard(Clock clock) {
        return new LoginThrottle(clock, 5, 30);
    }

    /** How long the caller must still wait before trying {@code login} from {@code address}; empty when it may try. */
    public Optional<Duration> waitBefore(String login, String address) {
        Instant now = clock.instant();
        Duration wait = Duration.ZERO;
        for (String key : new String[] {userKey(login), addressKey(address)}) {
            Failures f = entries.get(key);
            if (f != null && f.blockedUntil().isAfter(now)) {
                Duration d = Duration.between(now, f.blockedUntil());
                wait = d.compareTo(wait) > 0 ? d : wait;
            }
        }
        return wait.isZero() ? Optional.empty() : Optional.of(wait);
    }

    public void failed(String login, String address) {
        record(userKey(login), freeUserFailures);
        record(addressKey(address), freeAddressFailures);
    }

    public void succeeded(String login) {
        entries.remove(userKey(login));
    }

    private void record(String key, int free) {
        Instant now = clock.instant();
        if (entries.size() >= MAX_ENTRIES) {
            entries.values().removeIf(f -> forgotten(f, now));
        }
        entries.compute(key, (k, f) -> {
            int count = f == null || forgotten(f, now) ? 1 : f.count() + 1;
            Instant blockedUntil = count <= free ? Instant.MIN : now.plus(backoff(count - free));
            return new Failures(count, now, blockedUntil);
        });
    }

    private static Duration backoff(int extraFailures) {
        int shift = Math.min(extraFailures - 1, 20);
        Duration d = Duration.ofSeconds(1L << shift);
        return d.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : d;
    }

    private static boolean forgotten(Failures f, Instant now) {
        return f.last().plus(FORGET_AFTER).isBefore(now) && !f.blockedUntil().isAfter(now);
    }

    private static String userKey(String login) {
        return "user:" + login;
    }

    private static String addressKey(String address) {
        return "addr:" + address;
    }
}
