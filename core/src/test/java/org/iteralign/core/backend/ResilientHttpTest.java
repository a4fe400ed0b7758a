package org.iteralign.core.backend;

import static org.iteralign.core.backend.ProviderAnswers.openAiChat;
import static org.iteralign.core.backend.ProviderAnswers.openAiError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.IntStream;

import org.iteralign.core.backend.ScriptedServer.Reply;
import org.iteralign.core.model.BackendOptions;
import org.iteralign.core.model.ChatModel;
import org.iteralign.core.model.Completion;
import org.iteralign.core.model.ModelCallException;
import org.iteralign.core.model.ModelSpec;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.model.Sampling;
import org.junit.jupiter.api.Test;

/** Retries, timeouts, rate and concurrency limits, exercised through the OpenAI-compatible client. */
class ResilientHttpTest {
    private static final String KEY = "sk-test-0123456789abcdef";
    private static final Map<String, String> ENV = Map.of("TEST_KEY", KEY);
    private static final Backoff FAST = new Backoff(Duration.ofMillis(10), Duration.ofMillis(40));
    private static final Sampling GREEDY = Sampling.greedy(8);

    private static ChatModel model(ScriptedServer server, BackendOptions options) {
        ModelSpec spec = ModelSpec.parse("openai-compatible:" + server.url() + "/v1#test-model");
        return new OpenAiCompatibleChatModel(spec, options, ENV::get, FAST);
    }

    private static BackendOptions options(int concurrency, int perMinute, Duration timeout, int retries) {
        return new BackendOptions("TEST_KEY", concurrency, perMinute, timeout, retries);
    }

    private static BackendOptions options() {
        return options(4, 0, Duration.ofSeconds(10), 3);
    }

    @Test
    void tooManyRequestsWaitsAsLongAsRetryAfterSays() {
        try (var server = ScriptedServer.replying(
                Reply.status(429, openAiError("rate limited")).withHeader("Retry-After", "1"), Reply.ok(openAiChat("after the wait")));
             var model = model(server, options())) {
            Completion answer = model.generate(Prompt.userTurn("hi"), GREEDY);

            assertEquals("after the wait", answer.text());
            List<ScriptedServer.Request> requests = server.requests();
            assertEquals(2, requests.size());
            Duration gap = Duration.ofNanos(requests.get(1).arrivalNanos() - requests.get(0).arrivalNanos());
            // The fast test backoff alone would retry after at most 40 ms; waiting ~1 s means Retry-After won.
            assertTrue(gap.compareTo(Duration.ofMillis(900)) >= 0, "retried after only " + gap);
        }
    }

    @Test
    void serverErrorIsRetried() {
        try (var server = ScriptedServer.replying(Reply.status(500, "oops"), Reply.status(503, ""), Reply.ok(openAiChat("fine")));
             var model = model(server, options())) {
            assertEquals("fine", model.generate(Prompt.userTurn("hi"), GREEDY).text());
            assertEquals(3, server.requestCount());
        }
    }

    @Test
    void requestTimeoutIsRetried() {
        try (var server = ScriptedServer.replying(Reply.status(408, ""), Reply.ok(openAiChat("fine")));
             var model = model(server, options())) {
            assertEquals("fine", model.generate(Prompt.userTurn("hi"), GREEDY).text());
            assertEquals(2, server.requestCount());
        }
    }

    @Test
    void malformedAnswerIsRetriedLikeAServerError() {
        try (var server = ScriptedServer.replying(Reply.ok("{\"choices\": [tru"), Reply.ok("{\"object\": \"list\"}"),
                Reply.ok(openAiChat("whole")));
             var model = model(server, options())) {
            assertEquals("whole", model.generate(Prompt.userTurn("hi"), GREEDY).text());
            assertEquals(3, server.requestCount());
        }
    }

