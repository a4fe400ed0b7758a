package org.iteralign.core.backend;

import static org.iteralign.core.backend.ProviderAnswers.openAiChat;
import static org.iteralign.core.backend.ProviderAnswers.openAiText;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.iteralign.core.backend.ScriptedServer.Reply;
import org.iteralign.core.model.BackendOptions;
import org.iteralign.core.model.ChatMessage;
import org.iteralign.core.model.Completion;
import org.iteralign.core.model.ModelCallException;
import org.iteralign.core.model.ModelSpec;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.model.Sampling;
import org.iteralign.core.model.Usage;
import org.junit.jupiter.api.Test;

class OpenAiCompatibleChatModelTest {
    private static final String KEY = "sk-proj-abcdefghijklmnop";
    private static final Backoff FAST = new Backoff(Duration.ofMillis(10), Duration.ofMillis(40));
    private static final Sampling FULL = new Sampling(0.7, 0.9, 40, 0.5, 0.25, 32, List.of("\n\n", "User:"), 42);

    private static BackendOptions options(String keyVariable) {
        return new BackendOptions(keyVariable, 2, 0, Duration.ofSeconds(10), 1);
    }

    private static OpenAiCompatibleChatModel compatible(ScriptedServer server, String keyVariable) {
        ModelSpec spec = ModelSpec.parse("openai-compatible:" + server.url() + "/v1#test-model");
        return new OpenAiCompatibleChatModel(spec, options(keyVariable), Map.of("MY_KEY", KEY)::get, FAST);
    }

    /** The official API's kind, pointed at the scripted server. */
    private static OpenAiCompatibleChatModel openAi(ScriptedServer server, Map<String, String> env) {
        ModelSpec spec = new ModelSpec(ModelSpec.Kind.OPENAI, server.url() + "/v1", "gpt-test", "openai:gpt-test");
        return new OpenAiCompatibleChatModel(spec, options(null), env::get, FAST);
    }

    @Test
    void chatPromptSendsMessagesSamplingAndKey() {
        try (var server = ScriptedServer.replying(Reply.ok(openAiChat("Paris.")));
             var model = compatible(server, "MY_KEY")) {
            model.generate(Prompt.chat(ChatMessage.system("Be brief."), ChatMessage.user("Capital of France?")), FULL);

            ScriptedServer.Request request = server.requests().getFirst();
            assertEquals("POST", request.method());
            assertEquals("/v1/chat/completions", request.path());
            assertEquals("Bearer " + KEY, request.header("Authorization"));
            JsonNode body = request.json();
            assertEquals("test-model", body.get("model").asText());
            assertEquals("system", body.at("/messages/0/role").asText());
            assertEquals("Be brief.", body.at("/messages/0/content").asText());
            assertEquals("user", body.at("/messages/1/role").asText());
            assertEquals("Capital of France?", body.at("/messages/1/content").asText());
            assertEquals(0.7, body.get("temperature").asDouble());
            assertEquals(0.9, body.get("top_p").asDouble());
            assertEquals(32, body.get("max_tokens").asInt());
            assertEquals(0.5, body.get("frequency_penalty").asDouble());
            assertEquals(0.25, body.get("presence_penalty").asDouble());
            assertEquals("\n\n", body.at("/stop/0").asText());
            assertEquals("User:", body.at("/stop/1").asText());
            assertEquals(42, body.get("seed").asLong());
            assertEquals(40, body.get("top_k").asInt());
        }
    }

    @Test
    void zeroPenaltiesNoStopNoTopKAndNoKeyAreLeftOut() {
        try (var server = ScriptedServer.replying(Reply.ok(openAiChat("hi")));
             var model = compatible(server, null)) {
            model.generate(Prompt.userTurn("hello"), Sampling.greedy(16));

            ScriptedServer.Request request = server.requests().getFirst();
            assertNull(request.header("Authorization"));
            JsonNode body = request.json();
            for (String absent : List.of("frequency_penalty", "presence_penalty", "stop", "top_k")) {
                assertFalse(body.has(absent), absent + " should be left out of " + body);
            }
            assertEquals(0.0, body.get("temperature").asDouble());
            assertEquals(0, body.get("seed").asLong());
        }
    }

