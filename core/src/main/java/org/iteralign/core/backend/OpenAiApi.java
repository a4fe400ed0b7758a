package org.iteralign.core.backend;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.iteralign.core.model.BackendOptions;
import org.iteralign.core.model.ChatMessage;
import org.iteralign.core.model.Completion;
import org.iteralign.core.model.CompletionSink;
import org.iteralign.core.model.ModelCallException;
import org.iteralign.core.model.ModelSpec;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.model.Sampling;
import org.iteralign.core.model.Usage;

/**
 * One model at the OpenAI API or a server that copies it: the JSON of its requests and answers (chat prompts to
 * {@code /chat/completions}, raw prompts to {@code /completions}) and authorised calls with {@link ResilientHttp}'s
 * retries. The synchronous chat model sends each request itself; the Batch API writes the same request bodies
 * into a file and reads the same answers out of one.
 *
 * <p>{@code top_k} is sent only to compatible servers (vLLM and llama.cpp read it as an extra field); the
 * OpenAI API itself has no top-k and rejects unknown fields. The key comes from the variable named by
 * {@code apiKeyEnv}, by default {@code OPENAI_API_KEY} for OpenAI; a compatible server gets no
 * {@code Authorization} header unless a variable is named.
 */
public final class OpenAiApi implements AutoCloseable {
    private final ModelSpec spec;
    private final BackendOptions options;
    private final ResilientHttp http;

    OpenAiApi(ModelSpec spec, BackendOptions options, Function<String, String> env, Backoff backoff) {
        if (spec.kind() != ModelSpec.Kind.OPENAI && spec.kind() != ModelSpec.Kind.OPENAI_COMPATIBLE) {
            throw new IllegalArgumentException("not an OpenAI model spec: " + spec);
        }
        this.spec = spec;
        this.options = options;
        String label = spec.kind().name().toLowerCase(Locale.ROOT).replace('_', '-') + " " + spec.location();
        String defaultVariable = spec.kind() == ModelSpec.Kind.OPENAI ? "OPENAI_API_KEY" : null;
        Endpoint endpoint = new Endpoint(label, spec.location(), spec.name(),
                ApiKey.fromEnvironment(options.apiKeyEnv(), defaultVariable, env, label));
        this.http = new ResilientHttp(endpoint, options, backoff);
    }

    /**
     * @param env looks up the key's environment variable; {@code System::getenv} outside tests
     * @throws ModelCallException (user-fixable) when a required API key is not set
     */
    public static OpenAiApi open(ModelSpec spec, BackendOptions options, Function<String, String> env) {
        return new OpenAiApi(spec, options, env, Backoff.DEFAULT);
    }

    /** Names the API in messages, e.g. {@code openai https://api.openai.com/v1}; never holds the key. */
    public String label() {
        return http.endpoint().label();
    }

    public ModelSpec spec() {
        return spec;
    }

    /** {@code text} with the key blanked out, for messages that quote the provider. */
    public String redact(String text) {
        return http.endpoint().redact(text);
    }

    /** Where a prompt goes, relative to the base URL: {@code /chat/completions} or {@code /completions}. */
    public static String path(Prompt prompt) {
        return prompt instanceof Prompt.Chat ? "/chat/completions" : "/completions";
    }

    /** {@code path} as the server sees it, e.g. {@code /v1/chat/completions}: what a batch file's {@code url} names. */
    public String serverPath(String path) {
        String base = URI.create(spec.location()).getPath();
        return (base == null ? "" : base) + path;
    }

