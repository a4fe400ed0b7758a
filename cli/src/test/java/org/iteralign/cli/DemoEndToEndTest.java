package org.iteralign.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.iteralign.core.store.RunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A reduced `iteralign demo` (1 iteration of 4 prompts, 64 new tokens) with the real SmolLM2-135M-Instruct in
 * both roles: every artifact exists and agrees with run.db, and a second run reuses the finished one.
 */
class DemoEndToEndTest {
    @TempDir
    Path dir;

    @Test
    void aReducedDemoLeavesCompleteConsistentArtifacts() throws Exception {
        String model = System.getProperty("iteralign.testModel", "");
        assumeTrue(!model.isBlank() && Files.isRegularFile(Path.of(model)),
                "system property iteralign.testModel (the SmolLM2 GGUF) is not set: scripts/test sets it");
        String[] args = {"demo", "--model", "gguf:" + model, "--iterations", "1", "--batch-size", "4", "--max-tokens", "64",
                "--eval-limit", "6", "--out", "demo"};
        CliProcess.Result r = CliProcess.run(dir, Map.of("ITERALIGN_HOME", dir.resolve("home").toString()), args);
        assertEquals(0, r.exitCode(), r.stderr());
        Path run = dir.resolve("demo");
        Path report = run.resolve("report/index.html").toAbsolutePath();
        assertEquals(report.toString(), r.stdoutLines().getLast(), "the last stdout line is the report");
        assertTrue(r.stdout().contains("starting model [95% CI]"), r.stdout());
        assertTrue(r.stderr().contains("weak judge"), "the demo says its oracle is weak");

        JsonNode summary = new ObjectMapper().readTree(run.resolve("summary.json").toFile());
        try (RunStore store = RunStore.open(run.resolve("run.db"))) {
            assertEquals(store.count("SELECT COUNT(*) FROM responses"), summary.get("prompts").asLong());
            assertEquals(4, summary.get("prompts").asLong());
            assertEquals(store.count("SELECT COUNT(*) FROM verdicts WHERE subject = 'response' AND verdict = 'negative'"),
                    summary.get("negatives").asLong());
            assertEquals(store.count("SELECT COUNT(*) FROM constitutions"), summary.get("constitutions").asLong());
            assertEquals(store.count("SELECT COUNT(*) FROM sft_examples"), summary.get("sft_examples").asLong());
            assertEquals(store.count("SELECT COUNT(*) FROM llm_calls"), summary.get("llm_calls").asLong());
            long negatives = summary.get("negatives").asLong();
            if (negatives > 0) {
                assertTrue(summary.get("constitutions").asLong() > 0, "negatives produce constitutions");
                assertTrue(Files.readString(run.resolve("constitutions.md")).contains("## C001"));
            }
            if (summary.get("sft_examples").asLong() > 0) {
                Path adapter = run.resolve("iterations/001/adapter");
                assertTrue(Files.isRegularFile(adapter.resolve("adapter_config.json")));
                assertTrue(Files.isRegularFile(adapter.resolve("adapter_model.safetensors")));
                assertTrue(Files.isRegularFile(run.resolve("iterations/001/model.gguf")));
                assertTrue(store.count("SELECT COUNT(*) FROM training_metrics WHERE iteration = 1") > 0);
            }
            List<String> heldout = store.query("SELECT text FROM heldout", x -> x.getString(1));
            String sft = Files.exists(run.resolve("iterations/001/sft.openai.jsonl"))
                    ? Files.readString(run.resolve("iterations/001/sft.openai.jsonl")) : "";
            for (String prompt : heldout) assertFalse(sft.contains(prompt), "held-out prompt in the SFT data: " + prompt);
            assertFalse(heldout.isEmpty(), "20% of the builtin set is held out");
            assertEquals(0, store.count("SELECT COUNT(*) FROM prompts JOIN heldout USING (prompt_id)"));
        }
        for (String it : new String[] {"000", "001"}) {
            JsonNode eval = new ObjectMapper().readTree(run.resolve("iterations/" + it + "/eval.json").toFile());
            assertTrue(eval.get("suites").has("redteam-heldout") && eval.get("suites").has("overrefusal"), eval.toString());
        }
        String page = Files.readString(report);
        assertTrue(page.contains("<svg") && page.contains("Negative rate per iteration"));

        CliProcess.Result again = CliProcess.run(dir, Map.of("ITERALIGN_HOME", dir.resolve("home").toString()), args);
        assertEquals(0, again.exitCode(), again.stderr());
        assertTrue(again.stderr().contains("reusing the finished demo run"), again.stderr());
        assertEquals(report.toString(), again.stdoutLines().getLast());
    }
}
