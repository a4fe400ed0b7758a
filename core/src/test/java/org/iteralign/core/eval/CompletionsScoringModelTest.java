package org.iteralign.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import org.iteralign.core.model.BackendOptions;
import org.iteralign.core.model.ModelCallException;
import org.iteralign.core.model.ModelSpec;
import org.iteralign.core.model.ScoreRequest;

class CompletionsScoringModelTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void sumsTheTokensAfterTheContextAndLeavesOutTheGeneratedOne() throws Exception {
        // "Q: hi\nA:" + " yes" echoed as 5 tokens, then one generated token "!" at offset 12.
        JsonNode logprobs = JSON.readTree("""
                {"text_offset": [0, 2, 5, 6, 8, 12], "tokens": ["Q:", " hi", "\\n", "A:", " yes", "!"],
                 "token_logprobs": [null, -1.0, -2.0, -0.5, -0.25, -3.0]}
                """);
        assertEquals(-0.25, CompletionsScoringModel.continuationLogLikelihood(logprobs, new ScoreRequest("Q: hi\nA:", " yes"), "t"));
    }

    @Test
    void offsetsCountCodePointsAsPythonDoes() throws Exception {
        // The context holds an emoji: two Java chars, one Python character. Counting chars would take "." in too.
        JsonNode logprobs = JSON.readTree("""
                {"text_offset": [0, 3, 4, 8], "tokens": ["I \\ud83d\\ude00", ":", " yes", "."],
                 "token_logprobs": [null, -1.0, -0.5, -9.0]}
                """);
        assertEquals(-0.5, CompletionsScoringModel.continuationLogLikelihood(logprobs, new ScoreRequest("I \ud83d\ude00:", " yes"), "t"));
    }

    @Test
    void aTokenStraddlingTheBoundaryCountsAsContinuation() throws Exception {
        // Context "ab", continuation "cd": tokens "a", "bc", "d".
        JsonNode logprobs = JSON.readTree("""
                {"text_offset": [0, 1, 3], "tokens": ["a", "bc", "d"], "token_logprobs": [null, -1.0, -2.0]}
                """);
        assertEquals(-3.0, CompletionsScoringModel.continuationLogLikelihood(logprobs, new ScoreRequest("ab", "cd"), "t"));
    }

    @Test
    void aServerThatDoesNotEchoThePromptIsTold() throws Exception {
        // llama.cpp's own server: only the generated token comes back.
        JsonNode logprobs = JSON.readTree("""
                {"text_offset": [12], "tokens": ["!"], "token_logprobs": [-3.0]}
                """);
        var e = assertThrows(ModelCallException.class,
                () -> CompletionsScoringModel.continuationLogLikelihood(logprobs, new ScoreRequest("Q: hi\nA:", " yes"), "t"));
        assertTrue(e.userFixable());
        assertTrue(e.getMessage().contains("echo: true is unsupported"), e.getMessage());
    }

    @Test
    void scoresThroughTheHttpEndpointOfAToyModel() throws Exception {
        try (ToyCompletionsServer server = new ToyCompletionsServer(false);
             var model = new CompletionsScoringModel(ModelSpec.parse(server.spec()), BackendOptions.defaults(), Map.<String, String>of()::get)) {
            double[] scores = model.logLikelihood(List.of(new ScoreRequest("The answer is", " true"),
                    new ScoreRequest("The answer is", " false")));
            assertEquals(ToyCompletionsServer.logprob(" true"), scores[0], 1e-12);
            assertEquals(ToyCompletionsServer.logprob(" false"), scores[1], 1e-12);
            assertEquals(2 + 2, server.requests, "the alignment probe (2 requests) runs once, then one request per score");
            model.logLikelihood(List.of(new ScoreRequest("x", "y")));
            assertEquals(5, server.requests);
        }
    }

    @Test
    void aServerWhosePromptLogprobsAreShiftedIsRefused() throws Exception {
        try (ToyCompletionsServer server = new ToyCompletionsServer(true);
             var model = new CompletionsScoringModel(ModelSpec.parse(server.spec()), BackendOptions.defaults(), Map.<String, String>of()::get)) {
            var e = assertThrows(ModelCallException.class, () -> model.logLikelihood(List.of(new ScoreRequest("a", "b"))));
            assertTrue(e.userFixable());
            assertTrue(e.getMessage().contains("misaligned"), e.getMessage());
        }
    }

    @Test
    void anOpenAiSpecWithoutItsKeyIsAUserError() {
        var e = assertThrows(ModelCallException.class, () -> new CompletionsScoringModel(ModelSpec.parse("openai:davinci-002"),
                BackendOptions.defaults(), Map.<String, String>of()::get));
        assertTrue(e.getMessage().contains("OPENAI_API_KEY"), e.getMessage());
    }

    /**
     * A /v1/completions server over a toy model whose tokens are single characters, each with a log-probability
     * fixed by the character; it always generates "!". {@code shifted} makes echoed prompt values wrong the way
     * llama-cpp-python's are for models without BOS.
     */
    private static final class ToyCompletionsServer implements AutoCloseable {
        private final HttpServer server;
        private final boolean shifted;
        volatile int requests;

        ToyCompletionsServer(boolean shifted) throws IOException {
            this.shifted = shifted;
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/v1/completions", this::answer);
            server.start();
        }

        String spec() {
            return "openai-compatible:http://127.0.0.1:" + server.getAddress().getPort() + "/v1#toy";
        }

        static double logprob(String text) {
            return text.codePoints().mapToDouble(c -> -0.1 * (c % 7 + 1)).sum();
        }

        private synchronized void answer(HttpExchange exchange) throws IOException {
            requests++;
            JsonNode request = JSON.readTree(exchange.getRequestBody());
            String prompt = request.get("prompt").asText();
            int[] chars = prompt.codePoints().toArray();
            ObjectNode logprobs = JSON.createObjectNode();
            ArrayNode offsets = logprobs.putArray("text_offset");
            ArrayNode tokens = logprobs.putArray("tokens");
            ArrayNode values = logprobs.putArray("token_logprobs");
            if (request.get("echo").asBoolean()) {
                for (int i = 0; i < chars.length; i++) {
                    offsets.add(i);
                    tokens.add(Character.toString(chars[i]));
                    if (i == 0) values.addNull();
                    else values.add(logprob(Character.toString(chars[i])) - (shifted ? 2.5 : 0));
                }
            }
            offsets.add(chars.length);
            tokens.add("!");
            values.add(logprob("!"));
            ObjectNode body = JSON.createObjectNode();
            body.putArray("choices").addObject().put("text", "!").put("finish_reason", "length").set("logprobs", logprobs);
            byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
