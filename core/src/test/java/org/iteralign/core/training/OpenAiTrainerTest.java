package org.iteralign.core.training;

import org.iteralign.core.backend.OpenAiFineTuning;
import org.iteralign.core.backend.ScriptedServer;
import org.iteralign.core.backend.ScriptedServer.Reply;
import org.iteralign.core.config.RunConfig;
import org.iteralign.core.model.BackendOptions;
import org.iteralign.core.model.ModelCallException;
import org.iteralign.core.model.ModelSpec;
import org.iteralign.core.pipeline.ProgressListener;
import org.iteralign.core.testing.RecordedNotes;
import org.iteralign.core.pipeline.SftExample;
import org.iteralign.core.pipeline.Trainer;
import org.iteralign.core.pipeline.TrainerState;
import org.iteralign.core.store.RunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The openai trainer against a local server that plays the fine-tuning API as documented: files, jobs that pass
 * through validating_files, queued and running to succeeded or failed, events, and a rate limit on the way.
 */
class OpenAiTrainerTest {
    private static final String KEY = "sk-test-fine-tuning";
    private static final Duration QUICK_POLLS = Duration.ofMillis(5);

    @TempDir
    Path dir;

    /** The provider's side: one uploaded file and numbered jobs whose status advances with every look. */
    private static final class Provider {
        final AtomicBoolean holdRunning = new AtomicBoolean();
        final AtomicReference<String> outcome = new AtomicReference<>("succeeded");
        final AtomicInteger jobs = new AtomicInteger();
        final AtomicInteger looks = new AtomicInteger();
        final AtomicBoolean limited = new AtomicBoolean();
        final Map<String, String> status = new ConcurrentHashMap<>();
        final ScriptedServer server = ScriptedServer.start(this::answer);

        private Reply answer(ScriptedServer.Request r) {
            if (r.method().equals("POST") && r.path().equals("/v1/files")) {
                return Reply.ok("{\"id\": \"file-1\", \"object\": \"file\", \"purpose\": \"fine-tune\"}");
            }
            if (r.method().equals("POST") && r.path().equals("/v1/fine_tuning/jobs")) {
                return Reply.ok(job("ftjob-" + jobs.incrementAndGet(), "validating_files"));
            }
            if (r.method().equals("GET") && r.path().equals("/v1/fine_tuning/jobs")) {
                List<String> listed = new ArrayList<>();
                for (int j = jobs.get(); j >= 1; j--) listed.add(job("ftjob-" + j, status.getOrDefault("ftjob-" + j, "validating_files")));
                return Reply.ok("{\"object\": \"list\", \"has_more\": false, \"data\": [" + String.join(", ", listed) + "]}");
            }
            if (r.path().endsWith("/events")) {
                return Reply.ok("""
                        {"object": "list", "has_more": false, "data": [
                          {"id": "ev-2", "message": "Fine-tuning job started"}, {"id": "ev-1", "message": "Validating training file"}]}""");
            }
            if (r.method().equals("GET") && r.path().startsWith("/v1/fine_tuning/jobs/")) {
                if (limited.compareAndSet(false, true)) {
                    return Reply.status(429, "{\"error\": {\"message\": \"Rate limit reached for requests\"}}").withHeader("retry-after-ms", "5");
                }
                String id = r.path().substring(r.path().lastIndexOf('/') + 1);
                int look = looks.incrementAndGet();
                String now = holdRunning.get() ? "running" : look < 2 ? "queued" : look < 3 ? "running" : outcome.get();
                status.put(id, now);
                return Reply.ok(job(id, now));
            }
            return Reply.status(404, "{\"error\": {\"message\": \"unknown " + r.path() + "\"}}");
        }

        private static String job(String id, String status) {
            String model = status.equals("succeeded") ? "\"ft:base-model:org:iteralign-it1:" + id + "\"" : "null";
            String error = status.equals("failed")
                    ? "{\"code\": \"invalid_training_file\", \"message\": \"The file has too few examples.\"}" : "null";
            String tokens = status.equals("succeeded") ? "30000" : "null";
            return """
                    {"object": "fine_tuning.job", "id": "%s", "model": "base-model", "status": "%s", "fine_tuned_model": %s,
                     "training_file": "file-1", "trained_tokens": %s, "error": %s}""".formatted(id, status, model, tokens, error);
        }

        long count(String method, String path) {
            return server.requests().stream().filter(r -> r.method().equals(method) && r.path().equals(path)).count();
        }
    }

