package org.iteralign.core.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

import org.iteralign.core.model.Completion;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.model.Sampling;
import org.iteralign.core.testing.EmbeddedTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code iteralign serve} on the real test model, spoken to over HTTP as any OpenAI client would. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiServerTest {
    private static final String FRANCE = "What is the capital of France?";
    private EmbeddedTestServer server;
    private ServeClient client;

    /** Started by the first test rather than in {@code @BeforeAll}, so each test reports its own skip reason. */
    @BeforeEach
    void startOnce() {
        if (server != null) return;
        server = EmbeddedTestServer.start();
        client = new ServeClient(server.baseUrl());
    }

    @AfterAll
    void stop() {
        if (client != null) client.close();
        if (server != null) server.close();
    }

    @Test
    void modelsListsTheServedModel() {
        HttpResponse<String> r = client.get("/models");

        assertEquals(200, r.statusCode());
        JsonNode body = ServeClient.json(r.body());
        assertEquals("list", body.path("object").asText());
        assertEquals(EmbeddedTestServer.MODEL_NAME, body.at("/data/0/id").asText());
    }

    @Test
    void chatAnswerIsTheEmbeddedModelsAnswer() {
        JsonNode body = ok(client.post("/chat/completions", chat(FRANCE, 24, "")));
        Completion direct = server.model().generate(Prompt.userTurn(FRANCE), Sampling.greedy(24));

        assertEquals("chat.completion", body.path("object").asText());
        assertTrue(body.path("id").asText().startsWith("chatcmpl-"), body.toString());
        assertEquals(EmbeddedTestServer.MODEL_NAME, body.path("model").asText());
        assertEquals("assistant", body.at("/choices/0/message/role").asText());
        assertEquals(direct.text(), body.at("/choices/0/message/content").asText());
        assertEquals(direct.finishReason(), body.at("/choices/0/finish_reason").asText());
        assertEquals(direct.usage().promptTokens(), body.at("/usage/prompt_tokens").asLong());
        assertEquals(direct.usage().completionTokens(), body.at("/usage/completion_tokens").asLong());
        assertEquals(direct.usage().promptTokens() + direct.usage().completionTokens(), body.at("/usage/total_tokens").asLong());
        assertTrue(server.log().stream().anyMatch(l -> l.startsWith("POST /v1/chat/completions 200 ")), server.log().toString());
    }

    @Test
    void streamedChatAddsUpToTheWholeAnswer() {
        String whole = ok(client.post("/chat/completions", chat(FRANCE, 24, ""))).at("/choices/0/message/content").asText();
        HttpResponse<String> r = client.post("/chat/completions",
                chat(FRANCE, 24, ", \"stream\": true, \"stream_options\": {\"include_usage\": true}"));

        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"), r.headers().toString());
        List<String> events = ServeClient.events(r.body());
        assertEquals("[DONE]", events.getLast());
        List<JsonNode> chunks = events.subList(0, events.size() - 1).stream().map(ServeClient::json).toList();
        assertEquals("assistant", chunks.getFirst().at("/choices/0/delta/role").asText());
        StringBuilder text = new StringBuilder();
        int finishes = 0;
        for (JsonNode chunk : chunks.subList(0, chunks.size() - 1)) {
            assertEquals("chat.completion.chunk", chunk.path("object").asText());
            text.append(chunk.at("/choices/0/delta/content").asText(""));
            if (!chunk.at("/choices/0/finish_reason").isNull()) finishes++;
        }
        assertEquals(whole, text.toString());
        assertTrue(chunks.size() > 4, "the answer should come in pieces: " + chunks.size() + " chunks");
        assertEquals(1, finishes);
        JsonNode usage = chunks.getLast();
        assertTrue(usage.path("choices").isArray() && usage.path("choices").isEmpty(), usage.toString());
        assertTrue(usage.at("/usage/completion_tokens").asInt() > 0, usage.toString());
    }

    @Test
    void aStopStringNeverReachesTheStream() {
        String body = """
                {"model": "test-model", "prompt": "Here is a list of fruits:\\n1. Apple\\n2. Banana\\n3.", "max_tokens": 40,
                 "temperature": 0, "stop": ["\\n", "Cherry"]%s}""";
        JsonNode whole = ok(client.post("/completions", body.formatted("")));
        List<String> events = ServeClient.events(client.post("/completions", body.formatted(", \"stream\": true")).body());

        String text = whole.at("/choices/0/text").asText();
        assertEquals("stop", whole.at("/choices/0/finish_reason").asText());
        assertFalse(text.contains("\n") || text.contains("Cherry"), text);
        StringBuilder streamed = new StringBuilder();
        for (String e : events.subList(0, events.size() - 1)) streamed.append(ServeClient.json(e).at("/choices/0/text").asText());
        assertEquals(text, streamed.toString());
        assertEquals("stop", ServeClient.json(events.get(events.size() - 2)).at("/choices/0/finish_reason").asText());
    }

    @Test
    void echoedLogprobsCoverThePromptAndTheAnswer() {
        String prompt = "The capital of France is";
        JsonNode body = ok(client.post("/completions", """
                {"prompt": "%s", "max_tokens": 3, "temperature": 0, "echo": true, "logprobs": 2}""".formatted(prompt)));
        JsonNode choice = body.at("/choices/0");
        int answerTokens = body.at("/usage/completion_tokens").asInt();
        JsonNode lp = choice.path("logprobs");
        JsonNode tokens = lp.path("tokens");

        assertTrue(choice.path("text").asText().startsWith(prompt), choice.toString());
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < tokens.size(); i++) {
            assertEquals(joined.codePointCount(0, joined.length()), lp.path("text_offset").get(i).asInt(), "offset of token " + i);
            joined.append(tokens.get(i).asText());
        }
        assertEquals(choice.path("text").asText(), joined.toString());
        assertTrue(lp.path("token_logprobs").get(0).isNull(), "the first token has nothing before it");
        for (int i = 1; i < tokens.size(); i++) {
            double value = lp.path("token_logprobs").get(i).asDouble();
            JsonNode top = lp.path("top_logprobs").get(i);
            assertTrue(value < 0 && top.size() <= 2 && top.size() >= 1, i + ": " + value + " " + top);
            double best = top.properties().stream().mapToDouble(e -> e.getValue().asDouble()).max().orElseThrow();
            assertTrue(value <= best + 1e-9, "no token beats the best alternative");
            // Greedy answer tokens are each the best there was.
            if (i >= tokens.size() - answerTokens) assertEquals(best, value, 1e-9, "answer token " + i);
        }
    }

    @Test
    void chatLogprobsListEveryAnswerToken() {
        JsonNode body = ok(client.post("/chat/completions", chat(FRANCE, 8, ", \"logprobs\": true, \"top_logprobs\": 3")));
        JsonNode content = body.at("/choices/0/logprobs/content");

        assertEquals(body.at("/usage/completion_tokens").asInt(), content.size());
        StringBuilder text = new StringBuilder();
        for (JsonNode token : content) {
            JsonNode top = token.path("top_logprobs");
            assertEquals(3, top.size());
            assertTrue(top.get(0).path("logprob").asDouble() >= top.get(1).path("logprob").asDouble());
            assertEquals(top.get(0).path("token").asText(), token.path("token").asText(), "greedy picks the best token");
            assertEquals(top.get(0).path("logprob").asDouble(), token.path("logprob").asDouble(), 1e-12);
            assertFalse(token.path("bytes").isEmpty());
            text.append(token.path("token").asText());
        }
        assertEquals(body.at("/choices/0/message/content").asText(), text.toString());
    }

    @Test
    void streamedLogprobsComeWithTheFinishedAnswer() {
        String whole = ok(client.post("/chat/completions", chat(FRANCE, 8, ""))).at("/choices/0/message/content").asText();
        List<String> events = ServeClient.events(client.post("/chat/completions",
                chat(FRANCE, 8, ", \"stream\": true, \"logprobs\": true, \"top_logprobs\": 1")).body());

        assertEquals("[DONE]", events.getLast());
        JsonNode last = ServeClient.json(events.get(events.size() - 2));
        assertEquals(whole, last.at("/choices/0/delta/content").asText());
        assertTrue(last.at("/choices/0/finish_reason").isTextual(), last.toString());
        StringBuilder tokens = new StringBuilder();
        for (JsonNode t : last.at("/choices/0/logprobs/content")) tokens.append(t.path("token").asText());
        assertEquals(whole, tokens.toString());
    }

    @Test
    void promptArrayGivesOneChoiceEachInOrder() {
        JsonNode both = ok(client.post("/completions", """
                {"prompt": ["One, two, three,", "Monday, Tuesday,"], "max_tokens": 6, "temperature": 0}"""));
        JsonNode first = ok(client.post("/completions", """
                {"prompt": "One, two, three,", "max_tokens": 6, "temperature": 0}"""));
        JsonNode second = ok(client.post("/completions", """
                {"prompt": [[%s]], "max_tokens": 6, "temperature": 0}""".formatted(ids("Monday, Tuesday,"))));

        assertEquals(2, both.path("choices").size());
        assertEquals(first.at("/choices/0/text").asText(), both.at("/choices/0/text").asText());
        assertEquals(second.at("/choices/0/text").asText(), both.at("/choices/1/text").asText());
        assertEquals(1, both.at("/choices/1/index").asInt());
        assertEquals(first.at("/usage/prompt_tokens").asInt() + second.at("/usage/prompt_tokens").asInt(), both.at("/usage/prompt_tokens").asInt());
    }

    @Test
    void aSeededSampleRepeatsWhateverItIsBatchedWith() throws Exception {
        String seeded = """
                {"messages": [{"role": "user", "content": "Tell me a one-line story."}], "max_tokens": 12, "temperature": 1.0, "seed": 7}""";
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 6; i++) {
                String body = i % 2 == 0 ? seeded : chat("Name a colour, number " + i + ".", 12, "");
                answers.add(threads.submit(() -> client.post("/chat/completions", body)));
            }
        }
        String alone = ok(client.post("/chat/completions", seeded)).at("/choices/0/message/content").asText();

        for (int i = 0; i < 6; i += 2) {
            assertEquals(alone, ok(answers.get(i).get()).at("/choices/0/message/content").asText(), "request " + i);
        }
    }

    @Test
    void malformedRequestsGet400WithOpenAisErrorBody() {
        record Bad(String path, String body, String param) {}
        List<Bad> cases = List.of(
                new Bad("/chat/completions", "{\"messages\": [", null),
                new Bad("/chat/completions", "", null),
                new Bad("/chat/completions", "[1, 2]", null),
                new Bad("/chat/completions", "{}", "messages"),
                new Bad("/chat/completions", "{\"messages\": \"hello\"}", "messages"),
                new Bad("/chat/completions", "{\"messages\": [{\"role\": \"robot\", \"content\": \"hi\"}]}", "messages[0].role"),
                new Bad("/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\"}]}]}", "messages[0].content[0]"),
                new Bad("/chat/completions", userSays("\"temperature\": 5"), "temperature"),
                new Bad("/chat/completions", userSays("\"temperature\": \"hot\""), "temperature"),
                new Bad("/chat/completions", userSays("\"max_tokens\": 0"), "max_tokens"),
                new Bad("/chat/completions", userSays("\"n\": 2"), "n"),
                new Bad("/chat/completions", userSays("\"stop\": [1]"), "stop"),
                new Bad("/chat/completions", userSays("\"stream\": \"yes\""), "stream"),
                new Bad("/chat/completions", userSays("\"top_logprobs\": 2"), "top_logprobs"),
                new Bad("/completions", "{\"max_tokens\": 4}", "prompt"),
                new Bad("/completions", "{\"prompt\": [999999999]}", "prompt"),
                new Bad("/completions", "{\"prompt\": \"hi\", \"logprobs\": 50}", "logprobs"),
                new Bad("/completions", "{\"prompt\": \"hi\", \"suffix\": \"end\"}", "suffix"),
                new Bad("/completions", "{\"prompt\": \"" + "word ".repeat(server.contextLength() + 10) + "\"}", "prompt"));
        for (Bad bad : cases) {
            HttpResponse<String> r = client.post(bad.path(), bad.body());
            String what = bad.path() + " " + (bad.body().length() > 120 ? bad.body().substring(0, 120) : bad.body());
            assertEquals(400, r.statusCode(), what + " -> " + r.body());
            assertOpenAiError(r, "invalid_request_error", what);
            JsonNode param = ServeClient.json(r.body()).at("/error/param");
            assertEquals(bad.param(), param.isNull() ? null : param.asText(), what);
        }
        assertTrue(server.log().stream().anyMatch(l -> l.startsWith("POST /v1/chat/completions 400 ")), server.log().toString());
    }

    @Test
    void unknownPathsAndWrongMethodsGetJsonErrorsToo() {
        HttpResponse<String> missing = client.get("/embeddings");
        HttpResponse<String> wrongMethod = client.get("/chat/completions");

        assertEquals(404, missing.statusCode());
        assertOpenAiError(missing, "not_found_error", "GET /v1/embeddings");
        assertEquals(405, wrongMethod.statusCode());
        assertEquals("POST", wrongMethod.headers().firstValue("Allow").orElse(""));
        assertOpenAiError(wrongMethod, "invalid_request_error", "GET /v1/chat/completions");
    }

    private static void assertOpenAiError(HttpResponse<String> r, String type, String what) {
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), what);
        JsonNode error = ServeClient.json(r.body()).path("error");
        assertTrue(error.path("message").isTextual() && !error.path("message").asText().isBlank(), what + " -> " + r.body());
        assertEquals(type, error.path("type").asText(), what);
        assertTrue(error.has("param") && error.has("code"), what + " -> " + r.body());
        assertFalse(r.body().contains("Exception") || r.body().contains("\tat "), "no stack trace: " + r.body());
    }

    private JsonNode ok(HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), r.body() + "\nserver log:\n" + server.outputTail());
        return ServeClient.json(r.body());
    }

    private String ids(String text) {
        return Arrays.stream(server.model().tokenize(Prompt.raw(text))).mapToObj(Integer::toString).collect(Collectors.joining(", "));
    }

    private static String userSays(String extra) {
        return "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], " + extra + "}";
    }

    static String chat(String question, int maxTokens, String extra) {
        return """
                {"model": "test-model", "messages": [{"role": "user", "content": %s}], "max_tokens": %d, "temperature": 0%s}"""
                .formatted(OpenAiJson.JSON.valueToTree(question).toString(), maxTokens, extra);
    }
}
