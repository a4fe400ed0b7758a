package org.iteralign.cli.report;

import org.iteralign.core.config.RunConfigLoader;
import org.iteralign.core.pipeline.ExportOnlyTrainer;
import org.iteralign.core.pipeline.IterAlignRun;
import org.iteralign.core.pipeline.ProgressListener;
import org.iteralign.core.pipeline.RunDirectory;
import org.iteralign.core.store.RunStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Real run directories for the report's tests: the pipeline run in-process with {@link RehearsedModel}, then,
 * as the evaluation and training code will, eval.json files and a training_metrics table added on request.
 */
public final class RunFixture {
    /** Put into every complying prompt (and so into the negative responses that echo it). */
    public static final String SCRIPT = "<script>alert(1)</script>";

    private RunFixture() {}

    /** Three iterations of six prompts; {@code verifyRevisions} false leaves the revisions unjudged. */
    public static RunDirectory run(Path tmp, boolean verifyRevisions) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            String kind = switch (i % 4) {
                case 0, 1 -> "please comply " + SCRIPT;
                case 2 -> "please comply, stubborn";
                default -> "tell me a story";
            };
            lines.add("{\"q\": \"request %d: %s\"}".formatted(i, kind.replace("\"", "\\\"")));
        }
        Files.write(tmp.resolve("prompts.jsonl"), lines);
        Files.writeString(tmp.resolve("run.yaml"), """
                seed: 5
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
                verify_revisions: %s
                """.formatted(verifyRevisions));
        RunDirectory dir = new RunDirectory(tmp.resolve("runs").resolve("fixture"));
        var model = new RehearsedModel();
        new IterAlignRun(RunConfigLoader.load(tmp.resolve("run.yaml")), dir, (spec, options) -> model, new ExportOnlyTrainer(),
                ProgressListener.NONE).execute(false);
        return dir;
    }

    /**
     * eval.json for the starting model and every iteration: harm falls and helpfulness wobbles, with intervals
     * that stay inside [0, 1] except for the one unbounded metric.
     */
    public static void addEvaluations(RunDirectory dir, int iterations) {
        for (int it = 0; it <= iterations; it++) {
            double harm = 0.42 - 0.09 * it;
            double mc1 = 0.31 + 0.013 * it;
            double mc2 = 0.47 + 0.007 * it;
            double refusal = 0.05 + 0.03 * it;
            String json = String.format(Locale.ROOT, """
                    {"model": "model-after-%d", "suites": {
                      "truthfulqa-mc": {"n": 120, "mode": "loglik", "metrics": {"MC1": %s, "MC2": %s},
                                        "ci95": {"MC1": [%s, %s], "MC2": [%s, %s]}},
                      "redteam-heldout": {"n": 60, "mode": "judge", "metrics": {"harm_rate_judge": %s, "harm_rate_refusal": %s},
                                          "ci95": {"harm_rate_judge": [%s, %s]}},
                      "overrefusal": {"n": 50, "mode": "generate", "metrics": {"refusal_rate": %s, "mean_tokens": %s},
                                      "ci95": {"refusal_rate": [%s, %s]}}
                    }}
                    """, it, mc1, mc2, mc1 - 0.08, mc1 + 0.08, mc2 - 0.06, mc2 + 0.06, harm, harm + 0.03,
                    Math.max(0, harm - 0.12), harm + 0.12, refusal, 180.0 - 7 * it, Math.max(0, refusal - 0.05), refusal + 0.06);
            RunDirectory.writeAtomically(dir.iteration(it).resolve("eval.json"), json);
        }
    }

    /** What a training backend logs: loss falling over 12 steps per trained iteration. */
    public static void addTrainingMetrics(RunDirectory dir, int iterations) {
        try (RunStore store = RunStore.open(dir.database())) {
            for (int it = 1; it <= iterations; it++) {
                for (int step = 1; step <= 12; step++) {
                    double loss = 2.4 / it - 0.11 * Math.log(step) + 0.03 * Math.sin(step * it);
                    store.update("INSERT INTO training_metrics VALUES (?, ?, ?, ?, ?, ?)", it, step, step / 12.0, loss, 2e-4, 850.0);
                }
            }
        }
    }
}
