package org.iteralign.cli;

import org.iteralign.core.IteralignHome;
import org.iteralign.core.UserInputException;
import org.iteralign.core.eval.Scorers;
import org.iteralign.core.eval.DromedaryFrame;
import org.iteralign.core.eval.EvalModels;
import org.iteralign.core.eval.EvalReport;
import org.iteralign.core.eval.EvalSettings;
import org.iteralign.core.eval.EvalSuite;
import org.iteralign.core.eval.EvalSuites;
import org.iteralign.core.eval.RefusalMatcher;
import org.iteralign.core.eval.ResponseSettings;
import org.iteralign.core.eval.SuiteResult;
import org.iteralign.core.model.BackendOptions;
import org.iteralign.core.model.ChatModel;
import org.iteralign.core.model.ModelSpec;
import org.iteralign.core.model.Sampling;
import org.iteralign.core.model.ScoringModel;
import org.iteralign.core.config.RunConfigWriter;
import org.iteralign.core.store.CachedModel;
import org.iteralign.core.store.RunStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate a model with one or more suites and write DIR/eval.json.",
                "Suites: truthfulqa-mc (lm-eval-harness MC1/MC2), truthfulqa-tf (Dromedary true/false), hhh (Dromedary A/B),",
                "redteam-heldout (harm rate by judge and by refusal phrases), overrefusal (refusals of safe prompts).",
                "The first three score log-likelihoods through /v1/completions; the last two generate answers.",
                "Prints a table (suite, metric, value, 95% CI); the last line on stdout is the eval.json path."})
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "SPEC", description = "The model to evaluate.")
    String model;

    @Option(names = "--suite", required = true, split = ",", paramLabel = "NAME",
            description = "Suites to run, comma separated: ${COMPLETION-CANDIDATES}.", completionCandidates = SuiteNames.class)
    List<String> suites;

    @Option(names = "--data", paramLabel = "SUITE=PATH",
            description = "Data of a suite (or of a dataset: truthfulqa, bigbench-hhh). Default: the pulled cache "
                    + "(iteralign datasets pull NAME); redteam-heldout needs a run directory, run.db or a prompts file.")
    Map<String, Path> data = new LinkedHashMap<>();

    @Option(names = "--oracle", paramLabel = "SPEC", description = "Judge for redteam-heldout (without it only refusal phrases count).")
    String oracle;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0", description = "Only the first N items of each suite (0: all).")
    int limit;

    @Option(names = "--dromedary-meta-prompt", paramLabel = "FILE",
            description = "Dromedary's meta prompt (dromedary_verbose_prompt.txt): truthfulqa-tf and hhh run in "
                    + "dromedary-compatible mode, reproducing the paper's setup.")
    Path metaPrompt;

    @Option(names = "--refusal-phrases", paramLabel = "FILE", description = "Refusal phrases, one a line (default: GCG's list).")
    Path refusalPhrases;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "256", description = "Answer length for the generation suites.")
    int maxTokens;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where eval.json goes. The answers of "
            + "remote models are kept in DIR/calls.db, so the same command run again pays only for what it lacks "
            + "(another DIR, or deleting that file, asks afresh).")
    Path out;

    @Option(names = "--batch", description = "Answer and judge the generation suites through the OpenAI Batch API (half "
            + "price, within 24 hours) for the openai: and openai-compatible: models among --model and --oracle. Jobs are "
            + "recorded in DIR/batches.db: the same command run again resumes them instead of paying twice.")
    boolean batch;

    private RunStore calls;

    @Override
    public Integer call() {
        if (limit < 0) throw new UserInputException("--limit", "must be 0 (all) or more");
        if (maxTokens < 1) throw new UserInputException("--max-tokens", "must be at least 1");
        ModelSpec targetSpec = parse("--model", model);
        ModelSpec oracleSpec = oracle == null ? null : parse("--oracle", oracle);
        if (batch && !batchable(targetSpec) && (oracleSpec == null || !batchable(oracleSpec))) {
            throw new UserInputException("--batch", "the Batch API serves openai: and openai-compatible: models; "
                    + "neither --model nor --oracle is one");
        }
        EvalSettings settings = new EvalSettings(limit, data, IteralignHome.root(),
                metaPrompt == null ? DromedaryFrame.standard() : DromedaryFrame.readMetaPrompt(metaPrompt),
                refusalPhrases == null ? RefusalMatcher.gcg() : RefusalMatcher.read(refusalPhrases),
                new ResponseSettings(Sampling.greedy(maxTokens), false, ResponseSettings.defaults().judgeMaxTokens()));
        // Every suite's data is found before any model is opened, so a typo costs no model load.
        List<EvalSuite> chosen = suites.stream().distinct().map(name -> EvalSuites.create(name, settings)).toList();
        boolean scoring = chosen.stream().anyMatch(EvalSuite::needsScorer);
        boolean generating = chosen.stream().anyMatch(s -> !s.needsScorer());
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            // A remote model scores through its completions endpoint without a chat client; the engine does both itself.
            boolean needTarget = generating || (scoring && !targetSpec.isRemote());
            var models = batch ? CliModels.factory(batchJournal()) : CliModels.factory();
            ChatModel target = needTarget ? remember(opened, models.open(targetSpec, options(targetSpec))) : null;
            ChatModel answering = generating && targetSpec.isRemote() ? cached(target, targetSpec, "target", opened) : target;
            ScoringModel scorer = null;
            if (scoring) {
                scorer = Scorers.forModel(targetSpec, target, BackendOptions.defaults());
                if (scorer != target) remember(opened, scorer);
            }
            ChatModel judge = generating && oracleSpec != null
                    ? remember(opened, models.open(oracleSpec, options(oracleSpec))) : null;
            if (judge != null && oracleSpec.isRemote()) judge = cached(judge, oracleSpec, "oracle", opened);
            var progress = TerminalProgress.forStderr();
            List<SuiteResult> results = new ArrayList<>();
            for (EvalSuite suite : chosen) {
                progress.note("evaluating " + suite.name());
                results.add(suite.run(new EvalModels(answering, scorer, judge)));
            }
            Path file = out.resolve("eval.json");
            EvalReport.of(targetSpec.text(), results).write(file, Instant.now());
            printTable(results, System.out);
            System.out.println(file.toAbsolutePath());
            return 0;
        } finally {
            for (AutoCloseable c : opened.reversed()) close(c);
        }
    }

    static void printTable(List<SuiteResult> results, PrintStream out) {
        out.printf(Locale.ROOT, "%-16s %-22s %8s  %-17s %s%n", "suite", "metric", "value", "95% CI", "n / mode");
        for (SuiteResult r : results) {
            r.metrics().forEach((metric, value) -> {
                double[] ci = r.ci95().get(metric);
                String interval = ci == null ? "" : String.format(Locale.ROOT, "[%.4f, %.4f]", ci[0], ci[1]);
                out.printf(Locale.ROOT, "%-16s %-22s %8.4f  %-17s %d / %s%n", r.name(), metric, value, interval, r.n(), r.mode());
            });
        }
    }

    private static boolean batchable(ModelSpec spec) {
        return spec.kind() == ModelSpec.Kind.OPENAI || spec.kind() == ModelSpec.Kind.OPENAI_COMPATIBLE;
    }

    private BackendOptions options(ModelSpec spec) {
        return batch && batchable(spec) ? BackendOptions.defaults().withBatch(BackendOptions.DEFAULT_BATCH_POLL)
                : BackendOptions.defaults();
    }

    /** The run store in DIR that records this evaluation's Batch API jobs. */
    private Path batchJournal() {
        return outDir().resolve("batches.db");
    }

    /** {@code model} answering through the call cache in DIR/calls.db, opened on first use and closed with the models. */
    private ChatModel cached(ChatModel model, ModelSpec spec, String role, List<AutoCloseable> opened) {
        if (calls == null) calls = remember(opened, RunStore.open(outDir().resolve("calls.db")));
        return new CachedModel(model, RunConfigWriter.redactUrlCredentials(spec.text()), calls, role).asChatModel(0);
    }

    private Path outDir() {
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UserInputException("--out", "cannot create " + out + ": " + e.getMessage());
        }
        return out;
    }

    private static ModelSpec parse(String option, String text) {
        try {
            return ModelSpec.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UserInputException(option, e.getMessage());
        }
    }

    private static <T extends AutoCloseable> T remember(List<AutoCloseable> opened, T model) {
        opened.add(model);
        return model;
    }

    private static void close(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            System.err.println("warning: closing " + c + ": " + e.getMessage());
        }
    }

    static final class SuiteNames extends ArrayList<String> {
        SuiteNames() {
            super(EvalSuites.NAMES);
        }
    }
}
