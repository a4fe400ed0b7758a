package org.iteralign.langchain4j;

import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import org.iteralign.core.model.ChatMessage;
import org.iteralign.core.model.ChatModel;
import org.iteralign.core.model.Completion;
import org.iteralign.core.model.CompletionSink;
import org.iteralign.core.model.ModelCallException;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.model.Sampling;
import org.iteralign.core.model.Usage;

import java.util.List;
import java.util.Locale;

/**
 * A LangChain4j chat model as one of ours, so a {@link org.iteralign.core.guard.ConstitutionalGuard} can protect any
 * provider LangChain4j reaches, or a run can use one as target or oracle. Chat prompts only (LangChain4j has no raw
 * completion). Prompts of a batch are sent one after another: LangChain4j's chat call blocks, and the provider's own
 * client decides about rate limits and retries.
 *
 * <p>Sampling settings at their neutral value (top-p 1, no top-k, no penalties, no stop strings) are left out of the
 * request, because some providers refuse parameters they do not support even when they would change nothing.
 */
public final class LangChain4jBackend implements ChatModel {
    private final dev.langchain4j.model.chat.ChatModel model;
    private final String id;

    LangChain4jBackend(dev.langchain4j.model.chat.ChatModel model) {
        this.model = model;
        String name = model.defaultRequestParameters() == null ? null : model.defaultRequestParameters().modelName();
        this.id = "langchain4j:" + model.provider().name().toLowerCase(Locale.ROOT) + (name == null ? "" : ":" + name);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public void generate(List<Prompt> batch, Sampling sampling, CompletionSink sink) {
        ChatRequestParameters parameters = parameters(sampling);
        for (int i = 0; i < batch.size(); i++) {
            if (!(batch.get(i) instanceof Prompt.Chat chat)) {
                throw new ModelCallException(id + ": LangChain4j chat models answer chat prompts, not raw text "
                        + "(use red_team.template standard or cou)", true);
            }
            ChatRequest request = ChatRequest.builder().messages(chat.messages().stream().map(LangChain4jBackend::message).toList())
                    .parameters(parameters).build();
            sink.accept(i, completion(call(request)));
        }
    }

    private ChatResponse call(ChatRequest request) {
        try {
            return model.chat(request);
        } catch (AuthenticationException | InvalidRequestException | ModelNotFoundException | UnsupportedFeatureException e) {
            throw new ModelCallException(id + ": " + e.getMessage(), true, e);
        } catch (LangChain4jException e) {
            throw new ModelCallException(id + ": " + e.getMessage(), false, e);
        }
    }

    static ChatRequestParameters parameters(Sampling s) {
        var b = DefaultChatRequestParameters.builder().temperature(s.temperature()).maxOutputTokens(s.maxTokens());
        if (s.topP() != 1.0) b.topP(s.topP());
        if (s.topK() > 0) b.topK(s.topK());
        if (s.frequencyPenalty() != 0) b.frequencyPenalty(s.frequencyPenalty());
        if (s.presencePenalty() != 0) b.presencePenalty(s.presencePenalty());
        if (!s.stop().isEmpty()) b.stopSequences(s.stop());
        return b.build();
    }

    private static dev.langchain4j.data.message.ChatMessage message(ChatMessage m) {
        return switch (m.role()) {
            case SYSTEM -> SystemMessage.from(m.content());
            case USER -> UserMessage.from(m.content());
            case ASSISTANT -> AiMessage.from(m.content());
        };
    }

    private Completion completion(ChatResponse r) {
        String text = r.aiMessage() == null || r.aiMessage().text() == null ? "" : r.aiMessage().text();
        String finish = r.finishReason() == null ? "stop" : r.finishReason().name().toLowerCase(Locale.ROOT);
        var tokens = r.tokenUsage();
        Usage usage = tokens == null ? Usage.NONE : new Usage(orZero(tokens.inputTokenCount()), orZero(tokens.outputTokenCount()));
        return new Completion(text, finish, usage);
    }

    private static long orZero(Integer n) {
        return n == null ? 0 : n;
    }
}
