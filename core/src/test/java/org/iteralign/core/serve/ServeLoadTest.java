package org.iteralign.core.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import org.iteralign.core.model.Completion;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.model.Sampling;
import org.iteralign.core.testing.EmbeddedTestServer;
import org.junit.jupiter.api.Test;

/**
 * Fifty chat requests at once on loopback: all answered, each with its own answer. Greedy answers do not depend
 * on the batch, so each must equal what the engine answers for that prompt outside the server; the prompts are
 * chosen so the answers differ, which makes a mix-up visible.
 */
class ServeLoadTest {
    private static final int REQUESTS = 50;
    private static final int MAX_TOKENS = 8;
    private static final Pattern BATCH = Pattern.compile("batch of (\\d+)");
    private static final List<String> WORDS = List.of("apple", "river", "candle", "mountain", "violin", "pepper", "harbor",
            "tiger", "blanket", "comet", "lantern", "meadow", "pencil", "rocket", "saddle", "teapot", "umbrella", "walrus",
            "anchor", "biscuit", "cactus", "dolphin", "feather", "garlic", "hammock", "igloo", "jigsaw", "kettle", "lemon",
            "magnet", "noodle", "orchid", "parrot", "quilt", "raisin", "spider", "tulip", "velvet", "whistle", "yogurt",
            "zebra", "almond", "bucket", "cobweb", "donkey", "engine", "falcon", "glacier", "helmet", "island");

    @Test
    void fiftyConcurrentChatsEachGetTheirOwnAnswer() throws Exception {
        try (EmbeddedTestServer server = EmbeddedTestServer.start(); ServeClient client = new ServeClient(server.baseUrl())) {
            List<String> questions = WORDS.stream().map(w -> "Write the word \"" + w + "\" in capital letters.").toList();
            List<String> expected = new ArrayList<>(Collections.nCopies(REQUESTS, ""));
            long directStart = System.nanoTime();
            server.model().generate(questions.stream().map(Prompt::userTurn).toList(), Sampling.greedy(MAX_TOKENS),
                    (i, c) -> expected.set(i, c.text()));
            double directSeconds = (System.nanoTime() - directStart) / 1e9;
            assertTrue(new HashSet<>(expected).size() >= REQUESTS * 4 / 5,
                    "the prompts should get different answers, or a mix-up could pass unseen: " + expected);
            Completion alone = server.model().generate(Prompt.userTurn(questions.get(7)), Sampling.greedy(MAX_TOKENS));
            assertEquals(expected.get(7), alone.text(), "batch invariance of the engine itself");

            long start = System.nanoTime();
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (String q : questions) {
                    answers.add(threads.submit(() -> client.post("/chat/completions", OpenAiServerTest.chat(q, MAX_TOKENS, ""))));
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;

            for (int i = 0; i < REQUESTS; i++) {
                HttpResponse<String> r = answers.get(i).get();
                assertEquals(200, r.statusCode(), "request " + i + ": " + r.body());
                JsonNode body = ServeClient.json(r.body());
                assertEquals(expected.get(i), body.at("/choices/0/message/content").asText(), "request " + i + " (" + WORDS.get(i) + ")");
            }
            // The server logs a request after sending its response, so the last lines may trail the answers a little.
            List<Integer> batches = batchSizes(server);
            for (long deadline = System.nanoTime() + 10_000_000_000L; batches.size() < REQUESTS && System.nanoTime() < deadline; ) {
                Thread.sleep(10);
                batches = batchSizes(server);
            }
            assertEquals(REQUESTS, batches.size(), "one log line per request:\n" + String.join("\n", server.log()));
            assertTrue(batches.stream().anyMatch(b -> b > 1), "concurrent requests should share engine batches: " + batches);
            // The peer: the same prompts as one batch straight through the engine, in this run on this machine.
            System.out.printf(Locale.ROOT, "serve load test: %d chat requests (%d tokens each at most) in %.2f s, %.2f requests/s;"
                    + " the engine alone, one batch of all: %.2f s (serve takes %.2fx); batch size per request: %s%n",
                    REQUESTS, MAX_TOKENS, seconds, REQUESTS / seconds, directSeconds, seconds / directSeconds, batches);
        }
    }

    private static List<Integer> batchSizes(EmbeddedTestServer server) {
        List<Integer> batches = new ArrayList<>();
        for (String line : server.log()) {
            Matcher m = BATCH.matcher(line);
            if (line.startsWith("POST /v1/chat/completions 200") && m.find()) batches.add(Integer.parseInt(m.group(1)));
        }
        return batches;
    }
}
