package org.iteralign.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.iteralign.core.model.BackendOptions;
import org.iteralign.core.model.ChatMessage;
import org.iteralign.core.model.ChatModel;
import org.iteralign.core.model.Completion;
import org.iteralign.core.model.ModelCallException;
import org.iteralign.core.model.ModelSpec;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.model.Sampling;
import org.iteralign.core.testing.LlamaCppServer;
import org.iteralign.core.testing.OpenAiTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The OpenAI-compatible client against a real server running the test model: llama-cpp-python here,
 * {@code iteralign serve} in {@link OpenAiCompatibleChatModelServeTest}, which runs these same tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiCompatibleChatModelRealServerTest {
    private static final Sampling GREEDY_16 = Sampling.greedy(16);
    private OpenAiTestServer server;
    private ChatModel model;

    OpenAiTestServer startServer() {
        return LlamaCppServer.start();
    }

    /** Started by the first test rather than in {@code @BeforeAll}, so each test reports its own skip reason. */
    @BeforeEach
    void startServerOnce() {
        if (server != null) return;
        server = startServer();
        model = RemoteModels.open(ModelSpec.parse(server.spec()),
                new BackendOptions(null, 2, 0, Duration.ofSeconds(60), 2), name -> null);
    }

    @AfterAll
    void stopServer() {
        if (model != null) model.close();
        if (server != null) server.close();
    }

    @Test
    void greedyChatAnswerIsRepeatableAndCounted() {
        Prompt question = Prompt.chat(ChatMessage.system("You are a helpful assistant."),
                ChatMessage.user("What is the capital of France?"));
        Completion first = model.generate(question, GREEDY_16);
        Completion second = model.generate(question, GREEDY_16);

        assertFalse(first.text().isBlank(), "empty answer; server said:\n" + server.outputTail());
        assertTrue(List.of("stop", "length").contains(first.finishReason()), first.finishReason());
        assertTrue(first.usage().promptTokens() > 0, first.usage().toString());
        assertTrue(first.usage().completionTokens() > 0 && first.usage().completionTokens() <= 16, first.usage().toString());
        assertEquals(first, second, "greedy decoding should repeat itself");
    }

    @Test
    void rawPromptIsContinued() {
        Completion answer = model.generate(Prompt.raw("The capital of France is"), GREEDY_16.withStop(List.of("\n")));

        assertTrue(answer.text().toLowerCase(Locale.ROOT).contains("paris"), answer.text());
        assertFalse(answer.text().contains("\n"), "the stop string ends the text: " + answer.text());
        assertTrue(answer.usage().promptTokens() > 0 && answer.usage().completionTokens() > 0, answer.usage().toString());
    }

    @Test
    void promptLongerThanTheContextIsRefusedWithTheServersReason() {
        Prompt tooLong = Prompt.userTurn("word ".repeat(server.contextLength() * 3 / 2));
        var e = assertThrows(ModelCallException.class, () -> model.generate(tooLong, GREEDY_16));

        assertTrue(e.userFixable());
        assertTrue(e.getMessage().startsWith("openai-compatible " + server.baseUrl() + ": HTTP 400: "), e.getMessage());
        assertTrue(e.getMessage().contains("maximum context length is " + server.contextLength() + " tokens"), e.getMessage());
    }

    @Test
    void batchOfFourWithTwoInFlightMatchesOneByOne() {
        List<Prompt> batch = List.of(Prompt.userTurn("Name a colour."), Prompt.userTurn("Name a fruit."),
                Prompt.raw("One, two, three,"), Prompt.userTurn("Say hello."));
        Map<Integer, Completion> received = new ConcurrentHashMap<>();
        model.generate(batch, GREEDY_16, received::put);

        assertEquals(4, received.size());
        for (int i = 0; i < batch.size(); i++) {
            assertFalse(received.get(i).text().isBlank(), "item " + i);
            assertEquals(model.generate(batch.get(i), GREEDY_16).text(), received.get(i).text(), "item " + i);
        }
    }
}
