package org.iteralign.core.model;

import java.time.Duration;

/**
 * How to reach a remote model: the name of the environment variable holding the API key (the key itself
 * never enters a config, log or run directory), parallel requests, a requests-per-minute cap (0 = none),
 * per-request timeout and how many times a retryable failure is retried. With {@code batch} the prompts of a
 * call go to the provider's Batch API as one job (half the price, answers within 24 hours), which is looked at
 * every {@code batchPollInterval} at first, less often while nothing changes.
 */
public record BackendOptions(String apiKeyEnv, int maxConcurrency, int requestsPerMinute, Duration timeout,
                             int maxRetries, boolean batch, Duration batchPollInterval) {
    public static final Duration DEFAULT_BATCH_POLL = Duration.ofSeconds(30);

    /** Options for one request per prompt. */
    public BackendOptions(String apiKeyEnv, int maxConcurrency, int requestsPerMinute, Duration timeout, int maxRetries) {
        this(apiKeyEnv, maxConcurrency, requestsPerMinute, timeout, maxRetries, false, DEFAULT_BATCH_POLL);
    }

    public BackendOptions {
        if (batchPollInterval == null || !batchPollInterval.isPositive()) {
            throw new IllegalArgumentException("batchPollInterval must be positive");
        }
    }

    public static BackendOptions defaults() {
        return new BackendOptions(null, 8, 0, Duration.ofSeconds(120), 6);
    }

    /** These options with the prompts of each call sent as one Batch API job. */
    public BackendOptions withBatch(Duration pollInterval) {
        return new BackendOptions(apiKeyEnv, maxConcurrency, requestsPerMinute, timeout, maxRetries, true, pollInterval);
    }
}
