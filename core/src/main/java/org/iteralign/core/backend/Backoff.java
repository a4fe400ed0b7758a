package org.iteralign.core.backend;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * How long to wait before retry number {@code n}: what the server asked for in {@code Retry-After}, or an
 * exponential backoff from {@code initial} doubling up to {@code max}.
 */
record Backoff(Duration initial, Duration max) {
    static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));

    /** A bogus far-future HTTP-date must not park a run for hours; providers ask for seconds to minutes. */
    static final Duration LONGEST_RETRY_AFTER = Duration.ofMinutes(5);

    /**
     * @param retry       1 for the first retry
     * @param retryAfter  the server's {@code Retry-After}, if it sent one
     * @param random      uniform in [0, 1); spreads out clients that failed together
     */
    Duration delayBefore(int retry, Optional<Duration> retryAfter, double random) {
        if (retryAfter.isPresent()) {
            // The server's wait is a floor: jitter only ever adds to it (up to 10 %).
            Duration asked = min(retryAfter.get(), LONGEST_RETRY_AFTER);
            return asked.plus(scaled(asked, 0.1 * random));
        }
        Duration exponential = min(initial.multipliedBy(1L << Math.min(retry - 1, 30)), max);
        // "Equal jitter": half the exponential delay is kept, the other half is random.
        return scaled(exponential, 0.5 + 0.5 * random);
    }

    /**
     * Reads a {@code Retry-After} value: delta-seconds ("2", "1.5") or an HTTP-date (RFC 1123). A date in
     * the past means zero; anything else unreadable means the server did not say.
     */
    static Optional<Duration> parseRetryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) return Optional.empty();
        String v = value.strip();
        try {
            double seconds = Double.parseDouble(v);
            return seconds >= 0 && Double.isFinite(seconds)
                    ? Optional.of(Duration.ofMillis(Math.round(seconds * 1000))) : Optional.empty();
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration wait = Duration.between(now, at);
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (DateTimeParseException notDate) {
                return Optional.empty();
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration scaled(Duration d, double factor) {
        return Duration.ofNanos(Math.round(d.toNanos() * factor));
    }
}
