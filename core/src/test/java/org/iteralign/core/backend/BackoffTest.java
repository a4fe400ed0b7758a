package org.iteralign.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class BackoffTest {
    private static final Instant NOW = Instant.parse("2026-11-22T08:00:00Z");
    private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(8));

    @Test
    void retryAfterInDeltaSeconds() {
        assertEquals(Optional.of(Duration.ofSeconds(2)), Backoff.parseRetryAfter("2", NOW));
        assertEquals(Optional.of(Duration.ofMillis(1500)), Backoff.parseRetryAfter(" 1.5 ", NOW));
    }

    @Test
    void retryAfterAsHttpDate() {
        String inThirtySeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(30).atOffset(ZoneOffset.UTC));
        String past = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.minusSeconds(30).atOffset(ZoneOffset.UTC));
        assertEquals(Optional.of(Duration.ofSeconds(30)), Backoff.parseRetryAfter(inThirtySeconds, NOW));
        assertEquals(Optional.of(Duration.ZERO), Backoff.parseRetryAfter(past, NOW));
    }

    @Test
    void unreadableRetryAfterMeansTheServerDidNotSay() {
        assertEquals(Optional.empty(), Backoff.parseRetryAfter("soon", NOW));
        assertEquals(Optional.empty(), Backoff.parseRetryAfter("-3", NOW));
        assertEquals(Optional.empty(), Backoff.parseRetryAfter(null, NOW));
    }

    @Test
    void retryAfterIsAFloorThatJitterOnlyRaises() {
        Duration asked = Duration.ofSeconds(2);
        assertEquals(asked, backoff.delayBefore(1, Optional.of(asked), 0.0));
        Duration most = backoff.delayBefore(1, Optional.of(asked), 0.999);
        assertTrue(most.compareTo(asked) > 0 && most.compareTo(Duration.ofMillis(2200)) <= 0, most.toString());
    }

    @Test
    void absurdRetryAfterIsCapped() {
        assertEquals(Backoff.LONGEST_RETRY_AFTER, backoff.delayBefore(1, Optional.of(Duration.ofHours(3)), 0.0));
    }

    @Test
    void exponentialDelayDoublesWithEqualJitterAndStopsAtMax() {
        assertEquals(Duration.ofMillis(500), backoff.delayBefore(1, Optional.empty(), 0.0));
        assertEquals(Duration.ofSeconds(1), backoff.delayBefore(1, Optional.empty(), 1.0));
        assertEquals(Duration.ofSeconds(2), backoff.delayBefore(3, Optional.empty(), 0.0));
        assertEquals(Duration.ofSeconds(4), backoff.delayBefore(3, Optional.empty(), 1.0));
        assertEquals(Duration.ofSeconds(8), backoff.delayBefore(10, Optional.empty(), 1.0));
        assertEquals(Duration.ofSeconds(8), backoff.delayBefore(100, Optional.empty(), 1.0));
    }
}
