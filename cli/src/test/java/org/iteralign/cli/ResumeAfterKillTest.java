package org.iteralign.cli;

import org.iteralign.core.store.RunStore;
import org.iteralign.core.testing.RunTables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGKILL a real `iteralign run` process at several moments, then `--resume` it: the finished run must hold the
 * same keys and counts as an uninterrupted run, identical text for every item finished before the kill, and no
 * call that had finished may be sent again.
 */
class ResumeAfterKillTest {
    @TempDir
    Path dir;

    private Path writeConfig(String baseUrl) throws Exception {
        StringBuilder prompts = new StringBuilder();
        for (int i = 0; i < 16; i++) prompts.append("{\"q\": \"request number %d%s\"}\n".formatted(i, "x".repeat(i % 3)));
        Files.writeString(dir.resolve("prompts.jsonl"), prompts);
        Path config = dir.resolve("run.yaml");
        Files.writeString(config, """
                seed: 11
                iterations: 2
                target:
                  model: openai-compatible:%1$s#target
                  max_concurrency: 2
                oracle:
                  model: openai-compatible:%1$s#oracle
                  max_concurrency: 2
                red_team:
                  datasets:
                    - type: jsonl
                      path: prompts.jsonl
                      field: q
                  batch_size: 6
                  heldout: 0.25
                """.formatted(baseUrl));
        return config;
    }

    @Test
    void aKilledRunResumesToTheSameResult() throws Exception {
        try (var server = new DeterministicChatServer(40)) {
            Path config = writeConfig(server.baseUrl());
            CliProcess.Result reference = CliProcess.run(dir, "run", "--config", config.toString(), "--out", "reference");
            assertEquals(0, reference.exitCode(), reference.stderr());
            int referenceRequests = server.requests();
            Map<String, List<String>> expected = RunTables.rows(dir.resolve("reference"));
            assertTrue(expected.get("revisions").size() > 0, "the scenario must reach self-reflection");

            // Kill while red-teaming, while judging, while revising, and while judging revisions.
            String[][] killPoints = {
                    {"SELECT COUNT(*) FROM responses", "2"},
                    {"SELECT COUNT(*) FROM verdicts", "3"},
                    {"SELECT COUNT(*) FROM revisions", "1"},
                    {"SELECT COUNT(*) FROM verdicts WHERE subject = 'revision'", "1"}};
            for (int k = 0; k < killPoints.length; k++) {
                String out = "killed-" + k;
                int before = server.requests();
                Process p = CliProcess.builder(dir, Map.of(), "run", "--config", config.toString(), "--out", out)
                        .redirectErrorStream(true).redirectOutput(dir.resolve(out + ".log").toFile()).start();
                waitForRows(dir.resolve(out).resolve("run.db"), killPoints[k][0], Long.parseLong(killPoints[k][1]), p);
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
                Map<String, List<String>> atKill = RunTables.rows(dir.resolve(out));

                CliProcess.Result refused = CliProcess.run(dir, "run", "--config", config.toString(), "--out", out);
                assertEquals(2, refused.exitCode(), refused.stderr());
                assertTrue(refused.stderr().contains("--resume"), refused.stderr());

                CliProcess.Result resumed = CliProcess.run(dir, "run", "--config", config.toString(), "--out", out, "--resume");
                assertEquals(0, resumed.exitCode(), resumed.stderr());
                Map<String, List<String>> after = RunTables.rows(dir.resolve(out));
                assertEquals(expected, after, "kill point " + k);
                for (var table : atKill.entrySet()) {
                    if (RunTables.DERIVED.contains(table.getKey())) continue;
                    assertTrue(after.get(table.getKey()).containsAll(table.getValue()), "rows finished before the kill are kept: " + table.getKey());
                }
                int sent = server.requests() - before;
                // Calls in flight at the kill (at most one per role's concurrency) may be sent twice; nothing else.
                assertTrue(sent >= referenceRequests && sent <= referenceRequests + 2,
                        "kill point " + k + ": " + sent + " requests vs " + referenceRequests + " uninterrupted");
            }

            CliProcess.Result again = CliProcess.run(dir, "run", "--config", config.toString(), "--out", "reference");
            assertEquals(0, again.exitCode());
            assertTrue(again.stderr().contains("already finished"), again.stderr());
            assertEquals(dir.resolve("reference").toAbsolutePath().toString(), again.stdoutLines().getLast());
        }
    }

    private static void waitForRows(Path db, String sql, long atLeast, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) throw new AssertionError("the run ended before reaching the kill point: " + sql);
            if (Files.exists(db)) {
                try (RunStore store = RunStore.open(db)) {
                    if (store.count(sql) >= atLeast) return;
                } catch (RuntimeException tableNotYetThere) {
                    // the schema is created by the child process; try again
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("kill point never reached: " + sql);
    }
}
