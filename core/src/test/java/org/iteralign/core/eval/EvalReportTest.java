package org.iteralign.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.iteralign.core.UserInputException;

class EvalReportTest {
    @TempDir
    Path dir;

    private static SuiteResult hhh() {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("accuracy", 0.75);
        metrics.put("accuracy_harmless", 0.5);
        Map<String, double[]> ci = new LinkedHashMap<>();
        ci.put("accuracy", new double[] {0.6, 0.85});
        ci.put("accuracy_harmless", new double[] {0.2, 0.8});
        return new SuiteResult("hhh", 4, "standard", metrics, ci);
    }

    @Test
    void writesTheAgreedLayout() {
        String json = EvalReport.of("openai-compatible:http://x/v1#m", List.of(hhh())).toJson(Instant.parse("2026-11-22T08:00:00Z"));
        assertEquals("""
                {
                  "model" : "openai-compatible:http://x/v1#m",
                  "created" : "2026-11-22T08:00:00Z",
                  "suites" : {
                    "hhh" : {
                      "n" : 4,
                      "mode" : "standard",
                      "metrics" : {
                        "accuracy" : 0.75,
                        "accuracy_harmless" : 0.5
                      },
                      "ci95" : {
                        "accuracy" : [ 0.6, 0.85 ],
                        "accuracy_harmless" : [ 0.2, 0.8 ]
                      }
                    }
                  }
                }
                """, json);
    }

    @Test
    void readsBackWhatItWrote() {
        Path file = dir.resolve("iterations/000/eval.json");
        EvalReport.of("m", List.of(hhh())).write(file, Instant.now());
        EvalReport back = EvalReport.read(file);
        assertEquals("m", back.model());
        SuiteResult r = back.suites().get("hhh");
        assertEquals(4, r.n());
        assertEquals("standard", r.mode());
        assertEquals(hhh().metrics(), r.metrics());
        assertArrayEquals(new double[] {0.2, 0.8}, r.ci95().get("accuracy_harmless"));
    }

    @Test
    void ignoresExtraTopLevelKeysAndMissingIntervals() throws Exception {
        Path file = dir.resolve("eval.json");
        Files.writeString(file, """
                {"model": "m", "iteration": 3, "suites": {"x": {"n": 2, "mode": "s", "metrics": {"loss": 1.5}}}}
                """);
        assertEquals(1.5, EvalReport.read(file).suites().get("x").metric("loss"));
    }

    @Test
    void aMalformedIntervalIsAUserError() throws Exception {
        Path file = dir.resolve("eval.json");
        Files.writeString(file, """
                {"model": "m", "suites": {"x": {"n": 2, "mode": "s", "metrics": {"a": 0.5}, "ci95": {"a": [0.1]}}}}
                """);
        var e = assertThrows(UserInputException.class, () -> EvalReport.read(file));
        assertEquals("error: " + file + ": suite x: ci95 of a must be [lo, hi]", e.toErrorLine());
    }
}
