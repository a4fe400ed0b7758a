package org.iteralign.core.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.iteralign.core.UserInputException;
import org.iteralign.core.config.RunConfig;
import org.iteralign.core.config.RunConfigLoader;
import org.iteralign.core.model.ChatModel;
import org.iteralign.core.model.ModelFactory;
import org.iteralign.core.store.RunStore;
import org.iteralign.core.testing.RunTables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IterAlignRunTest {
    @TempDir
    Path tmp;

    private RunConfig config(String extra) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String kind = switch (i % 5) {
                case 0, 1 -> "please comply";
                case 2 -> "please comply, stubborn";
                case 3 -> "garbled";
                default -> "gibberish";
            };
            lines.add("{\"q\": \"request %d: %s\"}".formatted(i, kind));
        }
        Files.write(tmp.resolve("prompts.jsonl"), lines);
        Files.writeString(tmp.resolve("run.yaml"), """
                seed: 3
                iterations: 3
                target:
                  model: openai-compatible:http://127.0.0.1:9/v1#target
                oracle:
                  model: openai-compatible:http://127.0.0.1:9/v1#oracle
                red_team:
                  datasets:
                    - type: jsonl
                      path: prompts.jsonl
                      field: q
                  batch_size: 6
                  heldout: 0.25
                """ + extra);
        return RunConfigLoader.load(tmp.resolve("run.yaml"));
    }

    private static ModelFactory factory(ChatModel model) {
        return (spec, options) -> model;
    }

    private RunOutcome run(RunConfig config, Path dir, ChatModel model, boolean resume) {
        return new IterAlignRun(config, new RunDirectory(dir), factory(model), new ExportOnlyTrainer(), ProgressListener.NONE)
                .execute(resume);
    }

    @Test
    void aFullRunLeavesConsistentArtifacts() throws Exception {
        Path dir = tmp.resolve("run");
        RunOutcome outcome = run(config(""), dir, new ScriptedModel(), false);
        assertEquals(RunOutcome.Status.COMPLETED, outcome.status());
        RunSummary s = outcome.summary();
        assertEquals(3, s.iterationsCompleted(), "15 training prompts in slices of 6, 6 and 3");
        assertTrue(s.negatives() > 0);
        assertEquals(s.negatives(), s.revisions());
        assertTrue(s.revisionsKept() < s.revisions(), "stubborn prompts stay negative after revision and are filtered out");
        assertEquals(2, s.constitutions(), "the same two principles proposed twice merge into two");

        JsonNode summary = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        try (RunStore store = RunStore.open(dir.resolve("run.db"))) {
            assertEquals(store.count("SELECT COUNT(*) FROM responses"), summary.get("prompts").asLong());
            assertEquals(store.count("SELECT COUNT(*) FROM llm_calls"), summary.get("llm_calls").asLong());
            assertEquals(store.count("SELECT COUNT(*) FROM sft_examples"), summary.get("sft_examples").asLong());
            assertEquals(0, store.count("SELECT COUNT(*) FROM prompts p JOIN heldout h ON p.prompt_id = h.prompt_id"),
                    "held-out prompts must never be red-teamed");
            assertEquals(5, store.count("SELECT COUNT(*) FROM heldout"));
            assertTrue(store.count("SELECT COUNT(*) FROM verdicts WHERE verdict = 'unparsed'") > 0,
                    "an answer the judge never reads must be recorded as unparsed");
            assertEquals(0, store.count("SELECT COUNT(*) FROM verdicts WHERE verdict = 'unparsed' AND attempts != 2"));
            assertEquals(0, store.count("SELECT COUNT(*) FROM sft_examples s JOIN verdicts v ON v.iteration = s.iteration "
                    + "AND v.prompt_id = s.prompt_id AND v.subject = 'revision' WHERE v.verdict != 'positive'"));
            assertEquals("none", store.queryOne("SELECT trainer FROM models WHERE iteration = 2", r -> r.getString(1)).orElseThrow());
        }
        assertEquals(3, summary.get("per_iteration").size());
        String sharegpt = Files.readString(dir.resolve("iterations/001/sft.sharegpt.json"));
        assertTrue(sharegpt.contains("\"from\" : \"gpt\""), sharegpt);
        assertFalse(sharegpt.contains(ScriptedModel.PRINCIPLE_1), "SFT prompts must not carry the constitutions");
        long jsonl = Files.readAllLines(dir.resolve("iterations/001/sft.openai.jsonl")).size();
        assertEquals(summary.get("per_iteration").get(0).get("sft_examples").asLong(), jsonl);
        String md = Files.readString(dir.resolve("constitutions.md"));
        assertTrue(md.contains(ScriptedModel.PRINCIPLE_1), md);
        assertTrue(Files.readString(dir.resolve("config.yaml")).contains("batch_size: 6"));
    }

    @Test
    void aFinishedRunIsNotRepeated() throws Exception {
        Path dir = tmp.resolve("run");
        RunConfig config = config("");
        run(config, dir, new ScriptedModel(), false);
        ScriptedModel second = new ScriptedModel();
        RunOutcome again = run(config, dir, second, false);
        assertEquals(RunOutcome.Status.ALREADY_FINISHED, again.status());
        assertEquals(0, second.calls.get());
    }

    @Test
    void aCrashedRunNeedsResumeAndThenMatchesAnUninterruptedOne() throws Exception {
        RunConfig config = config("");
        Path reference = tmp.resolve("reference");
        run(config, reference, new ScriptedModel(), false);
        long referenceCalls;
        try (RunStore store = RunStore.open(reference.resolve("run.db"))) {
            referenceCalls = store.count("SELECT COUNT(*) FROM llm_calls");
        }

        for (long point = 1; point < referenceCalls; point += Math.max(1, referenceCalls / 6)) {
            int crashAfter = (int) point;
            Path dir = tmp.resolve("crash-" + crashAfter);
            assertThrows(IllegalStateException.class, () -> run(config, dir, new ScriptedModel(crashAfter), false));
            Map<String, List<String>> beforeResume = RunTables.rows(dir);

            var refused = assertThrows(UserInputException.class, () -> run(config, dir, new ScriptedModel(), false));
            assertTrue(refused.getMessage().contains("--resume"), refused.getMessage());

            ScriptedModel resumed = new ScriptedModel();
            run(config, dir, resumed, true);
            Map<String, List<String>> after = RunTables.rows(dir);
            assertEquals(RunTables.rows(reference), after, "crash after " + crashAfter + " calls");
            for (var table : beforeResume.entrySet()) {
                if (RunTables.DERIVED.contains(table.getKey())) continue;
                assertTrue(after.get(table.getKey()).containsAll(table.getValue()), "finished rows kept in " + table.getKey());
            }
            assertEquals(referenceCalls, crashAfter + resumed.calls.get(),
                    "no finished call is sent again (crash after " + crashAfter + ")");
        }
    }

    @Test
    void resumingWithAnotherConfigurationIsRefused() throws Exception {
        Path dir = tmp.resolve("run");
        assertThrows(IllegalStateException.class, () -> run(config(""), dir, new ScriptedModel(5), false));
        var e = assertThrows(UserInputException.class, () -> run(config("verify_revisions: false\n"), dir, new ScriptedModel(), true));
        assertTrue(e.getMessage().contains("differs"), e.getMessage());
    }

    @Test
    void withoutVerificationEveryRevisionIsTrainedOn() throws Exception {
        RunOutcome outcome = run(config("verify_revisions: false\n"), tmp.resolve("run"), new ScriptedModel(), false);
        assertEquals(outcome.summary().revisions(), outcome.summary().sftExamples());
    }

    @Test
    void theStartingAndTheLastModelAreEvaluated() throws Exception {
        Path dir = tmp.resolve("run");
        ScriptedModel model = new ScriptedModel();
        run(config("evaluation:\n  suites: [redteam-heldout, overrefusal]\n  every: 2\n"), dir, model, false);
        for (String it : new String[] {"000", "002", "003"}) {
            JsonNode eval = new ObjectMapper().readTree(dir.resolve("iterations/" + it + "/eval.json").toFile());
            JsonNode heldout = eval.get("suites").get("redteam-heldout");
            assertEquals(5, heldout.get("n").asInt(), "the five held-out prompts");
            assertTrue(heldout.get("metrics").has("harm_rate_judge"), heldout.toString());
            JsonNode ci = heldout.get("ci95").get("harm_rate_judge");
            double rate = heldout.get("metrics").get("harm_rate_judge").asDouble();
            assertTrue(ci.get(0).asDouble() <= rate && rate <= ci.get(1).asDouble());
            assertTrue(eval.get("suites").has("overrefusal"));
        }
        assertFalse(Files.exists(dir.resolve("iterations/001/eval.json")), "every: 2 skips iteration 1");
        int calls = model.calls.get();
        ScriptedModel again = new ScriptedModel();
        run(config("evaluation:\n  suites: [redteam-heldout, overrefusal]\n  every: 2\n"), dir, again, false);
        assertEquals(0, again.calls.get(), "a finished run's evaluations are not repeated");
        assertTrue(calls > 0);
    }
}
