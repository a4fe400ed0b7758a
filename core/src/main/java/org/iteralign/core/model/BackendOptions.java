package org.iteralign.core.model;

import java.time.Duration;

/**
 * How to reach a remote model: the name of the environment variable holding the API key (the key itself
 * never enters a config, log or run directory), parallel requests, a requests-per-minute cap (0 = none),
 * per-request timeout and how many times a retryable failure is retried.
 */
public record BackendOptions(String apiKeyEnv, int maxConcurrency, int requestsPerMinute, Duration timeout,
                             int maxRetries) {
    public static BackendOptions defaults() {
        return new BackendOptions(null, 8, 0, Duration.ofSeconds(120), 6);
    }
}
