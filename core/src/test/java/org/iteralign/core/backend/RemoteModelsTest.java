package org.iteralign.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.iteralign.core.model.BackendOptions;
import org.iteralign.core.model.ChatModel;
import org.iteralign.core.model.ModelCallException;
import org.iteralign.core.model.ModelSpec;
import org.junit.jupiter.api.Test;

class RemoteModelsTest {
    private static final Map<String, String> ENV = Map.of("OPENAI_API_KEY", "sk-a1b2c3d4e5", "ANTHROPIC_API_KEY", "sk-ant-f6g7h8");

    private static ChatModel open(String spec) {
        return RemoteModels.open(ModelSpec.parse(spec), BackendOptions.defaults(), ENV::get);
    }

    @Test
    void opensEachRemoteKindUnderItsSpecText() {
        try (var openAi = open("openai:gpt-4o-mini");
             var compatible = open("openai-compatible:http://127.0.0.1:8000/v1#qwen");
             var anthropic = open("anthropic:claude-sonnet-4-5")) {
            assertInstanceOf(OpenAiCompatibleChatModel.class, openAi);
            assertInstanceOf(OpenAiCompatibleChatModel.class, compatible);
            assertInstanceOf(AnthropicChatModel.class, anthropic);
            assertEquals("openai:gpt-4o-mini", openAi.id());
            assertEquals("openai-compatible:http://127.0.0.1:8000/v1#qwen", compatible.id());
            assertEquals("anthropic:claude-sonnet-4-5", anthropic.id());
        }
    }

    @Test
    void localSpecIsNotARemoteModel() {
        var e = assertThrows(IllegalArgumentException.class, () -> open("gguf:/models/smol.gguf"));
        assertTrue(e.getMessage().contains("not a remote model"), e.getMessage());
    }

    @Test
    void missingKeyFailsWhenOpening() {
        var e = assertThrows(ModelCallException.class,
                () -> RemoteModels.open(ModelSpec.parse("openai:gpt-4o-mini"), BackendOptions.defaults(), name -> null));
        assertTrue(e.userFixable());
    }
}