    @Test
    void chatAnswerIsReadWithFinishReasonAndUsage() {
        try (var server = ScriptedServer.replying(Reply.ok(openAiChat("Paris.")));
             var model = compatible(server, null)) {
            Completion answer = model.generate(Prompt.userTurn("Capital of France?"), FULL);
            assertEquals(new Completion("Paris.", "stop", new Usage(11, 3)), answer);
        }
    }

    @Test
    void rawPromptGoesToCompletions() {
        try (var server = ScriptedServer.replying(Reply.ok(openAiText(" Paris, of course", "length")));
             var model = compatible(server, null)) {
            Completion answer = model.generate(Prompt.raw("The capital of France is"), FULL);

            ScriptedServer.Request request = server.requests().getFirst();
            assertEquals("/v1/completions", request.path());
            assertEquals("The capital of France is", request.json().get("prompt").asText());
            assertFalse(request.json().has("messages"));
            assertEquals(new Completion(" Paris, of course", "length", new Usage(5, 16)), answer);
        }
    }

    @Test
    void nullContentIsAnEmptyAnswer() {
        String refusal = """
                {"choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"no"},"finish_reason":"stop"}]}""";
        try (var server = ScriptedServer.replying(Reply.ok(refusal));
             var model = compatible(server, null)) {
            assertEquals(new Completion("", "stop", Usage.NONE), model.generate(Prompt.userTurn("x"), FULL));
            assertEquals(1, server.requestCount());
        }
    }

    @Test
    void batchResultsKeepTheirIndices() {
        try (var server = ScriptedServer.start(r -> Reply.ok(openAiChat("echo " + r.json().at("/messages/0/content").asText())));
             var model = compatible(server, null)) {
            List<Completion> answers = model.generate(List.of(Prompt.userTurn("a"), Prompt.userTurn("b"), Prompt.userTurn("c"),
                    Prompt.userTurn("d"), Prompt.userTurn("e")), FULL);
            assertEquals(List.of("echo a", "echo b", "echo c", "echo d", "echo e"),
                    answers.stream().map(Completion::text).toList());
        }
    }

    @Test
    void openAiSendsItsKeyButNoTopK() {
        try (var server = ScriptedServer.replying(Reply.ok(openAiChat("hi")));
             var model = openAi(server, Map.of("OPENAI_API_KEY", KEY))) {
            model.generate(Prompt.userTurn("hello"), FULL);

            ScriptedServer.Request request = server.requests().getFirst();
            assertEquals("Bearer " + KEY, request.header("Authorization"));
            assertFalse(request.json().has("top_k"));
            assertEquals("gpt-test", request.json().get("model").asText());
        }
    }

    @Test
    void openAiWithoutKeyTellsWhichVariableToExport() {
        try (var server = ScriptedServer.replying(Reply.ok(openAiChat("hi")))) {
            var e = assertThrows(ModelCallException.class, () -> openAi(server, Map.of()));
            assertTrue(e.userFixable());
            assertTrue(e.getMessage().contains("OPENAI_API_KEY is not set; export OPENAI_API_KEY="), e.getMessage());
            assertEquals(0, server.requestCount());
        }
    }

    @Test
    void namedKeyVariableMustBeSetEvenForACompatibleServer() {
        try (var server = ScriptedServer.replying(Reply.ok(openAiChat("hi")))) {
            var e = assertThrows(ModelCallException.class, () -> compatible(server, "UNSET_KEY"));
            assertTrue(e.userFixable());
            assertTrue(e.getMessage().contains("UNSET_KEY is not set"), e.getMessage());
        }
    }

    @Test
    void keyNeverAppearsInIdOrToString() {
        try (var server = ScriptedServer.replying(Reply.ok(openAiChat("hi")));
             var model = compatible(server, "MY_KEY")) {
            assertEquals("openai-compatible:" + server.url() + "/v1#test-model", model.id());
            assertFalse(model.toString().contains(KEY), model.toString());
            assertFalse(new ApiKey("MY_KEY", KEY).toString().contains(KEY));
        }
    }
}
