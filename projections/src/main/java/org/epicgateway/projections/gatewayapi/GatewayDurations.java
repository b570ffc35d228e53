package org.epicgateway.projections.gatewayapi;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Gateway API Duration (GEP-2257): one to four {@code <1-5 digits><h|m|s|ms>} parts, e.g. {@code 1h}, {@code 1m30s},
 * {@code 500ms}, {@code 0s}. Route timeouts and retry backoff carry the text as written; the REST validation, the
 * decider and the Envoy derivation all read it here.
 */
public final class GatewayDurations {
    /** The CRDs' pattern for the whole value. */
    public static final String PATTERN = "^([0-9]{1,5}(h|m|s|ms)){1,4}$";
    private static final Pattern WHOLE = Pattern.compile(PATTERN);
    private static final Pattern PART = Pattern.compile("([0-9]{1,5})(h|ms|m|s)");

    private GatewayDurations() {}

    /** The duration, or {@link IllegalArgumentException} naming the expected form. */
    public static Duration parse(String text) {
        if (text == null || !WHOLE.matcher(text).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration such as 10s, 1m30s or 500ms"
                    + " (one to four parts of up to 5 digits with h, m, s or ms)");
        }
        Duration d = Duration.ZERO;
        Matcher m = PART.matcher(text);
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            d = d.plus(switch (m.group(2)) {
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMillis(n);
            });
        }
        return d;
    }

    /** Why {@code text} is not a duration, or empty. */
    public static Optional<String> problem(String text) {
        try {
            parse(text);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }
}