    @Test
    void persistentServerErrorGivesUpAfterMaxRetries() {
        try (var server = ScriptedServer.replying(Reply.status(500, openAiError("model crashed")));
             var model = model(server, options(4, 0, Duration.ofSeconds(10), 2))) {
            var e = assertThrows(ModelCallException.class, () -> model.generate(Prompt.userTurn("hi"), GREEDY));

            assertFalse(e.userFixable());
            assertEquals(3, server.requestCount());
            assertTrue(e.getMessage().startsWith("openai-compatible " + server.url() + "/v1: still failing after 3 attempts"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("HTTP 500: model crashed"), e.getMessage());
        }
    }

    @Test
    void persistentlyMalformedAnswerSaysSo() {
        try (var server = ScriptedServer.replying(Reply.ok("<html>gateway</html>"));
             var model = model(server, options(4, 0, Duration.ofSeconds(10), 1))) {
            var e = assertThrows(ModelCallException.class, () -> model.generate(Prompt.userTurn("hi"), GREEDY));
            assertTrue(e.getMessage().contains("malformed JSON in the answer: <html>gateway</html>"), e.getMessage());
        }
    }

    @Test
    void refusedRequestIsNotRetriedAndNamesProviderStatusMessageAndKeyVariable() {
        try (var server = ScriptedServer.replying(Reply.status(401, openAiError("invalid api key " + KEY)));
             var model = model(server, options())) {
            var e = assertThrows(ModelCallException.class, () -> model.generate(Prompt.userTurn("hi"), GREEDY));

            assertTrue(e.userFixable());
            assertEquals(1, server.requestCount());
            assertEquals("openai-compatible " + server.url() + "/v1: HTTP 401: invalid api key ***; check the key in $TEST_KEY",
                    e.getMessage());
            assertFalse(e.getMessage().contains(KEY));
        }
    }

    @Test
    void unknownModelHintsAtTheModelName() {
        try (var server = ScriptedServer.replying(Reply.status(404, openAiError("The model `test-model` does not exist")));
             var model = model(server, options())) {
            var e = assertThrows(ModelCallException.class, () -> model.generate(Prompt.userTurn("hi"), GREEDY));
            assertTrue(e.userFixable());
            assertTrue(e.getMessage().contains("HTTP 404: The model `test-model` does not exist; check the model name 'test-model'"),
                    e.getMessage());
        }
    }

    @Test
    void slowAnswerTimesOutAndIsRetried() {
        try (var server = ScriptedServer.replying(Reply.ok(openAiChat("too late")).after(Duration.ofSeconds(5)),
                Reply.ok(openAiChat("in time")));
             var model = model(server, options(4, 0, Duration.ofSeconds(1), 2))) {
            assertEquals("in time", model.generate(Prompt.userTurn("hi"), GREEDY).text());
            assertEquals(2, server.requestCount());
        }
    }

    @Test
    void serverThatIsNotThereFailsWithAClearMessage() {
        String url;
        try (var server = ScriptedServer.replying(Reply.ok(openAiChat("never")))) {
            url = server.url();
        }
        ModelSpec spec = ModelSpec.parse("openai-compatible:" + url + "/v1#test-model");
        try (var model = new OpenAiCompatibleChatModel(spec, options(1, 0, Duration.ofSeconds(5), 1), ENV::get, FAST)) {
            var e = assertThrows(ModelCallException.class, () -> model.generate(Prompt.userTurn("hi"), GREEDY));
            assertFalse(e.userFixable());
            assertTrue(e.getMessage().contains("cannot connect to " + url + "/v1"), e.getMessage());
        }
    }

    @Test
    void requestsPerMinuteCapSpacesRequestsOut() {
        try (var server = ScriptedServer.replying(Reply.ok(openAiChat("ok")));
             var model = model(server, options(6, 600, Duration.ofSeconds(10), 0))) {
            List<Prompt> batch = IntStream.range(0, 6).mapToObj(i -> Prompt.userTurn("q" + i)).toList();
            long start = System.nanoTime();
            model.generate(batch, GREEDY);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

            assertEquals(6, server.requestCount());
            // 600 a minute is one permit every 100 ms, so the sixth request cannot leave before 500 ms have passed.
            // Measured around the whole call, a busy machine only lengthens this, so the bound cannot flake;
            // the server's arrival times could (a late first arrival shortens their span).
            assertTrue(elapsed.compareTo(Duration.ofMillis(500)) >= 0, "six requests within " + elapsed);
        }
    }

    @Test
    void neverMoreThanMaxConcurrencyRequestsInFlightAndEveryItemReachesTheSink() {
        try (var server = ScriptedServer.start(r -> Reply.ok(openAiChat(r.json().at("/messages/0/content").asText()))
                .after(Duration.ofMillis(100)));
             var model = model(server, options(3, 0, Duration.ofSeconds(10), 0))) {
            List<Prompt> batch = IntStream.range(0, 12).mapToObj(i -> Prompt.userTurn("q" + i)).toList();
            Map<Integer, String> received = new ConcurrentHashMap<>();
            model.generate(batch, GREEDY, (i, c) -> received.put(i, c.text()));

            assertEquals(12, server.requestCount());
            assertTrue(server.mostOpenAtOnce() <= 3, "in flight at once: " + server.mostOpenAtOnce());
            assertTrue(server.mostOpenAtOnce() >= 2, "requests were not sent in parallel");
            IntStream.range(0, 12).forEach(i -> assertEquals("q" + i, received.get(i)));
        }
    }

    @Test
    void failedItemStopsNewStartsButItemsInFlightStillReachTheSink() {
        AtomicInteger answered = new AtomicInteger();
        try (var server = ScriptedServer.start(r -> {
                if (r.json().at("/messages/0/content").asText().equals("bad")) {
                    return Reply.status(400, openAiError("prompt rejected"));
                }
                answered.incrementAndGet();
                return Reply.ok(openAiChat("ok")).after(Duration.ofMillis(150));
             });
             var model = model(server, options(2, 0, Duration.ofSeconds(10), 3))) {
            List<Prompt> batch = new ArrayList<>();
            for (int i = 0; i < 10; i++) batch.add(Prompt.userTurn(i == 2 ? "bad" : "q" + i));
            List<Integer> sunk = new ArrayList<>();

            var e = assertThrows(ModelCallException.class,
                    () -> model.generate(batch, GREEDY, (i, c) -> { synchronized (sunk) { sunk.add(i); } }));

            assertTrue(e.userFixable());
            assertTrue(e.getMessage().contains("HTTP 400: prompt rejected"), e.getMessage());
            assertTrue(server.requestCount() < 10, "kept starting after the failure: " + server.requestCount());
            assertEquals(answered.get(), sunk.size(), "every answered item reaches the sink");
            // With two in flight, item 2 could only start once item 0 or 1 was done; the other was still running.
            assertTrue(sunk.containsAll(List.of(0, 1)), sunk.toString());
            assertFalse(sunk.contains(2));
        }
    }

    @Test
    void retryIsLoggedWithItsWaitAndCauseButNeverTheKey() {
        try (var log = new RetryLog();
             var server = ScriptedServer.replying(
                     Reply.status(429, openAiError("slow down, " + KEY)).withHeader("Retry-After", "0.2"), Reply.ok(openAiChat("ok")));
             var model = model(server, options())) {
            model.generate(Prompt.userTurn("hi"), GREEDY);

            List<String> lines = log.lines();
            assertEquals(1, lines.size(), lines.toString());
            assertEquals("openai-compatible " + server.url() + "/v1: retrying after 0.2 s: HTTP 429: slow down, ***", lines.getFirst());
        }
    }

    @Test
    void openAisRetryAfterMsIsPreferredToTheCoarserRetryAfter() {
        try (var log = new RetryLog();
             var server = ScriptedServer.replying(Reply.status(429, openAiError("rate limited"))
                     .withHeader("Retry-After", "5").withHeader("retry-after-ms", "300"), Reply.ok(openAiChat("ok")));
             var model = model(server, options())) {
            model.generate(Prompt.userTurn("hi"), GREEDY);

            assertEquals(1, log.lines().size(), log.lines().toString());
            assertTrue(log.lines().getFirst().contains("retrying after 0.3 s: HTTP 429"), log.lines().getFirst());
        }
    }

    /** Collects what {@link ResilientHttp} logs while open. */
    private static final class RetryLog extends Handler implements AutoCloseable {
        private final Logger logger = Logger.getLogger(ResilientHttp.class.getName());
        private final List<String> lines = new ArrayList<>();

        RetryLog() {
            logger.addHandler(this);
        }

        synchronized List<String> lines() {
            return List.copyOf(lines);
        }

        @Override
        public synchronized void publish(LogRecord record) {
            lines.add(record.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }
}
