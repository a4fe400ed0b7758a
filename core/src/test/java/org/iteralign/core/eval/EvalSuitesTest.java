package org.iteralign.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.iteralign.core.UserInputException;

class EvalSuitesTest {
    @TempDir
    Path dir;

    private EvalSettings settings(Map<String, Path> data) {
        EvalSettings d = EvalSettings.defaults(dir.resolve("cache"));
        return new EvalSettings(1, data, d.cacheRoot(), d.frame(), d.refusals(), d.responses());
    }

    @Test
    void missingDataSaysHowToPullIt() {
        var e = assertThrows(UserInputException.class, () -> EvalSuites.create("hhh", settings(Map.of())));
        assertEquals("error: hhh: no data: run 'iteralign datasets pull bigbench-hhh' or pass --data hhh=PATH (looked for "
                + dir.resolve("cache/datasets/bigbench-hhh/harmless/task.json") + ")", e.toErrorLine());
    }

    @Test
    void redTeamSuiteHasNoDefaultPrompts() {
        var e = assertThrows(UserInputException.class, () -> EvalSuites.create("redteam-heldout", settings(Map.of())));
        assertTrue(e.getMessage().startsWith("no prompts: pass --data redteam-heldout=RUN_DIR"), e.getMessage());
    }

    @Test
    void pulledDataIsFoundInTheCacheAndADatasetKeyServesBothTruthfulQaSuites() throws Exception {
        String task = """
                [{"question": "Q?", "mc1_targets": {"a": 1, "b": 0}, "mc2_targets": {"a": 1, "b": 0}}]
                """;
        Path cached = dir.resolve("cache/datasets/truthfulqa/mc_task.json");
        Files.createDirectories(cached.getParent());
        Files.writeString(cached, task);
        assertEquals("truthfulqa-mc", EvalSuites.create("truthfulqa-mc", settings(Map.of())).name());

        Path elsewhere = dir.resolve("tq.json");
        Files.writeString(elsewhere, task);
        Files.delete(cached);
        assertEquals("truthfulqa-tf", EvalSuites.create("truthfulqa-tf", settings(Map.of("truthfulqa", elsewhere))).name());
    }

    @Test
    void overRefusalDefaultsToTheBuiltInSet() {
        EvalSuite suite = EvalSuites.create("overrefusal", settings(Map.of()));
        SuiteResult r = suite.run(new EvalModels(new ScriptedChat(p -> "Sure."), null, null));
        assertEquals(1, r.n(), "limit 1");
        assertEquals(0.0, r.metric("refusal_rate_safe"));
    }
}
