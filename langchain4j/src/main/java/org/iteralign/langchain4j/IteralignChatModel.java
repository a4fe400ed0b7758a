package org.iteralign.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import org.iteralign.core.constitution.Principle;
import org.iteralign.core.guard.ConstitutionalGuard;
import org.iteralign.core.guard.GuardedAnswer;
import org.iteralign.core.model.ChatMessage;
import org.iteralign.core.model.Completion;
import org.iteralign.core.model.ModelCallException;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.model.Sampling;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One of our chat models (the embedded engine, a remote backend, a {@link ConstitutionalGuard}) behind LangChain4j's
 * {@link ChatModel} interface, so a Java application, AI service or agent built on LangChain4j can use it as it uses
 * any provider. Text conversations only: tool calls, images and JSON response formats are refused with LangChain4j's
 * {@link UnsupportedFeatureException}.
 *
 * <p>Parameters a request leaves unset come from {@link #defaultRequestParameters()}: greedy decoding (temperature
 * 0), no penalties and {@value #DEFAULT_MAX_TOKENS} tokens, as a run generates. For a guard, the answer's
 * {@link AiMessage#attributes()} carry its decision: {@value #REVISED} (Boolean), {@value #VERDICT} (the oracle's
 * verdict on the first answer: positive, negative or unparsed) and {@value #PRINCIPLES} (the ids of the principles a
 * revision followed).
 */
public final class IteralignChatModel implements ChatModel {
    public static final int DEFAULT_MAX_TOKENS = 256;
    public static final String REVISED = "iteralign.guard.revised";
    public static final String VERDICT = "iteralign.guard.verdict";
    public static final String PRINCIPLES = "iteralign.guard.principles";

    private final org.iteralign.core.model.ChatModel model;
    private final ChatRequestParameters defaults;

    IteralignChatModel(org.iteralign.core.model.ChatModel model, ChatRequestParameters defaults) {
        this.model = model;
        this.defaults = defaults;
    }

    static IteralignChatModel of(org.iteralign.core.model.ChatModel model) {
        return new IteralignChatModel(model, ChatRequestParameters.builder().modelName(model.id()).temperature(0.0).topP(1.0)
                .frequencyPenalty(0.0).presencePenalty(0.0).maxOutputTokens(DEFAULT_MAX_TOKENS).build());
    }

    /** The same model with other defaults: what {@code parameters} sets replaces the current default. */
    public IteralignChatModel withDefaults(ChatRequestParameters parameters) {
        return new IteralignChatModel(model, defaults.overrideWith(parameters));
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return defaults;
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        ChatRequestParameters p = defaults.overrideWith(request.parameters());
        if (p.toolSpecifications() != null && !p.toolSpecifications().isEmpty()) {
            throw new UnsupportedFeatureException("tools are not supported by iteralign's chat models (" + model.id() + ")");
        }
        if (p.responseFormat() != null && p.responseFormat().type() == ResponseFormatType.JSON) {
            throw new UnsupportedFeatureException("JSON response formats are not supported by iteralign's chat models (" + model.id() + ")");
        }
        Prompt prompt = new Prompt.Chat(messages(request.messages()));
        Sampling sampling = new Sampling(p.temperature(), p.topP(), p.topK() == null ? 0 : p.topK(),
                p.frequencyPenalty(), p.presencePenalty(), p.maxOutputTokens(),
                p.stopSequences() == null ? List.of() : p.stopSequences(), 0L);
        try {
            if (model instanceof ConstitutionalGuard guard) {
                GuardedAnswer answer = guard.answer(prompt, sampling);
                return response(answer.completion(), Map.of(REVISED, answer.revised(),
                        VERDICT, answer.judgement().verdict().name().toLowerCase(Locale.ROOT),
                        PRINCIPLES, answer.principles().stream().map(Principle::id).toList()));
            }
            return response(model.generate(prompt, sampling), Map.of());
        } catch (ModelCallException e) {
            throw e.userFixable() ? new InvalidRequestException(e.getMessage(), e) : new LangChain4jException(e.getMessage(), e);
        }
    }

    private ChatResponse response(Completion c, Map<String, Object> attributes) {
        return ChatResponse.builder()
                .aiMessage(AiMessage.builder().text(c.text()).attributes(attributes).build())
                .modelName(model.id())
                .tokenUsage(new TokenUsage(Math.toIntExact(c.usage().promptTokens()), Math.toIntExact(c.usage().completionTokens())))
                .finishReason(finishReason(c.finishReason()))
                .build();
    }

    static FinishReason finishReason(String ours) {
        return switch (ours == null ? "" : ours) {
            case "stop" -> FinishReason.STOP;
            case "length" -> FinishReason.LENGTH;
            default -> FinishReason.OTHER;
        };
    }

    private List<ChatMessage> messages(List<dev.langchain4j.data.message.ChatMessage> theirs) {
        List<ChatMessage> ours = new ArrayList<>();
        for (var m : theirs) {
            ours.add(switch (m) {
                case SystemMessage s -> ChatMessage.system(s.text());
                case UserMessage u when u.hasSingleText() -> ChatMessage.user(u.singleText());
                case AiMessage a when !a.hasToolExecutionRequests() && a.text() != null -> ChatMessage.assistant(a.text());
                default -> throw new UnsupportedFeatureException("iteralign's chat models take text system, user and assistant "
                        + "messages, not " + m.type() + " messages with other content (" + model.id() + ")");
            });
        }
        return ours;
    }
}
