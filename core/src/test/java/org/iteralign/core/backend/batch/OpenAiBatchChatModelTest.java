package org.iteralign.core.backend.batch;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.iteralign.core.backend.OpenAiApi;
import org.iteralign.core.model.BackendOptions;
import org.iteralign.core.model.Completion;
import org.iteralign.core.model.ModelCallException;
import org.iteralign.core.model.ModelSpec;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.model.Sampling;
import org.iteralign.core.testing.RecordedNotes;
import org.iteralign.core.store.RunStore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpenAiBatchChatModelTest {
    private static final String KEY = "sk-batch-test-secret";
    private static final FakeBatchApi.Statuses TO_COMPLETION =
            (job, poll) -> List.of("validating", "in_progress", "finalizing", "completed").get(Math.min(poll, 3));
    private static final FakeBatchApi.Items ECHO = (job, text) -> FakeBatchApi.Item.ok("answer to: " + text);

    @TempDir
    Path dir;

    private final RecordedNotes notes = new RecordedNotes();

    private OpenAiBatchChatModel open(FakeBatchApi api, int maxRetries) {
        var options = new BackendOptions("MY_KEY", 2, 0, Duration.ofSeconds(10), maxRetries).withBatch(Duration.ofMillis(2));
        return OpenAiBatchChatModel.open(ModelSpec.parse(api.spec()), options, Map.of("MY_KEY", KEY)::get,
                dir.resolve("run.db"), notes);
    }

    private static List<Prompt> questions(int n) {
        return IntStream.range(0, n).mapToObj(i -> Prompt.userTurn("question " + i)).toList();
    }

    private long journalRows() {
        try (RunStore store = RunStore.open(dir.resolve("run.db"))) {
            return store.count("SELECT COUNT(*) FROM remote_batches");
        }
    }

    @Test
    void answersArriveOutOfOrderAndAreMatchedToTheirPromptsByCustomId() {
        try (var api = new FakeBatchApi(TO_COMPLETION, ECHO, 0); var model = open(api, 2)) {
            List<Completion> answers = model.generate(questions(6), Sampling.greedy(32));

            for (int i = 0; i < 6; i++) assertEquals("answer to: question " + i, answers.get(i).text());
            assertEquals("stop", answers.getFirst().finishReason());
            assertEquals(11, answers.getFirst().usage().promptTokens());
            assertEquals(1, api.count("POST", "/v1/files"));
            assertEquals(1, api.count("POST", "/v1/batches"));
            JsonNode create = api.requests().stream().filter(r -> r.method().equals("POST") && r.path().equals("/v1/batches")).findFirst().orElseThrow().json();
            assertEquals("/v1/chat/completions", create.path("endpoint").asText());
            JsonNode firstLine = api.uploadedInputs().getFirst().getFirst();
            assertEquals("/v1/chat/completions", firstLine.path("url").asText());
            assertEquals("gpt-test", firstLine.at("/body/model").asText());
            assertEquals(32, firstLine.at("/body/max_tokens").asInt());
            assertTrue(api.requests().stream().allMatch(r -> ("Bearer " + KEY).equals(r.header("Authorization"))));
            assertTrue(notes.contains("batch batch_0 in_progress: 3/6 answered"), notes.toString());
            assertTrue(notes.contains("batch batch_0 completed: 6/6 answered"), notes.toString());
            assertFalse(notes.toString().contains(KEY));
        }
        assertEquals(0, journalRows(), "a collected job leaves the journal");
    }

    @Test
    void aFailedJobIsAUserFixableErrorWithTheProvidersReason() {
        FakeBatchApi.Statuses failing = (job, poll) -> poll == 0 ? "validating" : "failed";
        List<Integer> delivered = Collections.synchronizedList(new ArrayList<>());
        try (var api = new FakeBatchApi(failing, ECHO, 0); var model = open(api, 2)) {
            var e = assertThrows(ModelCallException.class,
                    () -> model.generate(questions(3), Sampling.greedy(8), (i, c) -> delivered.add(i)));

            assertTrue(e.userFixable());
            assertTrue(e.getMessage().contains("batch batch_0 failed: line 1: The model 'gpt-test' does not support the Batch API."),
                    e.getMessage());
            assertTrue(delivered.isEmpty());
            assertEquals(1, api.count("POST", "/v1/batches"), "a failed job is not resubmitted");
        }
        assertEquals(0, journalRows(), "a failed job is forgotten, so a corrected rerun submits anew");
    }

    @Test
    void requestsThatFailRetryablyAreResubmittedAndTheOthersAreNamed() {
        FakeBatchApi.Items items = (job, text) -> switch (text) {
            case "question 1" -> FakeBatchApi.Item.httpError(400, "max_tokens is too large");
            case "question 2" -> job == 0 ? FakeBatchApi.Item.httpError(500, "The server had an error") : ECHO.answer(job, text);
            default -> ECHO.answer(job, text);
        };
        Map<Integer, String> delivered = new ConcurrentHashMap<>();
        try (var api = new FakeBatchApi(TO_COMPLETION, items, 0); var model = open(api, 2)) {
            var e = assertThrows(ModelCallException.class,
                    () -> model.generate(questions(4), Sampling.greedy(8), (i, c) -> delivered.put(i, c.text())));

            assertEquals(Map.of(0, "answer to: question 0", 2, "answer to: question 2", 3, "answer to: question 3"), delivered);
            assertTrue(e.getMessage().contains("1 of 4 batch requests got no answer: prompt 1: HTTP 400: max_tokens is too large"),
                    e.getMessage());
            assertTrue(e.userFixable());
            assertEquals(2, api.count("POST", "/v1/batches"));
            List<JsonNode> second = api.uploadedInputs().get(1);
            assertEquals(1, second.size(), "only the request that hit a server error is sent again");
            assertEquals("question 2", second.getFirst().at("/body/messages/0/content").asText());
        }
    }

    @Test
    void anExpiredJobGivesItsPartialAnswersAndTheRestIsSentAgain() {
        FakeBatchApi.Statuses expiring = (job, poll) -> job == 0 ? (poll == 0 ? "in_progress" : "expired") : TO_COMPLETION.at(job, poll);
        FakeBatchApi.Items items = (job, text) -> {
            if (job > 0 || text.equals("question 0") || text.equals("question 1")) return ECHO.answer(job, text);
            return text.equals("question 2") ? FakeBatchApi.Item.expired() : FakeBatchApi.Item.MISSING;
        };
        try (var api = new FakeBatchApi(expiring, items, 0); var model = open(api, 1)) {
            List<Completion> answers = model.generate(questions(4), Sampling.greedy(8));

            for (int i = 0; i < 4; i++) assertEquals("answer to: question " + i, answers.get(i).text());
            assertEquals(2, api.count("POST", "/v1/batches"));
            assertEquals(List.of("question 2", "question 3"), api.uploadedInputs().get(1).stream()
                    .map(line -> line.at("/body/messages/0/content").asText()).toList());
            assertTrue(notes.contains("sending 2 unanswered requests again"), notes.toString());
        }
    }

    @Test
    void retryableFailuresStopAfterMaxRetriesAndAreNotBlamedOnTheUser() {
        FakeBatchApi.Items overloaded = (job, text) -> FakeBatchApi.Item.httpError(429, "Rate limit reached");
        try (var api = new FakeBatchApi(TO_COMPLETION, overloaded, 0); var model = open(api, 1)) {
            var e = assertThrows(ModelCallException.class, () -> model.generate(questions(2), Sampling.greedy(8)));

            assertFalse(e.userFixable());
            assertTrue(e.getMessage().contains("2 of 2 batch requests got no answer"), e.getMessage());
            assertEquals(2, api.count("POST", "/v1/batches"), "the first job and one retry");
        }
    }

    @Test
    void aRateLimitedCreationIsRetriedWithoutUploadingAgain() {
        try (var api = new FakeBatchApi(TO_COMPLETION, ECHO, 1); var model = open(api, 2)) {
            List<Completion> answers = model.generate(questions(2), Sampling.greedy(8));

            assertEquals("answer to: question 1", answers.get(1).text());
            assertEquals(1, api.count("POST", "/v1/files"));
            assertEquals(2, api.count("POST", "/v1/batches"), "one refused with 429, one accepted");
            assertTrue(api.requests().stream().filter(r -> r.method().equals("GET") && r.path().startsWith("/v1/batches/"))
                    .allMatch(r -> r.path().equals("/v1/batches/batch_0")), "the accepted job is the only one polled");
        }
    }

    @Test
    void aRestartedProcessResumesPollingTheSameJobInsteadOfPayingAgain() throws Exception {
        AtomicBoolean finished = new AtomicBoolean(false);
        FakeBatchApi.Statuses held = (job, poll) -> finished.get() ? "completed" : "in_progress";
        try (var api = new FakeBatchApi(held, ECHO, 0)) {
            AtomicReference<Throwable> firstOutcome = new AtomicReference<>();
            var first = open(api, 2);
            Thread run = Thread.ofVirtual().start(() -> {
                try {
                    first.generate(questions(3), Sampling.greedy(8));
                } catch (Throwable t) {
                    firstOutcome.set(t);
                }
            });
            while (api.count("GET", "/v1/batches/") < 2) Thread.sleep(1);
            run.interrupt();  // the process dies while the job runs
            run.join();
            first.close();
            assertTrue(firstOutcome.get() instanceof ModelCallException, String.valueOf(firstOutcome.get()));
            assertEquals(1, journalRows());

            finished.set(true);
            try (var second = open(api, 2)) {
                List<Completion> answers = second.generate(questions(3), Sampling.greedy(8));

                assertEquals("answer to: question 2", answers.get(2).text());
            }
            assertEquals(1, api.count("POST", "/v1/files"), "no second upload");
            assertEquals(1, api.count("POST", "/v1/batches"), "no second job");
            assertTrue(api.requests().stream().filter(r -> r.method().equals("GET") && r.path().startsWith("/v1/batches/"))
                    .allMatch(r -> r.path().equals("/v1/batches/batch_0")));
            assertTrue(notes.contains("resuming batch batch_0 of 3 requests"), notes.toString());
        }
        assertEquals(0, journalRows());
    }

    @Test
    void aProcessThatStoppedBetweenUploadAndCreationCreatesTheJobFromTheSameFile() {
        try (var api = new FakeBatchApi(TO_COMPLETION, ECHO, 0);
             var client = OpenAiApi.open(ModelSpec.parse(api.spec()), BackendOptions.defaults(), Map.of("MY_KEY", KEY)::get)) {
            // What a process killed right after its upload left behind.
            BatchFile file = BatchFile.of(client, questions(2), Sampling.greedy(8));
            String uploaded = client.upload("batch", "killed.jsonl", file.jsonl());
            try (var journal = new BatchJournal(dir.resolve("run.db"))) {
                journal.uploaded(file.key(), client.label(), uploaded, 2);
                assertNull(journal.find(file.key()).orElseThrow().batchId());
            }
            try (var model = open(api, 2)) {
                assertEquals("answer to: question 1", model.generate(questions(2), Sampling.greedy(8)).get(1).text());
            }
            assertEquals(1, api.count("POST", "/v1/files"), "the recorded upload is reused");
            JsonNode create = api.requests().stream().filter(r -> r.method().equals("POST") && r.path().equals("/v1/batches")).findFirst().orElseThrow().json();
            assertEquals(uploaded, create.path("input_file_id").asText());
        }
    }

    @Test
    void aProcessThatStoppedBetweenCreationAndRecordingFindsItsJobInsteadOfPayingAgain() {
        try (var api = new FakeBatchApi(TO_COMPLETION, ECHO, 0);
             var client = OpenAiApi.open(ModelSpec.parse(api.spec()), BackendOptions.defaults(), Map.of("MY_KEY", KEY)::get)) {
            // Another job of the account, then what a process killed right after creating its own left behind.
            BatchFile other = BatchFile.of(client, questions(1), Sampling.greedy(8));
            client.post("/batches", createBody(client.upload("batch", "other.jsonl", other.jsonl()), other));
            BatchFile file = BatchFile.of(client, questions(2), Sampling.greedy(8));
            String uploaded = client.upload("batch", "killed.jsonl", file.jsonl());
            client.post("/batches", createBody(uploaded, file));
            try (var journal = new BatchJournal(dir.resolve("run.db"))) {
                journal.uploaded(file.key(), client.label(), uploaded, 2);
            }
            try (var model = open(api, 2)) {
                assertEquals("answer to: question 1", model.generate(questions(2), Sampling.greedy(8)).get(1).text());
            }
            assertEquals(2, api.count("POST", "/v1/batches"), "no job beyond the two made before");
            assertTrue(api.requests().stream().filter(r -> r.method().equals("GET") && r.path().startsWith("/v1/batches/"))
                    .allMatch(r -> r.path().equals("/v1/batches/batch_1")), "the found job is the one polled");
        }
        assertEquals(0, journalRows());
    }

    private static JsonNode createBody(String inputFileId, BatchFile file) {
        var body = new ObjectMapper().createObjectNode();
        body.put("input_file_id", inputFileId).put("endpoint", file.endpoint()).put("completion_window", "24h");
        return body;
    }
}
