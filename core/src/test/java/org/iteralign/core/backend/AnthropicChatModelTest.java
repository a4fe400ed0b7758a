package org.iteralign.core.backend;

import static org.iteralign.core.backend.ProviderAnswers.anthropic;
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

class AnthropicChatModelTest {
    private static final String KEY = "sk-ant-api03-secretsecret";
    private static final Backoff FAST = new Backoff(Duration.ofMillis(10), Duration.ofMillis(40));
    private static final BackendOptions OPTIONS = new BackendOptions(null, 2, 0, Duration.ofSeconds(10), 2);

    private static AnthropicChatModel model(ScriptedServer server, Map<String, String> env) {
        ModelSpec spec = new ModelSpec(ModelSpec.Kind.ANTHROPIC, server.url(), "claude-test", "anthropic:claude-test");
        return new AnthropicChatModel(spec, OPTIONS, env::get, FAST);
    }

    @Test
    void requestCarriesHeadersSystemFieldAndSampling() {
        try (var server = ScriptedServer.replying(Reply.ok(anthropic("end_turn", "Paris.")));
             var model = model(server, Map.of("ANTHROPIC_API_KEY", KEY))) {
            Sampling sampling = new Sampling(0.3, 0.8, 20, 0.7, 0.4, 64, List.of("Human:"), 7);
            model.generate(Prompt.chat(ChatMessage.system("Be brief."), ChatMessage.system("Answer in English."),
                    ChatMessage.user("Capital of France?"), ChatMessage.assistant("It is"), ChatMessage.user("Well?")), sampling);

            ScriptedServer.Request request = server.requests().getFirst();
            assertEquals("/v1/messages", request.path());
            assertEquals(KEY, request.header("x-api-key"));
            assertEquals("2023-06-01", request.header("anthropic-version"));
            assertNull(request.header("Authorization"));
            JsonNode body = request.json();
            assertEquals("claude-test", body.get("model").asText());
            assertEquals("Be brief.\n\nAnswer in English.", body.get("system").asText());
            assertEquals(3, body.get("messages").size());
            assertEquals("user", body.at("/messages/0/role").asText());
            assertEquals("Capital of France?", body.at("/messages/0/content").asText());
            assertEquals("assistant", body.at("/messages/1/role").asText());
            assertEquals(64, body.get("max_tokens").asInt());
            assertEquals(0.3, body.get("temperature").asDouble());
            assertEquals(0.8, body.get("top_p").asDouble());
            assertEquals(20, body.get("top_k").asInt());
            assertEquals("Human:", body.at("/stop_sequences/0").asText());
            for (String absent : List.of("frequency_penalty", "presence_penalty", "seed", "stop")) {
                assertFalse(body.has(absent), absent + " should be left out of " + body);
            }
        }
    }

    @Test
    void defaultTopPAndNoSystemTurnAreLeftOut() {
        try (var server = ScriptedServer.replying(Reply.ok(anthropic("end_turn", "hi")));
             var model = model(server, Map.of("ANTHROPIC_API_KEY", KEY))) {
            model.generate(Prompt.userTurn("hello"), Sampling.greedy(8));
            JsonNode body = server.requests().getFirst().json();
            for (String absent : List.of("system", "top_p", "top_k", "stop_sequences")) {
                assertFalse(body.has(absent), absent + " should be left out of " + body);
            }
        }
    }

    @Test
    void answerJoinsTextBlocksAndMapsStopReasonAndUsage() {
        String withToolBlock = """
                {"content":[{"type":"text","text":"Par"},{"type":"tool_use","id":"t","name":"x","input":{}},
                 {"type":"text","text":"is."}],"stop_reason":"max_tokens","usage":{"input_tokens":12,"output_tokens":2}}""";
        try (var server = ScriptedServer.replying(Reply.ok(anthropic("end_turn", "Hello", " there")), Reply.ok(withToolBlock));
             var model = model(server, Map.of("ANTHROPIC_API_KEY", KEY))) {
            assertEquals(new Completion("Hello there", "stop", new Usage(24, 9)), model.generate(Prompt.userTurn("a"), Sampling.greedy(8)));
            assertEquals(new Completion("Paris.", "length", new Usage(12, 2)), model.generate(Prompt.userTurn("b"), Sampling.greedy(8)));
        }
    }

    @Test
    void rawPromptIsSentAsOneUserTurn() {
        try (var server = ScriptedServer.replying(Reply.ok(anthropic("stop_sequence", "Paris")));
             var model = model(server, Map.of("ANTHROPIC_API_KEY", KEY))) {
            assertEquals("stop", model.generate(Prompt.raw("The capital of France is"), Sampling.greedy(8)).finishReason());
            JsonNode body = server.requests().getFirst().json();
            assertEquals(1, body.get("messages").size());
            assertEquals("user", body.at("/messages/0/role").asText());
            assertEquals("The capital of France is", body.at("/messages/0/content").asText());
        }
    }

    @Test
    void refusedRequestQuotesAnthropicsMessage() {
        String error = """
                {"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: 999999 > 8192"}}""";
        try (var server = ScriptedServer.replying(Reply.status(400, error));
             var model = model(server, Map.of("ANTHROPIC_API_KEY", KEY))) {
            var e = assertThrows(ModelCallException.class, () -> model.generate(Prompt.userTurn("a"), Sampling.greedy(8)));
            assertTrue(e.userFixable());
            assertEquals("anthropic " + server.url() + ": HTTP 400: max_tokens: 999999 > 8192", e.getMessage());
            assertEquals(1, server.requestCount());
        }
    }

    @Test
    void overloadedIsRetried() {
        String overloaded = """
                {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""";
        try (var server = ScriptedServer.replying(Reply.status(529, overloaded), Reply.ok(anthropic("end_turn", "ok")));
             var model = model(server, Map.of("ANTHROPIC_API_KEY", KEY))) {
            assertEquals("ok", model.generate(Prompt.userTurn("a"), Sampling.greedy(8)).text());
            assertEquals(2, server.requestCount());
        }
    }

    @Test
    void missingKeyNamesTheVariable() {
        try (var server = ScriptedServer.replying(Reply.ok(anthropic("end_turn", "hi")))) {
            var e = assertThrows(ModelCallException.class, () -> model(server, Map.of()));
            assertTrue(e.userFixable());
            assertTrue(e.getMessage().startsWith("anthropic " + server.url() + ": no API key: environment variable "
                    + "ANTHROPIC_API_KEY is not set"), e.getMessage());
        }
    }

    @Test
    void badKeyErrorNeverShowsTheKey() {
        try (var server = ScriptedServer.replying(Reply.status(401, """
                {"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key %s"}}""".formatted(KEY)));
             var model = model(server, Map.of("ANTHROPIC_API_KEY", KEY))) {
            var e = assertThrows(ModelCallException.class, () -> model.generate(Prompt.userTurn("a"), Sampling.greedy(8)));
            assertEquals("anthropic " + server.url() + ": HTTP 401: invalid x-api-key ***; check the key in $ANTHROPIC_API_KEY",
                    e.getMessage());
            assertFalse(model.toString().contains(KEY));
        }
    }
}
