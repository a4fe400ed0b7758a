package org.iteralign.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.iteralign.core.backend.ScriptedServer.Reply;
import org.iteralign.core.model.BackendOptions;
import org.iteralign.core.model.ModelCallException;
import org.iteralign.core.model.ModelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fine-tuning API's requests and answers as OpenAI documents them, served by a scripted local server. */
class OpenAiFineTuningTest {
    private static final String KEY = "sk-proj-fine-tuning-secret";
    private static final Backoff FAST = new Backoff(Duration.ofMillis(10), Duration.ofMillis(40));

    @TempDir
    Path dir;

    private static OpenAiFineTuning api(ScriptedServer server) {
        ModelSpec spec = new ModelSpec(ModelSpec.Kind.OPENAI, server.url() + "/v1", "gpt-4o-mini-2024-07-18",
                "openai:gpt-4o-mini-2024-07-18");
        return new OpenAiFineTuning(new OpenAiApi(spec, new BackendOptions(null, 2, 0, Duration.ofSeconds(10), 2),
                Map.of("OPENAI_API_KEY", KEY)::get, FAST));
    }

    @Test
    void uploadSendsTheFileAsMultipartWithPurposeFineTune() throws Exception {
        Path data = Files.writeString(dir.resolve("sft.openai.jsonl"), "{\"messages\": []}\n");
        try (var server = ScriptedServer.replying(Reply.ok("""
                {"id": "file-abc123", "object": "file", "bytes": 17, "filename": "sft.openai.jsonl", "purpose": "fine-tune"}"""));
             var api = api(server)) {
            assertEquals("file-abc123", api.upload(data));
            ScriptedServer.Request upload = server.requests().getFirst();
            assertEquals("POST", upload.method());
            assertEquals("/v1/files", upload.path());
            assertEquals("Bearer " + KEY, upload.header("Authorization"));
            String type = upload.header("Content-Type");
            assertTrue(type.startsWith("multipart/form-data; boundary="), type);
            String boundary = type.substring(type.indexOf('=') + 1);
            assertEquals("--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nfine-tune\r\n"
                    + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"sft.openai.jsonl\"\r\n"
                    + "Content-Type: application/jsonl\r\n\r\n{\"messages\": []}\n\r\n--" + boundary + "--\r\n", upload.body());
        }
    }

    @Test
    void createAsksForSupervisedTrainingWithEpochsAndSuffix() {
        try (var server = ScriptedServer.replying(Reply.ok("""
                {"object": "fine_tuning.job", "id": "ftjob-1", "model": "gpt-4o-mini-2024-07-18", "status": "validating_files",
                 "fine_tuned_model": null, "training_file": "file-abc123", "trained_tokens": null, "error": {}}"""));
             var api = api(server)) {
            OpenAiFineTuning.Job job = api.create("gpt-4o-mini-2024-07-18", "file-abc123", "iteralign-it1", 3);
            assertEquals(new OpenAiFineTuning.Job("ftjob-1", "validating_files", null, 0, null), job);
            assertFalse(job.finished());
            JsonNode body = server.requests().getFirst().json();
            assertEquals("/v1/fine_tuning/jobs", server.requests().getFirst().path());
            assertEquals("gpt-4o-mini-2024-07-18", body.get("model").asText());
            assertEquals("file-abc123", body.get("training_file").asText());
            assertEquals("iteralign-it1", body.get("suffix").asText());
            assertEquals("supervised", body.at("/method/type").asText());
            assertEquals(3, body.at("/method/supervised/hyperparameters/n_epochs").asInt());
        }
    }

    @Test
    void jobStatesEventsAndARateLimitOnTheWay() {
        try (var server = ScriptedServer.replying(
                Reply.status(429, "{\"error\": {\"message\": \"Rate limit reached\"}}").withHeader("retry-after-ms", "5"),
                Reply.ok("""
                        {"id": "ftjob-1", "status": "succeeded", "fine_tuned_model": "ft:gpt-4o-mini-2024-07-18:org:iteralign-it1:AbC",
                         "trained_tokens": 12345, "error": null}"""),
                Reply.ok("""
                        {"object": "list", "data": [
                          {"object": "fine_tuning.job.event", "id": "ev-2", "level": "info", "message": "The job has successfully completed"},
                          {"object": "fine_tuning.job.event", "id": "ev-1", "level": "info", "message": "Step 1/3: training loss=1.20"}],
                         "has_more": false}""")); var api = api(server)) {
            OpenAiFineTuning.Job job = api.job("ftjob-1");
            assertTrue(job.finished());
            assertEquals("ft:gpt-4o-mini-2024-07-18:org:iteralign-it1:AbC", job.fineTunedModel());
            assertEquals(12345, job.trainedTokens());
            assertEquals(List.of(new OpenAiFineTuning.Event("ev-1", "Step 1/3: training loss=1.20"),
                    new OpenAiFineTuning.Event("ev-2", "The job has successfully completed")), api.events("ftjob-1", 20));
            assertEquals(List.of("/v1/fine_tuning/jobs/ftjob-1", "/v1/fine_tuning/jobs/ftjob-1", "/v1/fine_tuning/jobs/ftjob-1/events"),
                    server.requests().stream().map(ScriptedServer.Request::path).toList());
            assertEquals("openai:ft:gpt-4o-mini-2024-07-18:org:iteralign-it1:AbC", api.specOf(job.fineTunedModel()));
        }
    }