    private OpenAiTrainer trainer(Provider provider, double price) {
        ModelSpec target = ModelSpec.parse("openai-compatible:" + provider.server.url() + "/v1#base-model");
        var api = OpenAiFineTuning.open(target, new BackendOptions("FT_KEY", 2, 0, Duration.ofSeconds(10), 3), Map.of("FT_KEY", KEY)::get);
        var settings = new RunConfig.Training("openai", 16, 32, 0.05, 2e-4, 2, 512, null, false, "iteralign", price, 60);
        return new OpenAiTrainer(api, settings, QUICK_POLLS);
    }

    private Trainer.TrainingJob job(RunStore store, String currentModel) throws Exception {
        Path it = Files.createDirectories(dir.resolve("run/iterations/001"));
        Path data = Files.writeString(it.resolve("sft.openai.jsonl"),
                "{\"messages\": [{\"role\": \"user\", \"content\": \"q\"}, {\"role\": \"assistant\", \"content\": \"a\"}]}\n");
        return new Trainer.TrainingJob(1, "openai-compatible:x", currentModel, List.of(new SftExample(1, "p1", "q", "a")),
                it.resolve("sft.sharegpt.json"), data, it.resolve("adapter"), new TrainerState(store, 1));
    }

    @Test
    void uploadsCreatesWaitsAndNamesTheFineTunedModelWithItsCost() throws Exception {
        var provider = new Provider();
        try (provider.server; RunStore store = RunStore.open(dir.resolve("run.db"))) {
            String target = "openai-compatible:" + provider.server.url() + "/v1#base-model";
            RecordedNotes notes = new RecordedNotes();
            Trainer.TrainedModel next = trainer(provider, 3.0).train(job(store, target), notes, step -> {});

            assertEquals("openai-compatible:" + provider.server.url() + "/v1#ft:base-model:org:iteralign-it1:ftjob-1", next.model());
            assertTrue(next.changed());
            assertTrue(next.note().contains("30000 trained tokens, $0.09 at $3.00 per 1M training tokens"), next.note());
            assertEquals(1, provider.count("POST", "/v1/files"));
            assertEquals(1, provider.count("POST", "/v1/fine_tuning/jobs"));
            assertEquals(4, provider.count("GET", "/v1/fine_tuning/jobs/ftjob-1"), "a 429, queued, running, succeeded");
            var create = provider.server.requests().stream().filter(r -> r.method().equals("POST") && r.path().equals("/v1/fine_tuning/jobs")).findFirst().orElseThrow();
            assertEquals("base-model", create.json().get("model").asText());
            assertEquals("file-1", create.json().get("training_file").asText());
            assertEquals("iteralign-it1", create.json().get("suffix").asText());
            assertEquals(2, create.json().at("/method/supervised/hyperparameters/n_epochs").asInt());
            assertTrue(provider.server.requests().stream().allMatch(r -> ("Bearer " + KEY).equals(r.header("Authorization"))));

            var state = new TrainerState(store, 1);
            assertEquals("file-1", state.get(OpenAiTrainer.FILE_ID).orElseThrow());
            assertEquals("ftjob-1", state.get(OpenAiTrainer.JOB_ID).orElseThrow());
            assertEquals("30000", state.get(OpenAiTrainer.TRAINED_TOKENS).orElseThrow());
            assertEquals("0.0900", state.get(OpenAiTrainer.COST_USD).orElseThrow());
            assertEquals(1, notes.lines().stream().filter(n -> n.endsWith("Validating training file")).count(), "each event shown once");
            assertTrue(notes.lines().stream().noneMatch(n -> n.contains(KEY)));
        }
    }

    @Test
    void withoutAPriceOnlyTheTokensAreRecorded() throws Exception {
        var provider = new Provider();
        try (provider.server; RunStore store = RunStore.open(dir.resolve("run.db"))) {
            var next = trainer(provider, 0).train(job(store, "openai-compatible:" + provider.server.url() + "/v1#base-model"),
                    ProgressListener.NONE, step -> {});
            assertTrue(next.note().contains("30000 trained tokens, cost not computed (set training.price_per_million_tokens"), next.note());
            assertFalse(new TrainerState(store, 1).get(OpenAiTrainer.COST_USD).isPresent());
        }
    }

