package org.iteralign.core.backend;

import java.net.http.HttpRequest;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
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
 * A model behind the OpenAI API or a server that copies it (vLLM, Ollama, llama.cpp, LM Studio): chat
 * prompts go to {@code /chat/completions}, raw prompts to {@code /completions}.
 *
 * <p>Plain {@code HttpClient} and Jackson rather than the openai-java SDK: the SDK brings about 50 MB of
 * Kotlin runtime and dependencies for what is two JSON POSTs.
 *
 * <p>{@code top_k} is sent only to compatible servers (vLLM and llama.cpp read it as an extra field); the
 * OpenAI API itself has no top-k and rejects unknown fields. The key comes from the variable named by
 * {@code apiKeyEnv}, by default {@code OPENAI_API_KEY} for OpenAI; a compatible server gets no
 * {@code Authorization} header unless a variable is named.
 */
final class OpenAiCompatibleChatModel implements ChatModel {
    private final ModelSpec spec;
    private final ResilientHttp http;

    OpenAiCompatibleChatModel(ModelSpec spec, BackendOptions options, Function<String, String> env, Backoff backoff) {
        if (spec.kind() != ModelSpec.Kind.OPENAI && spec.kind() != ModelSpec.Kind.OPENAI_COMPATIBLE) {
            throw new IllegalArgumentException("not an OpenAI model spec: " + spec);
        }
        this.spec = spec;
        String label = spec.kind().name().toLowerCase(Locale.ROOT).replace('_', '-') + " " + spec.location();
        String defaultVariable = spec.kind() == ModelSpec.Kind.OPENAI ? "OPENAI_API_KEY" : null;
        Endpoint endpoint = new Endpoint(label, spec.location(), spec.name(),
                ApiKey.fromEnvironment(options.apiKeyEnv(), defaultVariable, env, label));
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
        return "OpenAiCompatibleChatModel[" + spec.text() + "]";
    }

    private Completion answer(Prompt prompt, Sampling sampling) {
        ObjectNode body = samplingFields(sampling);
        return switch (prompt) {
            case Prompt.Chat chat -> {
                var messages = body.putArray("messages");
                for (ChatMessage m : chat.messages()) {
                    messages.addObject().put("role", m.role().name().toLowerCase(Locale.ROOT)).put("content", m.content());
                }
                yield http.send(request("/chat/completions", body), json -> read(json, "/message/content"));
            }
            case Prompt.Raw raw -> {
                body.put("prompt", raw.text());
                yield http.send(request("/completions", body), json -> read(json, "/text"));
            }
        };
    }

    private ObjectNode samplingFields(Sampling s) {
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
        return body;
    }

    private HttpRequest request(String path, ObjectNode body) {
        HttpRequest.Builder request = http.post(path, body);
        http.endpoint().key().ifPresent(k -> request.header("Authorization", "Bearer " + k.value()));
        return request.build();
    }

    private static Completion read(JsonNode json, String textPointer) {
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