    @Test
    void theLiveJobOnAFileIsFoundAmongRecentJobsAndFailedOnesAreNot() {
        try (var server = ScriptedServer.replying(Reply.ok("""
                {"object": "list", "has_more": false, "data": [
                  {"id": "ftjob-9", "status": "running", "training_file": "file-other"},
                  {"id": "ftjob-8", "status": "failed", "training_file": "file-abc123"},
                  {"id": "ftjob-7", "status": "queued", "training_file": "file-abc123"}]}"""),
                Reply.ok("{\"object\": \"list\", \"has_more\": false, \"data\": []}")); var api = api(server)) {
            assertEquals(java.util.Optional.of("ftjob-7"), api.liveJobOn("file-abc123"));
            assertEquals("/v1/fine_tuning/jobs", server.requests().getFirst().path());
            assertTrue(api.liveJobOn("file-abc123").isEmpty());
        }
    }

    @Test
    void aFailedJobCarriesTheProvidersReason() {
        try (var server = ScriptedServer.replying(Reply.ok("""
                {"id": "ftjob-2", "status": "failed", "fine_tuned_model": null, "trained_tokens": null,
                 "error": {"code": "invalid_training_file", "message": "Line 3 has no assistant message.", "param": "training_file"}}"""));
             var api = api(server)) {
            OpenAiFineTuning.Job job = api.job("ftjob-2");
            assertTrue(job.finished());
            assertNull(job.fineTunedModel());
            assertEquals("Line 3 has no assistant message. (invalid_training_file)", job.error());
        }
    }

    @Test
    void anAnswerWithoutAStatusIsAFailureNotAGuess() {
        try (var server = ScriptedServer.replying(Reply.ok("{\"id\": \"ftjob-3\"}")); var api = api(server)) {
            var e = assertThrows(ModelCallException.class, () -> api.job("ftjob-3"));
            assertFalse(e.userFixable());
            assertTrue(e.getMessage().contains("unexpected fine-tuning answer (no status)"), e.getMessage());
        }
    }

    @Test
    void aRefusedRequestIsUserFixableAndNeverShowsTheKey() {
        try (var server = ScriptedServer.replying(Reply.status(401, "{\"error\": {\"message\": \"Incorrect API key provided: " + KEY + "\"}}"));
             var api = api(server)) {
            var e = assertThrows(ModelCallException.class, () -> api.job("ftjob-1"));
            assertTrue(e.userFixable());
            assertTrue(e.getMessage().contains("HTTP 401") && e.getMessage().contains("$OPENAI_API_KEY"), e.getMessage());
            assertFalse(e.getMessage().contains(KEY), e.getMessage());
        }
    }

    @Test
    void aMissingKeyIsNamedBeforeAnyRequest() {
        ModelSpec spec = ModelSpec.parse("openai:gpt-4o-mini-2024-07-18");
        var e = assertThrows(ModelCallException.class, () -> OpenAiFineTuning.open(spec, BackendOptions.defaults(), name -> null));
        assertTrue(e.userFixable());
        assertTrue(e.getMessage().contains("OPENAI_API_KEY"), e.getMessage());
    }

    @Test
    void aCompatibleProviderKeepsItsUrlInTheNextSpec() {
        try (var server = ScriptedServer.replying(Reply.ok("{}"));
             var api = new OpenAiFineTuning(new OpenAiApi(ModelSpec.parse("openai-compatible:" + server.url() + "/v1#llama"),
                     BackendOptions.defaults(), name -> null, FAST))) {
            assertEquals("openai-compatible:" + server.url() + "/v1#ft:llama:x", api.specOf("ft:llama:x"));
        }
    }
}
