package org.iteralign.cli;

import org.iteralign.cli.report.RunReport;
import org.iteralign.core.Backends;
import org.iteralign.core.UserInputException;
import org.iteralign.core.config.RunConfig;
import org.iteralign.core.config.RunConfigLoader;
import org.iteralign.core.eval.EvalSuites;
import org.iteralign.core.model.ModelSpec;
import org.iteralign.core.pipeline.IterAlignRun;
import org.iteralign.core.pipeline.RunDirectory;
import org.iteralign.core.pipeline.RunOutcome;
import org.iteralign.core.redteam.RedTeamDatasets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the whole IterAlign method on this machine with a real model:",
                "red-teaming, judging, constitutions, self-reflection, LoRA fine-tuning,",
                "evaluation of the starting and the final model, and the report.",
                "Offline after the first model fetch; sized for two CPU cores.",
                "The last line on stdout is the report's path; running it again reuses a finished run."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--iterations", paramLabel = "N", defaultValue = "2", description = "Red-team iterations (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "10", description = "Red-team prompts per iteration (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--model", paramLabel = "SPEC", defaultValue = "smollm2-135m-instruct",
            description = "The model to align, run by the embedded engine: an alias or gguf:PATH (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--oracle", paramLabel = "SPEC",
            description = {"The judge and constitution proposer (default: the model itself, a weak judge). A stronger one:",
                    "  --oracle openai:gpt-4o-mini   (key in $OPENAI_API_KEY)",
                    "  --oracle openai-compatible:http://127.0.0.1:8000/v1#NAME   (vLLM, Ollama, llama.cpp)"})
    String oracle;

    @Option(names = "--red-team", paramLabel = "TYPE[:PATH]", defaultValue = "builtin",
            description = {"Red-team prompts (default: ${DEFAULT-VALUE}, our own set; 20%% is held out for evaluation):",
                    "builtin, or harmfulqa, dangerousqa, hh-rlhf (pulled with 'iteralign datasets pull', or :PATH)."})
    String redTeam;

    @Option(names = "--eval", paramLabel = "SUITE[=PATH]", split = ",",
            description = {"Evaluation suites besides redteam-heldout and overrefusal, e.g.",
                    "truthfulqa-mc=../shared/data/truthfulqa/mc_task.json (default: none)."})
    List<String> extraSuites = List.of();

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "256", description = "New tokens per answer (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--eval-limit", paramLabel = "N", defaultValue = "0", description = "Items per evaluation suite, 0 for all (default: ${DEFAULT-VALUE}).")
    int evalLimit;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/demo", description = "Run directory (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() {
        RunConfig config = RunConfigLoader.parse("demo", yaml(), Path.of("").toAbsolutePath());
        var progress = TerminalProgress.forStderr();
        RunDirectory dir = new RunDirectory(out);
        boolean weakOracle = oracle == null || oracle.equals(model);
        progress.note("iteralign demo: " + iterations + " iterations of " + batchSize + " red-team prompts, target " + model
                + ", oracle " + config.oracle().model() + ", LoRA fine-tuning on this CPU, into " + dir.root());
        if (weakOracle) {
            progress.note("note: the model judges itself. A " + model + " oracle is a weak judge; plug in a stronger one with "
                    + "--oracle openai:gpt-4o-mini or --oracle openai-compatible:http://127.0.0.1:8000/v1#NAME.");
        }
        progress.note("note: verify_revisions is off, as in the paper's code: a weak judge would reject nearly every revision.");
        var run = new IterAlignRun(config, dir, CliModels.factory(), Backends.trainer(config, progress), progress);
        RunOutcome outcome = run.execute(dir.exists());
        if (outcome.status() == RunOutcome.Status.ALREADY_FINISHED) {
            progress.note("reusing the finished demo run in " + dir.root() + " (delete it, or pass --out, to run again)");
        }
        Path report = RunReport.write(dir);
        BeforeAfter.print(dir, System.out);
        System.out.println(report.toAbsolutePath());
        return 0;
    }

    /** The demo's configuration, as YAML so the run's config.yaml shows exactly what ran. */
    private String yaml() {
        if (iterations < 1 || batchSize < 1 || maxTokens < 1 || evalLimit < 0) {
            throw new UserInputException("demo", "--iterations, --batch-size and --max-tokens must be positive, --eval-limit not negative");
        }
        ModelSpec target = parse("--model", model);
        if (target.isRemote()) {
            throw new UserInputException("--model", "the demo fine-tunes with the embedded engine: use an alias or gguf:PATH "
                    + "(remote targets are for 'iteralign run' with training.trainer: none)");
        }
        String oracleSpec = oracle == null ? model : parse("--oracle", oracle).text();
        List<String> suites = new ArrayList<>(List.of("redteam-heldout", "overrefusal"));
        Map<String, String> data = new LinkedHashMap<>();
        for (String entry : extraSuites) {
            String[] parts = entry.split("=", 2);
            if (!EvalSuites.NAMES.contains(parts[0])) {
                throw new UserInputException("--eval", "unknown suite '" + parts[0] + "'; expected one of " + String.join(", ", EvalSuites.NAMES));
            }
            if (!suites.contains(parts[0])) suites.add(parts[0]);
            if (parts.length == 2) data.put(parts[0], Path.of(parts[1]).toAbsolutePath().toString());
        }
        String[] redTeamParts = redTeam.split(":", 2);
        if (!RedTeamDatasets.TYPES.contains(redTeamParts[0]) || redTeamParts[0].equals("jsonl") || redTeamParts[0].equals("csv")) {
            throw new UserInputException("--red-team", "expected builtin, harmfulqa, dangerousqa or hh-rlhf, optionally with :PATH");
        }
        StringBuilder y = new StringBuilder();
        y.append("seed: 42\niterations: ").append(iterations).append('\n');
        y.append("target:\n  model: ").append(quote(target.text())).append('\n');
        y.append("oracle:\n  model: ").append(quote(oracleSpec)).append('\n');
        y.append("red_team:\n  datasets:\n    - type: ").append(redTeamParts[0]).append('\n');
        if (redTeamParts.length == 2) y.append("      path: ").append(quote(Path.of(redTeamParts[1]).toAbsolutePath().toString())).append('\n');
        y.append("  batch_size: ").append(batchSize).append("\n  heldout: 0.2\n");
        y.append("generation:\n  max_tokens: ").append(maxTokens).append('\n');
        y.append("verify_revisions: false\n");
        y.append("training:\n  trainer: embedded-lora\n");
        y.append("evaluation:\n  suites: [").append(String.join(", ", suites)).append("]\n");
        y.append("  every: ").append(iterations).append("\n  limit: ").append(evalLimit).append('\n');
        if (!data.isEmpty()) {
            y.append("  data:\n");
            data.forEach((k, v) -> y.append("    ").append(k).append(": ").append(quote(v)).append('\n'));
        }
        return y.toString();
    }

    private static ModelSpec parse(String option, String spec) {
        try {
            return ModelSpec.parse(spec);
        } catch (IllegalArgumentException e) {
            throw new UserInputException(option, e.getMessage());
        }
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
