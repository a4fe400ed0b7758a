package org.iteralign.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train and merge refuse bad input before loading any model: exit 2 and one line {@code error: FILE[:LINE]: ...}. */
class TrainCommandTest {
    private static final String GOOD_ROW = "{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\", \"content\": \"b\"}]}\n";

    @TempDir
    Path dir;

    private static void assertOneLineError(CliProcess.Result r, String expectedStart, String alsoContains) {
        assertEquals(2, r.exitCode(), r.stderr());
        var lines = r.stderr().lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).toList();
        assertEquals(1, lines.size(), "exactly one line on stderr, got:\n" + r.stderr());
        assertTrue(lines.getFirst().startsWith(expectedStart), lines.getFirst());
        assertTrue(lines.getFirst().contains(alsoContains), lines.getFirst());
        assertFalse(r.stderr().contains("\tat "), "no stack trace");
    }

    @Test
    void malformedDataNamesFileAndLine() throws Exception {
        Files.writeString(dir.resolve("sft.jsonl"), GOOD_ROW + GOOD_ROW + "{\"messages\": [{\"role\": \"user\"}]}\n");
        CliProcess.Result r = CliProcess.run(dir, "train", "--model", "gguf:absent.gguf", "--data", "sft.jsonl", "--out", "adapter");
        assertOneLineError(r, "error: sft.jsonl:3: ", "needs string fields \"role\" and \"content\"");
        assertFalse(Files.exists(dir.resolve("adapter")), "nothing written");
    }

    @Test
    void anUnfinishedTrainingIsContinuedOnlyWithResume() throws Exception {
        Files.writeString(dir.resolve("sft.jsonl"), GOOD_ROW);
        Files.createDirectories(dir.resolve("adapter/checkpoint"));
        CliProcess.Result r = CliProcess.run(dir, "train", "--model", "gguf:absent.gguf", "--data", "sft.jsonl", "--out", "adapter");
        assertOneLineError(r, "error: adapter: holds an unfinished training", "add --resume");
    }

    @Test
    void resumeWithoutACheckpointAndAFinishedAdapterAreRefused() throws Exception {
        Files.writeString(dir.resolve("sft.jsonl"), GOOD_ROW);
        CliProcess.Result fresh = CliProcess.run(dir, "train", "--model", "gguf:absent.gguf", "--data", "sft.jsonl",
                "--out", "adapter", "--resume");
        assertOneLineError(fresh, "error: adapter: --resume: there is no checkpoint", "drop --resume");
        Files.createDirectories(dir.resolve("done"));
        Files.writeString(dir.resolve("done/adapter_config.json"), "{}");
        CliProcess.Result finished = CliProcess.run(dir, "train", "--model", "gguf:absent.gguf", "--data", "sft.jsonl", "--out", "done");
        assertOneLineError(finished, "error: done: already holds a trained adapter", "another folder");
    }

    @Test
    void badSettingsNameTheirFlag() throws Exception {
        Files.writeString(dir.resolve("sft.jsonl"), GOOD_ROW);
        CliProcess.Result r = CliProcess.run(dir, "train", "--model", "gguf:absent.gguf", "--data", "sft.jsonl", "--out", "a",
                "--rank", "0");
        assertOneLineError(r, "error: --rank: must be at least 1", "");
    }

    @Test
    void mergeNamesItsTypesAndRefusesAMissingAdapter() throws Exception {
        Files.createDirectories(dir.resolve("adapter"));
        CliProcess.Result q4 = CliProcess.run(dir, "merge", "--model", "gguf:absent.gguf", "--adapter", "adapter",
                "--out", "m.gguf", "--type", "q4_0");
        assertOneLineError(q4, "error: --type: unknown type 'q4_0'", "use f16, q8_0 or f32");
        CliProcess.Result notAnAdapter = CliProcess.run(dir, "merge", "--model", "gguf:absent.gguf", "--adapter", "missing",
                "--out", "m.gguf");
        assertOneLineError(notAnAdapter, "error: missing: no such adapter folder", "");
    }
}
