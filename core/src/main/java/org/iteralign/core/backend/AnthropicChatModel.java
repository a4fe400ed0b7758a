package org.iteralign.core.backend;

import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.iteralign.core.model.BackendOptions;
import org.iteralign.core.model.ChatMessage;
import org.iteralign.core.model.ChatModel;
import org.iteralign.core.model.Completion;
import org.iteralign.core.model.CompletionSink;
import org.iteralign.core.model.ModelSpec;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.model.Sampling;
import org.iteralign.core.model.Usage;

/**
 * A model behind Anthropic's Messages API ({@code POST /v1/messages}). System turns are joined into the
 * top-level {@code system} field, which is where the API wants them.
 *
 * <p>What does not carry over from {@link Sampling}: the API has no frequency or presence penalty and no
 * seed, so those are ignored. {@code top_p} is sent only below 1, because recent Claude models refuse a
 * request that sets both temperature and top_p. A raw prompt is sent as a single user turn: there is no
 * text-completion endpoint, so the answer is Claude's reply to the text, not its literal continuation.
 */
final class AnthropicChatModel implements ChatModel {
    static final String API_VERSION = "2023-06-01";

    private final ModelSpec spec;
    private final ResilientHttp http;

    AnthropicChatModel(ModelSpec spec, BackendOptions options, Function<String, String> env, Backoff backoff) {
        if (spec.kind() != ModelSpec.Kind.ANTHROPIC) throw new IllegalArgumentException("not an Anthropic model spec: " + spec);
        this.spec = spec;
        String label = "anthropic " + spec.location();
        Endpoint endpoint = new Endpoint(label, spec.location(), spec.name(),
                ApiKey.fromEnvironment(options.apiKeyEnv(), "ANTHROPIC_API_KEY", env, label));
        this.http = new ResilientHttp(endpoint, options, backoff);
    }

    @Override
    public String id() {
        return spec.text();
    }

    @Override
    public void generate(List<Prompt> batch, Sampling sampling, CompletionSink sink) {
        http.answerAll(batch, prompt -> answer(prompt, sampling), sink);
    }

    @Override
    public void close() {
        http.close();
    }

    @Override
    public String toString() {
        return "AnthropicChatModel[" + spec.text() + "]";
    }

    private Completion answer(Prompt prompt, Sampling s) {
        List<ChatMessage> turns = switch (prompt) {
            case Prompt.Chat chat -> chat.messages();
            case Prompt.Raw raw -> List.of(ChatMessage.user(raw.text()));
        };
        ObjectNode body = ResilientHttp.JSON.createObjectNode();
        body.put("model", spec.name());
        body.put("max_tokens", s.maxTokens());
        List<String> system = new ArrayList<>();
        ArrayNode messages = body.putArray("messages");
        for (ChatMessage m : turns) {
            if (m.role() == ChatMessage.Role.SYSTEM) system.add(m.content());
            else messages.addObject().put("role", m.role().name().toLowerCase(Locale.ROOT)).put("content", m.content());
        }
        if (!system.isEmpty()) body.put("system", String.join("\n\n", system));
        body.put("temperature", s.temperature());
        if (s.topP() < 1) body.put("top_p", s.topP());
        if (s.topK() > 0) body.put("top_k", s.topK());
        if (!s.stop().isEmpty()) s.stop().forEach(body.putArray("stop_sequences")::add);

        HttpRequest.Builder request = http.post("/v1/messages", body).header("anthropic-version", API_VERSION);
        http.endpoint().key().ifPresent(k -> request.header("x-api-key", k.value()));
        return http.send(request.build(), AnthropicChatModel::read);
    }

    private static Completion read(JsonNode json) {
        JsonNode content = json.path("content");
        if (!content.isArray()) throw new ResilientHttp.UnexpectedAnswer("no content array");
        StringBuilder text = new StringBuilder();
        for (JsonNode block : content) {
            if ("text".equals(block.path("type").asText()) && block.path("text").isTextual()) {
                text.append(block.path("text").textValue());
            }
        }
        JsonNode usage = json.path("usage");
        // Prompt-cache hits and writes are counted apart from input_tokens; all of them are prompt tokens.
        long prompt = usage.path("input_tokens").asLong(0) + usage.path("cache_creation_input_tokens").asLong(0)
                + usage.path("cache_read_input_tokens").asLong(0);
        return new Completion(text.toString(), finishReason(json.path("stop_reason").asText("")),
                new Usage(prompt, usage.path("output_tokens").asLong(0)));
    }

    /** Anthropic's stop reasons in the words {@link Completion} uses; others pass through unchanged. */
    private static String finishReason(String stopReason) {
        return switch (stopReason) {
            case "end_turn", "stop_sequence" -> "stop";
            case "max_tokens" -> "length";
            default -> stopReason;
        };
    }
}