    @Test
    void aFailedJobStopsTheRunAndResumeStartsANewJobOnTheSameFile() throws Exception {
        var provider = new Provider();
        provider.outcome.set("failed");
        try (provider.server; RunStore store = RunStore.open(dir.resolve("run.db"))) {
            String target = "openai-compatible:" + provider.server.url() + "/v1#base-model";
            var e = assertThrows(ModelCallException.class, () -> trainer(provider, 0).train(job(store, target), ProgressListener.NONE, s -> {}));
            assertFalse(e.userFixable());
            assertTrue(e.getMessage().contains("job ftjob-1 failed: The file has too few examples. (invalid_training_file)"), e.getMessage());
            assertTrue(e.getMessage().contains("--resume starts a new job"), e.getMessage());

            provider.outcome.set("succeeded");
            provider.looks.set(0);
            var next = trainer(provider, 0).train(job(store, target), ProgressListener.NONE, s -> {});
            assertTrue(next.model().endsWith("#ft:base-model:org:iteralign-it1:ftjob-2"), next.model());
            assertEquals(1, provider.count("POST", "/v1/files"), "the upload is reused");
            assertEquals(2, provider.count("POST", "/v1/fine_tuning/jobs"));
        }
    }

    @Test
    void aRunKilledWhileWaitingResumesTheSameJobWithoutUploadingOrCreatingAgain() throws Exception {
        var provider = new Provider();
        provider.holdRunning.set(true);
        try (provider.server) {
            String target = "openai-compatible:" + provider.server.url() + "/v1#base-model";
            AtomicReference<Throwable> died = new AtomicReference<>();
            try (RunStore store = RunStore.open(dir.resolve("run.db"))) {
                var first = trainer(provider, 0);
                var job = job(store, target);
                Thread process = Thread.ofPlatform().start(() -> {
                    try {
                        first.train(job, ProgressListener.NONE, s -> {});
                    } catch (Throwable t) {
                        died.set(t);
                    }
                });
                while (provider.looks.get() < 3 && process.isAlive()) Thread.sleep(2);
                process.interrupt();
                process.join();
            }
            assertInstanceOf(ModelCallException.class, died.get(), "the first trainer was stopped mid-wait");

            provider.holdRunning.set(false);
            List<String> paths = new ArrayList<>();
            try (RunStore reopened = RunStore.open(dir.resolve("run.db"))) {
                var next = trainer(provider, 0).train(job(reopened, target), ProgressListener.NONE, s -> {});
                assertTrue(next.model().endsWith("#ft:base-model:org:iteralign-it1:ftjob-1"), next.model());
            }
            provider.server.requests().forEach(r -> paths.add(r.method() + " " + r.path()));
            assertEquals(1, provider.count("POST", "/v1/files"), paths.toString());
            assertEquals(1, provider.count("POST", "/v1/fine_tuning/jobs"), paths.toString());
            assertEquals(0, paths.stream().filter(p -> p.contains("ftjob-2")).count(), paths.toString());
        }
    }

    @Test
    void aRunKilledBetweenCreatingAJobAndRecordingItFindsTheJobByItsFile() throws Exception {
        var provider = new Provider();
        try (provider.server; RunStore store = RunStore.open(dir.resolve("run.db"))) {
            String target = "openai-compatible:" + provider.server.url() + "/v1#base-model";
            var state = new TrainerState(store, 1);
            state.put(OpenAiTrainer.FILE_ID, "file-1");
            var api = OpenAiFineTuning.open(ModelSpec.parse(target), new BackendOptions("FT_KEY", 2, 0, Duration.ofSeconds(10), 3),
                    Map.of("FT_KEY", KEY)::get);
            assertEquals("ftjob-1", api.create("base-model", "file-1", null, 2).id(), "created, then the run died");

            var next = trainer(provider, 0).train(job(store, target), ProgressListener.NONE, s -> {});
            assertTrue(next.model().endsWith("#ft:base-model:org:iteralign-it1:ftjob-1"), next.model());
            assertEquals(1, provider.count("POST", "/v1/fine_tuning/jobs"));
            assertEquals(0, provider.count("POST", "/v1/files"));
            assertEquals("ftjob-1", state.get(OpenAiTrainer.JOB_ID).orElseThrow());
        }
    }

    @Test
    void theNextIterationFineTunesTheModelTheLastOneMade() throws Exception {
        var provider = new Provider();
        try (provider.server; RunStore store = RunStore.open(dir.resolve("run.db"))) {
            String previous = "openai-compatible:" + provider.server.url() + "/v1#ft:base-model:org:iteralign-it1:ftjob-0";
            trainer(provider, 0).train(job(store, previous), ProgressListener.NONE, s -> {});
            var create = provider.server.requests().stream().filter(r -> r.method().equals("POST") && r.path().equals("/v1/fine_tuning/jobs")).findFirst().orElseThrow();
            assertEquals("ft:base-model:org:iteralign-it1:ftjob-0", create.json().get("model").asText());
        }
    }
}
