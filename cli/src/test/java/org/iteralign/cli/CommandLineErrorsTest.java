package org.iteralign.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input ends with exit code 2 and one line {@code error: FILE[:LINE]: ...}, never a stack trace. */
class CommandLineErrorsTest {
    @TempDir
    Path dir;

    private void assertOneLineError(CliProcess.Result r, String expectedStart) {
        assertEquals(2, r.exitCode(), r.stderr());
        var lines = r.stderr().lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).toList();
        assertEquals(1, lines.size(), "exactly one line on stderr, got:\n" + r.stderr());
        assertTrue(lines.getFirst().startsWith(expectedStart), lines.getFirst());
        assertFalse(r.stderr().contains("\tat "), "no stack trace");
    }

    @Test
    void missingConfigFile() throws Exception {
        assertOneLineError(CliProcess.run(dir, "run", "--config", "nope.yaml"), "error: nope.yaml: file not found");
    }

    @Test
    void unknownConfigKeyNamesFileAndLine() throws Exception {
        Files.writeString(dir.resolve("bad.yaml"), """
                target:
                  model: openai:gpt-4o-mini
                oracle:
                  model: openai:gpt-4o-mini
                red_team:
                  datasets:
                    - type: builtin
                  batch_sise: 3
                """);
        assertOneLineError(CliProcess.run(dir, "run", "--config", "bad.yaml"), "error: bad.yaml:8: unknown key 'red_team.batch_sise'");
    }

    @Test
    void unknownDatasetType() throws Exception {
        Files.writeString(dir.resolve("bad.yaml"), """
                target:
                  model: openai:gpt-4o-mini
                oracle:
                  model: openai:gpt-4o-mini
                red_team:
                  datasets:
                    - type: reddit
                """);
        assertOneLineError(CliProcess.run(dir, "run", "--config", "bad.yaml"), "error: bad.yaml:7: unknown dataset type 'reddit'");
    }

    @Test
    void malformedDatasetLineNamesFileAndLine() throws Exception {
        Files.writeString(dir.resolve("p.jsonl"), "{\"q\": \"fine\"}\n{\"q\": broken\n");
        Files.writeString(dir.resolve("run.yaml"), """
                target:
                  model: openai-compatible:http://127.0.0.1:9/v1#m
                oracle:
                  model: openai-compatible:http://127.0.0.1:9/v1#m
                red_team:
                  datasets:
                    - type: jsonl
                      path: p.jsonl
                      field: q
                """);
        CliProcess.Result r = CliProcess.run(dir, "run", "--config", "run.yaml", "--out", "out");
        assertOneLineError(r, "error: " + dir.resolve("p.jsonl") + ":2: ");
        assertFalse(Files.exists(dir.resolve("out/run.db")), "nothing written half-way");
    }

    @Test
    void missingApiKeyIsAUserError() throws Exception {
        Files.writeString(dir.resolve("run.yaml"), """
                target:
                  model: openai:gpt-4o-mini
                  api_key_env: ITERALIGN_TEST_UNSET_KEY
                oracle:
                  model: openai:gpt-4o-mini
                  api_key_env: ITERALIGN_TEST_UNSET_KEY
                red_team:
                  datasets:
                    - type: builtin
                """);
        CliProcess.Result r = CliProcess.run(dir, "run", "--config", "run.yaml", "--out", "out");
        assertOneLineError(r, "error: ");
        assertTrue(r.stderr().contains("ITERALIGN_TEST_UNSET_KEY"), r.stderr());
    }

    @Test
    void unknownOptionAndUnknownFormat() throws Exception {
        assertOneLineError(CliProcess.run(dir, "run", "--confg", "x.yaml"), "error: ");
        assertOneLineError(CliProcess.run(dir, "export", dir.toString(), "--format", "sharegpt"), "error: " + dir + ": not a run directory");
    }

    @Test
    void helpExplainsEveryCommand() throws Exception {
        CliProcess.Result r = CliProcess.run(dir, "--help");
        assertEquals(0, r.exitCode());
        for (String command : new String[] {"run", "constitutions", "export", "datasets"}) {
            assertTrue(r.stdout().contains(command), r.stdout());
        }
        CliProcess.Result run = CliProcess.run(dir, "run", "--help");
        assertTrue(run.stdout().contains("--resume"), run.stdout());
    }
}
