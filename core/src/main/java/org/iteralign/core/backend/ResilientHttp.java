package org.iteralign.core.backend;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.RateLimiter;
import dev.failsafe.RetryPolicy;
import dev.failsafe.function.CheckedSupplier;

import org.iteralign.core.model.BackendOptions;
import org.iteralign.core.model.Completion;
import org.iteralign.core.model.CompletionSink;
import org.iteralign.core.model.ModelCallException;
import org.iteralign.core.model.Prompt;

/**
 * The HTTP side shared by the remote backends: JSON POSTs that retry what is worth retrying (408, 429, 5xx,
 * timeouts, dropped connections, unreadable answers) with backoff that honours {@code Retry-After}, a
 * requests-per-minute cap, and batches fanned out on virtual threads with at most {@code maxConcurrency}
 * items in flight. The cap and the in-flight limit hold per model, across all threads and batches using it.
 */
final class ResilientHttp implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    private static final System.Logger LOG = System.getLogger(ResilientHttp.class.getName());
    private static final int LONGEST_QUOTE = 300;

    private final Endpoint endpoint;
    private final BackendOptions options;
    private final HttpClient client;
    private final FailsafeExecutor<Object> retries;
    private final Optional<RateLimiter<Object>> perMinute;
    private final Semaphore inFlight;

    ResilientHttp(Endpoint endpoint, BackendOptions options, Backoff backoff) {
        if (options.maxConcurrency() < 1) throw new IllegalArgumentException("maxConcurrency must be at least 1");
        if (options.maxRetries() < 0) throw new IllegalArgumentException("maxRetries must not be negative");
        if (options.requestsPerMinute() < 0) throw new IllegalArgumentException("requestsPerMinute must not be negative");
        if (options.timeout() == null || !options.timeout().isPositive()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        this.endpoint = endpoint;
        this.options = options;
        this.client = HttpClient.newBuilder()
                // Local servers (uvicorn, Ollama) speak plain HTTP/1.1 and gain nothing from an h2c upgrade attempt.
                .version(endpoint.baseUrl().startsWith("https:") ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
                .connectTimeout(options.timeout())
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        RetryPolicy<Object> policy = RetryPolicy.builder()
                .handle(Retryable.class)
                .withMaxRetries(options.maxRetries())
                .withDelayFn(ctx -> backoff.delayBefore(ctx.getAttemptCount(),
                        ctx.getLastException() instanceof Retryable r ? r.retryAfter : Optional.empty(),
                        ThreadLocalRandom.current().nextDouble()))
                .onRetryScheduled(e -> LOG.log(Level.INFO, () -> String.format(Locale.ROOT, "%s: retrying after %.1f s: %s",
                        endpoint.label(), e.getDelay().toMillis() / 1000.0, e.getLastException().getMessage())))
                .build();
        this.retries = Failsafe.with(policy);
        this.perMinute = options.requestsPerMinute() > 0
                ? Optional.of(RateLimiter.smoothBuilder(options.requestsPerMinute(), Duration.ofMinutes(1)).build())
                : Optional.empty();
        this.inFlight = new Semaphore(options.maxConcurrency());
    }

    Endpoint endpoint() {
        return endpoint;
    }

    /** A POST of {@code body} to {@code baseUrl + path} with the per-request timeout; callers add auth headers. */
    HttpRequest.Builder post(String path, JsonNode body) {
        return HttpRequest.newBuilder(URI.create(endpoint.baseUrl() + path))
                .timeout(options.timeout())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    }

    /**
     * Sends {@code request} until it succeeds or fails for good, and reads the answer with {@code reader},
     * which throws {@link UnexpectedAnswer} when the JSON lacks what it needs (retried like a 5xx).
     *
     * @throws ModelCallException user-fixable for a refused request (4xx), not user-fixable when retries ran out
     */
    <T> T send(HttpRequest request, Function<JsonNode, T> reader) {
        return withRetries(() -> attempt(request, reader));
    }

    /**
     * {@link #send} for endpoints that answer success in plain text (vLLM's adapter loading): the body of the
     * 2xx answer, with the same retries and errors.
     */
    String sendForText(HttpRequest request) {
        return withRetries(() -> successBody(request));
    }

    private <T> T withRetries(CheckedSupplier<T> attempt) {
        try {
            return retries.get(attempt);
        } catch (Retryable e) {
            throw new ModelCallException(endpoint.label() + ": still failing after " + (options.maxRetries() + 1)
                    + " attempts: " + e.getMessage(), false);
        } catch (FailsafeException e) {
            if (e.getCause() instanceof InterruptedException) Thread.currentThread().interrupt();
            throw new ModelCallException(endpoint.label() + ": interrupted while waiting to retry", false, e.getCause());
        }
    }

    /**
     * Answers every prompt with {@code answer}, at most {@code maxConcurrency} at once, handing each result to
     * {@code sink} as soon as it is ready. After the first failure no new prompt is started; those already in
     * flight finish (and reach the sink) before the failure is thrown.
     */
    void answerAll(List<Prompt> batch, Function<Prompt, Completion> answer, CompletionSink sink) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < batch.size() && failure.get() == null; i++) {
                try {
                    inFlight.acquire();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failure.compareAndSet(null, new ModelCallException(endpoint.label() + ": interrupted", false, e));
                    break;
                }
                if (failure.get() != null) {
                    inFlight.release();
                    break;
                }
                int index = i;
                threads.execute(() -> {
                    try {
                        sink.accept(index, answer.apply(batch.get(index)));
                    } catch (RuntimeException | Error e) {
                        if (!failure.compareAndSet(null, e)) failure.get().addSuppressed(e);
                    } finally {
                        inFlight.release();
                    }
                });
            }
        }
        // Only RuntimeExceptions and Errors are ever recorded.
        if (failure.get() instanceof Error e) throw e;
        if (failure.get() != null) throw (RuntimeException) failure.get();
    }

    @Override
    public void close() {
        client.close();
    }

    private String successBody(HttpRequest request) {
        HttpResponse<String> response = exchange(request);
        int status = response.statusCode();
        String body = response.body();
        if (status == 408 || status == 429 || status >= 500) {
            throw new Retryable("HTTP " + status + ": " + quote(body), retryAfter(response.headers()));
        }
        if (status < 200 || status >= 300) {
            throw new ModelCallException(endpoint.label() + ": HTTP " + status + ": " + quote(body) + hint(status), true);
        }
        return body;
    }

    private <T> T attempt(HttpRequest request, Function<JsonNode, T> reader) {
        String body = successBody(request);
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new Retryable("malformed JSON in the answer: " + snippet(body), Optional.empty());
        }
        try {
            return reader.apply(json);
        } catch (UnexpectedAnswer e) {
            throw new Retryable("unexpected answer (" + e.getMessage() + "): " + snippet(body), Optional.empty());
        }
    }

    private HttpResponse<String> exchange(HttpRequest request) {
        try {
            if (perMinute.isPresent()) perMinute.get().acquirePermit();
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new Retryable("no answer within " + seconds(options.timeout()), Optional.empty());
        } catch (ConnectException e) {
            throw new Retryable("cannot connect to " + endpoint.baseUrl() + " (is the server running?)", Optional.empty());
        } catch (IOException e) {
            throw new Retryable("connection failed: " + endpoint.redact(e.toString()), Optional.empty());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelCallException(endpoint.label() + ": interrupted", false, e);
        }
    }

    private String hint(int status) {
        return switch (status) {
            case 401, 403 -> endpoint.key()
                    .map(k -> "; check the key in $" + k.variable())
                    .orElse("; the server wants an API key: export it and name its variable in apiKeyEnv");
            case 404 -> "; check the model name '" + endpoint.model() + "' and the base URL " + endpoint.baseUrl();
            default -> "";
        };
    }

    /** The provider's own error message: OpenAI, Anthropic and llama.cpp say error.message, Ollama error, FastAPI detail. */
    private String quote(String body) {
        String message = null;
        try {
            JsonNode json = JSON.readTree(body);
            for (String pointer : List.of("/error/message", "/error", "/detail", "/message")) {
                JsonNode node = json.at(pointer);
                if (node.isTextual() && !node.textValue().isBlank()) {
                    message = node.textValue();
                    break;
                }
            }
        } catch (JsonProcessingException notJson) {
            // Not JSON: the raw body below is the best there is.
        }
        return snippet(message != null ? message : body);
    }

    /** One line, bounded, key blanked: provider bodies can hold tracebacks, HTML pages or our own key. */
    private String snippet(String text) {
        if (text == null || text.isBlank()) return "(empty body)";
        String line = endpoint.redact(text).strip().replaceAll("\\s+", " ");
        return line.length() <= LONGEST_QUOTE ? line : line.substring(0, LONGEST_QUOTE) + "...";
    }

    private static Optional<Duration> retryAfter(HttpHeaders headers) {
        // OpenAI also sends the finer retry-after-ms; prefer it when present.
        Optional<String> millis = headers.firstValue("retry-after-ms");
        if (millis.isPresent()) {
            try {
                double ms = Double.parseDouble(millis.get().strip());
                if (ms >= 0 && Double.isFinite(ms)) return Optional.of(Duration.ofMillis(Math.round(ms)));
            } catch (NumberFormatException ignored) {
                // Fall back to Retry-After.
            }
        }
        return Backoff.parseRetryAfter(headers.firstValue("retry-after").orElse(null), Instant.now());
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    /** Thrown by a response reader when the JSON parses but lacks the field it needs. */
    static final class UnexpectedAnswer extends RuntimeException {
        UnexpectedAnswer(String message) {
            super(message, null, false, false);
        }
    }

    /** A failed attempt worth repeating; its message is already redacted. */
    private static final class Retryable extends RuntimeException {
        final Optional<Duration> retryAfter;

        Retryable(String message, Optional<Duration> retryAfter) {
            super(message, null, false, false);
            this.retryAfter = retryAfter;
        }
    }
}
