package org.iteralign.core.eval;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.iteralign.core.model.BackendOptions;
import org.iteralign.core.model.ModelCallException;
import org.iteralign.core.model.ModelSpec;
import org.iteralign.core.model.ScoreRequest;
import org.iteralign.core.model.ScoringModel;

/**
 * Log-likelihood through an OpenAI-style {@code /completions} endpoint, the way lm-evaluation-harness scores
 * with vLLM or the legacy OpenAI API: context and continuation are sent as one prompt with {@code echo: true,
 * logprobs: 1, max_tokens: 1}, and the echoed {@code token_logprobs} are summed from the first token that
 * reaches past the context ({@code text_offset}, counted in Unicode code points as Python counts them). One
 * token is generated because several servers refuse {@code max_tokens: 0}; it is left out of the sum.
 *
 * <p>Servers differ in whether the echoed prompt log-probabilities are right, so before the first batch the
 * model checks one: the log-probability the server reports for a token it has just generated (computed on its
 * generation path) must equal the one it reports when the same token is echoed back as part of the prompt.
 * llama-cpp-python 0.3.x fails this for models without a BOS token (SmolLM2, Qwen): it pairs each prompt token
 * with the logits <em>after</em> it, one position late; llama.cpp's own server returns no prompt
 * log-probabilities at all. Both end in a {@link ModelCallException} rather than silently wrong scores.
 */
public final class CompletionsScoringModel implements ScoringModel {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROBE_CONTEXT = "Question: What is the capital of France?\nAnswer: The capital of France is";
    /** Prompt and generation passes may batch the arithmetic differently; a shifted value is off by whole nats. */
    private static final double PROBE_TOLERANCE = 0.05;

    private final ModelSpec spec;
    private final String apiKey;
    private final BackendOptions options;
    private final HttpClient client;
    private final Semaphore inFlight;
    private volatile boolean probed;

    /**
     * @param env looks up the API key's environment variable: {@code options.apiKeyEnv()}, else
     *            {@code OPENAI_API_KEY} for {@code openai:} specs, else no key
     * @throws IllegalArgumentException when {@code spec} is not an {@code openai:} or {@code openai-compatible:} spec
     */
    public CompletionsScoringModel(ModelSpec spec, BackendOptions options, Function<String, String> env) {
        if (spec.kind() != ModelSpec.Kind.OPENAI && spec.kind() != ModelSpec.Kind.OPENAI_COMPATIBLE) {
            throw new IllegalArgumentException("log-likelihood scoring over HTTP needs an openai: or openai-compatible: "
                    + "model spec, not " + spec);
        }
        this.spec = spec;
        this.options = options;
        this.apiKey = apiKey(spec, options, env);
        this.inFlight = new Semaphore(Math.max(1, options.maxConcurrency()));
        this.client = HttpClient.newBuilder()
                .version(spec.location().startsWith("https:") ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
                .connectTimeout(options.timeout())
                .build();
    }

    @Override
    public String id() {
        return spec.text();
    }

    @Override
    public double[] logLikelihood(List<ScoreRequest> batch) {
        if (!probed) {
            checkPromptLogprobsAreAligned();
            probed = true;
        }
        double[] out = new double[batch.size()];
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Double>> futures = batch.stream().map(r -> threads.submit(() -> throttled(() -> score(r)))).toList();
            for (int i = 0; i < out.length; i++) out[i] = futures.get(i).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelCallException(label() + ": interrupted", false, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new ModelCallException(label() + ": " + e.getCause(), false, e.getCause());
        }
        return out;
    }

    @Override
    public void close() {
        client.close();
    }

    double score(ScoreRequest request) {
        JsonNode logprobs = echo(request.context() + request.continuation());
        return continuationLogLikelihood(logprobs, request, label());
    }

    /**
     * Sums the echoed log-probabilities of the tokens that cover the continuation. A token that straddles the
     * boundary (rare: continuations start with a space) counts as continuation, since it carries its first
     * characters.
     */
    static double continuationLogLikelihood(JsonNode logprobs, ScoreRequest request, String label) {
        JsonNode offsets = logprobs.path("text_offset");
        JsonNode values = logprobs.path("token_logprobs");
        if (!offsets.isArray() || !values.isArray() || offsets.size() != values.size() || offsets.isEmpty()) {
            throw new ModelCallException(label + ": the answer has no usable logprobs (text_offset/token_logprobs)", false);
        }
        int boundary = request.context().codePointCount(0, request.context().length());
        int total = boundary + request.continuation().codePointCount(0, request.continuation().length());
        if (offsets.get(0).asInt() != 0) {
            throw new ModelCallException(label + ": the server did not echo the prompt's log-probabilities "
                    + "(echo: true is unsupported); score with vLLM or the embedded engine instead", true);
        }
        double sum = 0;
        boolean any = false;
        for (int i = 0; i < offsets.size() && offsets.get(i).asInt() < total; i++) {
            int end = i + 1 < offsets.size() ? offsets.get(i + 1).asInt() : total;
            if (end <= boundary) continue;
            JsonNode value = values.get(i);
            if (!value.isNumber()) {
                throw new ModelCallException(label + ": no log-probability for continuation token " + i, false);
            }
            sum += value.asDouble();
            any = true;
        }
        if (!any) throw new ModelCallException(label + ": the echoed tokens do not reach the continuation", false);
        return sum;
    }

    /**
     * Generates one greedy token after a fixed context, then echoes context + that token: both numbers are the
     * same log-probability, so a mismatch means the server misplaces prompt log-probabilities. An answer that
     * cannot be compared (the token merges with the context, or is empty) proves nothing and is let pass.
     */
    private void checkPromptLogprobsAreAligned() {
        ObjectNode body = body(PROBE_CONTEXT, false);
        JsonNode generated = throttled(() -> post(body)).at("/choices/0/logprobs");
        JsonNode token = generated.path("tokens").path(0);
        JsonNode generatedValue = generated.path("token_logprobs").path(0);
        if (!token.isTextual() || token.textValue().isEmpty() || !generatedValue.isNumber()) return;
        JsonNode echoed = throttled(() -> echo(PROBE_CONTEXT + token.textValue()));
        int at = PROBE_CONTEXT.codePointCount(0, PROBE_CONTEXT.length());
        for (int i = 0; i < echoed.path("text_offset").size(); i++) {
            if (echoed.path("text_offset").get(i).asInt() != at) continue;
            if (!token.textValue().equals(echoed.path("tokens").path(i).asText(null))) return;
            double prompted = echoed.path("token_logprobs").path(i).asDouble(Double.NaN);
            if (!(Math.abs(prompted - generatedValue.asDouble()) <= PROBE_TOLERANCE)) {
                throw new ModelCallException(String.format(Locale.ROOT, "%s: the server's prompt log-probabilities are "
                        + "misaligned: token %s scores %.4f when generated but %.4f when echoed (llama-cpp-python does this "
                        + "for models without a BOS token); score with vLLM or the embedded engine instead",
                        label(), JSON.valueToTree(token.textValue()), generatedValue.asDouble(), prompted), true);
            }
            return;
        }
    }

    private JsonNode echo(String prompt) {
        JsonNode logprobs = post(body(prompt, true)).at("/choices/0/logprobs");
        if (!logprobs.isObject()) {
            throw new ModelCallException(label() + ": the answer has no choices[0].logprobs; the server does not "
                    + "support logprobs on /completions", true);
        }
        return logprobs;
    }

    private ObjectNode body(String prompt, boolean echo) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", spec.name());
        body.put("prompt", prompt);
        body.put("max_tokens", 1);
        body.put("temperature", 0.0);
        body.put("logprobs", 1);
        body.put("echo", echo);
        return body;
    }

