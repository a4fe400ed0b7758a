package org.iteralign.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.iteralign.core.eval.EvalReport;
import org.iteralign.core.eval.SuiteResult;

class EvalCommandTest {
    @TempDir
    Path dir;

    @Test
    void redTeamSuiteWritesEvalJsonAndPrintsATable() throws Exception {
        // The scripted target complies with prompts of even length and declines odd ones; its oracle calls compliance negative.
        Files.writeString(dir.resolve("prompts.txt"), "ab\nabc\nabcd\nabcde\n");
        Files.writeString(dir.resolve("phrases.txt"), "rather not\n");
        try (DeterministicChatServer server = new DeterministicChatServer(0)) {
            String spec = "openai-compatible:" + server.baseUrl() + "#target";
            CliProcess.Result r = CliProcess.run(dir, Map.of("ITERALIGN_HOME", dir.resolve("home").toString()), "eval",
                    "--model", spec, "--oracle", spec, "--suite", "redteam-heldout", "--data", "redteam-heldout=prompts.txt",
                    "--refusal-phrases", "phrases.txt", "--out", "out");
            assertEquals(0, r.exitCode(), r.stderr());
            List<String> lines = r.stdoutLines();
            assertEquals(dir.resolve("out/eval.json").toAbsolutePath().toString(), lines.getLast());
            assertTrue(lines.getFirst().startsWith("suite"), r.stdout());
            assertTrue(r.stdout().contains("redteam-heldout  harm_rate_refusal        0.5000  [0.1500, 0.8500]  4 / judge+refusal-phrases"),
                    r.stdout());

            EvalReport report = EvalReport.read(dir.resolve("out/eval.json"));
            assertEquals(spec, report.model());
            SuiteResult suite = report.suites().get("redteam-heldout");
            assertEquals(4, suite.n());
            assertEquals(0.5, suite.metric("harm_rate_refusal"));
            assertEquals(0.5, suite.metric("harm_rate_judge"));
            assertEquals(0.0, suite.metric("unparsed_rate"));

            // Run again: every answer and verdict comes from out/calls.db, nothing is asked (or paid for) twice.
            int asked = server.requests();
            assertEquals(6, asked, "four answers, and one verdict per distinct answer (the scripted ones repeat)");
            CliProcess.Result again = CliProcess.run(dir, Map.of("ITERALIGN_HOME", dir.resolve("home").toString()), "eval",
                    "--model", spec, "--oracle", spec, "--suite", "redteam-heldout", "--data", "redteam-heldout=prompts.txt",
                    "--refusal-phrases", "phrases.txt", "--out", "out");
            assertEquals(0, again.exitCode(), again.stderr());
            assertEquals(asked, server.requests());
            assertEquals(r.stdout(), again.stdout());
        }
    }

    @Test
    void missingDataNamesTheSuiteAndHowToGetIt() throws Exception {
        CliProcess.Result r = CliProcess.run(dir, Map.of("ITERALIGN_HOME", dir.resolve("home").toString()), "eval",
                "--model", "openai-compatible:http://127.0.0.1:9/v1#m", "--suite", "truthfulqa-mc", "--out", "out");
        assertOneLineError(r, "error: truthfulqa-mc: no data: run 'iteralign datasets pull truthfulqa' or pass --data truthfulqa-mc=PATH");
        assertFalse(Files.exists(dir.resolve("out")));
    }

    @Test
    void anUnknownSuiteIsListedWithTheKnownOnes() throws Exception {
        CliProcess.Result r = CliProcess.run(dir, "eval", "--model", "openai:x", "--suite", "mmlu", "--out", "out");
        assertOneLineError(r, "error: mmlu: unknown evaluation suite (known: truthfulqa-mc, truthfulqa-tf, hhh, redteam-heldout, overrefusal)");
    }

    @Test
    void batchNeedsAModelThatTheBatchApiServes() throws Exception {
        CliProcess.Result r = CliProcess.run(dir, "eval", "--model", "anthropic:claude-3-5-haiku-latest", "--suite", "overrefusal",
                "--batch", "--out", "out");
        assertOneLineError(r, "error: --batch: the Batch API serves openai: and openai-compatible: models; neither --model nor --oracle is one");
        assertFalse(Files.exists(dir.resolve("out")));
    }

    @Test
    void scoringSuitesNeedAModelThatCanScore() throws Exception {
        Path task = dir.resolve("mc_task.json");
        Files.writeString(task, """
                [{"question": "Q?", "mc1_targets": {"a": 1, "b": 0}, "mc2_targets": {"a": 1, "b": 0}}]
                """);
        CliProcess.Result r = CliProcess.run(dir, "eval", "--model", "anthropic:claude-3-5-haiku-latest", "--suite", "truthfulqa-mc",
                "--data", "truthfulqa-mc=" + task, "--out", "out");
        assertOneLineError(r, "error: anthropic:claude-3-5-haiku-latest: the log-likelihood suites (truthfulqa-mc, truthfulqa-tf, hhh) "
                + "need a model that can score text");
    }

    @Test
    void theEmbeddedEngineScoresMultipleChoice() throws Exception {
        String model = System.getProperty("iteralign.testModel", "");
        org.junit.jupiter.api.Assumptions.assumeTrue(!model.isBlank(),
                "system property iteralign.testModel (the SmolLM2 GGUF) is not set: scripts/test sets it");
        Path task = dir.resolve("mc_task.json");
        Files.writeString(task, """
                [{"question": "What is the capital of France?", "mc1_targets": {"Paris.": 1, "Banana bread.": 0},
                  "mc2_targets": {"Paris.": 1, "Banana bread.": 0}}]
                """);
        CliProcess.Result r = CliProcess.run(dir, "eval", "--model", "gguf:" + model, "--suite", "truthfulqa-mc",
                "--data", "truthfulqa-mc=" + task, "--out", "out");
        assertEquals(0, r.exitCode(), r.stderr());
        var eval = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("out/eval.json").toFile());
        var suite = eval.get("suites").get("truthfulqa-mc");
        assertEquals(1, suite.get("n").asInt());
        assertEquals(1.0, suite.get("metrics").get("mc1").asDouble(), "Paris beats banana bread");
    }

    private static void assertOneLineError(CliProcess.Result r, String expectedStart) {
        assertEquals(2, r.exitCode(), r.stderr());
        var lines = r.stderr().lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).toList();
        assertEquals(1, lines.size(), "exactly one line on stderr, got:\n" + r.stderr());
        assertTrue(lines.getFirst().startsWith(expectedStart), lines.getFirst());
    }
}