    /** The JSON body that asks this model for {@code prompt}. */
    public ObjectNode body(Prompt prompt, Sampling s) {
        ObjectNode body = ResilientHttp.JSON.createObjectNode();
        body.put("model", spec.name());
        body.put("temperature", s.temperature());
        body.put("top_p", s.topP());
        body.put("max_tokens", s.maxTokens());
        if (s.frequencyPenalty() != 0) body.put("frequency_penalty", s.frequencyPenalty());
        if (s.presencePenalty() != 0) body.put("presence_penalty", s.presencePenalty());
        if (!s.stop().isEmpty()) s.stop().forEach(body.putArray("stop")::add);
        body.put("seed", s.seed());
        if (s.topK() > 0 && spec.kind() == ModelSpec.Kind.OPENAI_COMPATIBLE) body.put("top_k", s.topK());
        switch (prompt) {
            case Prompt.Chat chat -> {
                var messages = body.putArray("messages");
                for (ChatMessage m : chat.messages()) {
                    messages.addObject().put("role", m.role().name().toLowerCase(Locale.ROOT)).put("content", m.content());
                }
            }
            case Prompt.Raw raw -> body.put("prompt", raw.text());
        }
        return body;
    }

    /**
     * Reads an answer that arrived some other way (a batch's output file).
     *
     * @throws ModelCallException when the answer lacks the completion
     */
    public Completion completion(Prompt prompt, JsonNode answer) {
        try {
            return read(prompt, answer);
        } catch (ResilientHttp.UnexpectedAnswer e) {
            throw new ModelCallException(label() + ": unexpected answer (" + e.getMessage() + ")", false);
        }
    }

    /** Sends one prompt and waits for its answer. */
    Completion complete(Prompt prompt, Sampling sampling) {
        return http.send(authorised(http.post(path(prompt), body(prompt, sampling))), json -> read(prompt, json));
    }

    /** Answers every prompt with its own request, at most {@code maxConcurrency} at once. */
    void completeAll(List<Prompt> batch, Sampling sampling, CompletionSink sink) {
        http.answerAll(batch, prompt -> complete(prompt, sampling), sink);
    }

    public JsonNode post(String path, JsonNode body) {
        return http.send(authorised(http.post(path, body)), json -> json);
    }

    public JsonNode get(String path) {
        return http.send(authorised(request(path).header("Accept", "application/json").GET()), json -> json);
    }

    /** A body that is not JSON, such as a file's content. */
    public String getText(String path) {
        return http.sendForText(authorised(request(path).GET()));
    }

    /** Uploads {@code content} with {@code POST /files} (multipart form data, RFC 7578) and returns the file's id. */
    public String upload(String purpose, String fileName, byte[] content) {
        String boundary = "iteralign-" + UUID.randomUUID();
        var form = new ByteArrayOutputStream();
        form.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n" + purpose + "\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + fileName + "\"\r\n"
                + "Content-Type: application/jsonl\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        form.writeBytes(content);
        form.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpRequest.Builder request = request("/files")
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(form.toByteArray()));
        return http.send(authorised(request), json -> {
            JsonNode id = json.path("id");
            if (!id.isTextual() || id.textValue().isBlank()) throw new ResilientHttp.UnexpectedAnswer("no file id");
            return id.textValue();
        });
    }

    /** An id the provider gave us, made safe to put in a URL path. */
    public static String pathSegment(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        http.close();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(spec.location() + path)).timeout(options.timeout());
    }

    private HttpRequest authorised(HttpRequest.Builder request) {
        http.endpoint().key().ifPresent(k -> request.header("Authorization", "Bearer " + k.value()));
        return request.build();
    }

    private static Completion read(Prompt prompt, JsonNode json) {
        String textPointer = prompt instanceof Prompt.Chat ? "/message/content" : "/text";
        JsonNode choice = json.at("/choices/0");
        if (!choice.isObject()) throw new ResilientHttp.UnexpectedAnswer("no choices[0]");
        JsonNode text = choice.at(textPointer);
        if (text.isMissingNode()) throw new ResilientHttp.UnexpectedAnswer("no choices[0]" + textPointer.replace('/', '.'));
        JsonNode reason = choice.path("finish_reason");
        JsonNode usage = json.path("usage");
        // A null content (a refusal, a tool call) is an empty answer, not a broken one.
        return new Completion(text.isTextual() ? text.textValue() : "",
                reason.isTextual() ? reason.textValue() : "",
                new Usage(usage.path("prompt_tokens").asLong(0), usage.path("completion_tokens").asLong(0)));
    }
}