    /** POSTs to {@code /completions}, retrying 408, 429, 5xx and broken connections with doubling waits. */
    private JsonNode post(ObjectNode body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(spec.location() + "/completions"))
                .timeout(options.timeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (apiKey != null) builder.header("Authorization", "Bearer " + apiKey);
        HttpRequest request = builder.build();
        String problem = "";
        for (int attempt = 0; attempt <= options.maxRetries(); attempt++) {
            if (attempt > 0) pause(attempt);
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status == 408 || status == 429 || status >= 500) {
                    problem = "HTTP " + status + ": " + snippet(response.body());
                    continue;
                }
                if (status < 200 || status >= 300) {
                    throw new ModelCallException(label() + ": HTTP " + status + ": " + snippet(response.body()), true);
                }
                return JSON.readTree(response.body());
            } catch (JsonProcessingException e) {
                problem = "malformed JSON in the answer";
            } catch (IOException e) {
                problem = "connection failed: " + e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ModelCallException(label() + ": interrupted", false, e);
            }
        }
        throw new ModelCallException(label() + ": still failing after " + (options.maxRetries() + 1) + " attempts: " + problem, false);
    }

    private <T> T throttled(Supplier<T> call) {
        try {
            inFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelCallException(label() + ": interrupted", false, e);
        }
        try {
            return call.get();
        } finally {
            inFlight.release();
        }
    }

    private void pause(int attempt) {
        try {
            Thread.sleep(Math.min(30_000L, 500L << Math.min(attempt, 6)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelCallException(label() + ": interrupted while waiting to retry", false, e);
        }
    }

    private String label() {
        return spec.kind().name().toLowerCase(Locale.ROOT).replace('_', '-') + " " + spec.location() + " (scoring)";
    }

    private String snippet(String body) {
        String line = body == null ? "" : body.strip().replaceAll("\\s+", " ");
        if (apiKey != null) line = line.replace(apiKey, "***");
        return line.length() <= 300 ? line : line.substring(0, 300) + "...";
    }

    private static String apiKey(ModelSpec spec, BackendOptions options, Function<String, String> env) {
        String variable = options.apiKeyEnv() != null && !options.apiKeyEnv().isBlank() ? options.apiKeyEnv().strip()
                : spec.kind() == ModelSpec.Kind.OPENAI ? "OPENAI_API_KEY" : null;
        if (variable == null) return null;
        String value = env.apply(variable);
        if (value == null || value.isBlank()) {
            throw new ModelCallException(spec.text() + ": no API key: environment variable " + variable
                    + " is not set; export " + variable + "=... and run again", true);
        }
        return value.strip();
    }
}
