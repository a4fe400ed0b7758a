package org.iteralign.langchain4j;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.image.Image;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.output.FinishReason;
import org.iteralign.core.model.CompletionSink;
import org.iteralign.core.model.ModelCallException;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.model.Sampling;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the bridges refuse and how they translate settings and failures; no model is needed for these. */
class LangChain4jBridgeTest {
    /** A model that fails every call, the way a backend does after its retries. */
    private record FailingModel(boolean userFixable) implements org.iteralign.core.model.ChatModel {
        @Override
        public String id() {
            return "failing";
        }

        @Override
        public void generate(List<Prompt> batch, Sampling sampling, CompletionSink sink) {
            throw new ModelCallException("failing: HTTP " + (userFixable ? 401 : 503), userFixable);
        }
    }

    private static final ChatModel LC = LangChain4jAdapter.of(new FailingModel(false));

    @Test
    void toolsImagesAndJsonFormatsAreRefusedAsUnsupported() {
        var tool = ToolSpecification.builder().name("weather").description("gets the weather").build();
        assertThrows(UnsupportedFeatureException.class, () -> LC.chat(ChatRequest.builder()
                .messages(UserMessage.from("hi")).toolSpecifications(tool).build()));
        assertThrows(UnsupportedFeatureException.class, () -> LC.chat(ChatRequest.builder()
                .messages(UserMessage.from("hi")).responseFormat(ResponseFormat.JSON).build()));
        var image = UserMessage.from(TextContent.from("what is this?"), ImageContent.from(Image.builder().url("https://example.org/a.png").build()));
        assertTrue(assertThrows(UnsupportedFeatureException.class, () -> LC.chat(image)).getMessage().contains("USER"));
    }

    @Test
    void failuresBecomeLangChain4jExceptionsAndUserFixableOnesInvalidRequests() {
        assertEquals("failing: HTTP 503", assertThrows(LangChain4jException.class, () -> LC.chat("hi")).getMessage());
        assertThrows(InvalidRequestException.class, () -> LangChain4jAdapter.of(new FailingModel(true)).chat("hi"));
    }

    @Test
    void defaultsAreGreedyAndCanBeChanged() {
        var lc = LangChain4jAdapter.of(new FailingModel(false));
        assertEquals(0.0, lc.defaultRequestParameters().temperature());
        assertEquals(IteralignChatModel.DEFAULT_MAX_TOKENS, lc.defaultRequestParameters().maxOutputTokens());
        var warmer = lc.withDefaults(ChatRequestParameters.builder().temperature(0.8).build());
        assertEquals(0.8, warmer.defaultRequestParameters().temperature());
        assertEquals(IteralignChatModel.DEFAULT_MAX_TOKENS, warmer.defaultRequestParameters().maxOutputTokens());
    }

    @Test
    void neutralSamplingSettingsAreLeftOutOfALangChain4jRequest() {
        ChatRequestParameters neutral = LangChain4jBackend.parameters(Sampling.greedy(50));
        assertEquals(0.0, neutral.temperature());
        assertEquals(50, neutral.maxOutputTokens());
        assertNull(neutral.topP());
        assertNull(neutral.topK());
        assertNull(neutral.frequencyPenalty());
        ChatRequestParameters set = LangChain4jBackend.parameters(new Sampling(0.7, 0.9, 40, 0.5, 0.1, 50, List.of("\n"), 1));
        assertEquals(0.9, set.topP());
        assertEquals(40, set.topK());
        assertEquals(0.5, set.frequencyPenalty());
        assertEquals(0.1, set.presencePenalty());
        assertEquals(List.of("\n"), set.stopSequences());
    }

    @Test
    void finishReasonsMapToLangChain4js() {
        assertEquals(FinishReason.STOP, IteralignChatModel.finishReason("stop"));
        assertEquals(FinishReason.LENGTH, IteralignChatModel.finishReason("length"));
        assertEquals(FinishReason.OTHER, IteralignChatModel.finishReason("content_filter"));
    }

    @Test
    void rawPromptsAreRefusedByALangChain4jModel() {
        var ours = LangChain4jAdapter.from(LC);
        ModelCallException e = assertThrows(ModelCallException.class, () -> ours.generate(Prompt.raw("Human: hi"), Sampling.greedy(5)));
        assertTrue(e.userFixable());
    }
}
