package org.iteralign.core.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.iteralign.core.IteralignHome;
import org.iteralign.core.config.RunConfig;
import org.iteralign.core.eval.DromedaryFrame;
import org.iteralign.core.eval.EvalModels;
import org.iteralign.core.eval.EvalReport;
import org.iteralign.core.eval.EvalSettings;
import org.iteralign.core.eval.EvalSuite;
import org.iteralign.core.eval.EvalSuites;
import org.iteralign.core.eval.RedTeamHeldout;
import org.iteralign.core.eval.Scorers;
import org.iteralign.core.eval.RefusalMatcher;
import org.iteralign.core.eval.ResponseSettings;
import org.iteralign.core.eval.SuiteResult;
import org.iteralign.core.model.BackendOptions;
import org.iteralign.core.model.ChatModel;
import org.iteralign.core.model.ModelSpec;
import org.iteralign.core.model.ScoringModel;
import org.iteralign.core.store.CachedModel;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs the configured evaluation suites on the starting model ({@code iterations/000}) and on the model each
 * evaluated iteration produced. Each suite's result is stored in {@code run.db} as it finishes and its model calls
 * go through the run's cache, so a resumed run neither repeats a finished suite nor pays for a call twice.
 */
final class EvaluationStage {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Supplier<EvalSuite>> suites;
    private final List<String> names;

    private EvaluationStage(List<Supplier<EvalSuite>> suites, List<String> names) {
        this.suites = suites;
        this.names = names;
    }

    /**
     * Builds the suites (reading their data), so a missing dataset is reported before any model runs. The run's
     * own held-out prompts are read later, once the run has stored them; a file given for them is read now.
     */
    static EvaluationStage prepare(RunConfig config, RunDirectory directory) {
        Map<String, Path> data = new HashMap<>();
        config.evaluation().data().forEach((name, path) -> data.put(name, Path.of(path)));
        boolean ownHeldout = !data.containsKey(RedTeamHeldout.NAME);
        data.putIfAbsent(RedTeamHeldout.NAME, directory.database());
        var responses = new ResponseSettings(config.generation().sampling(config.seed(), false), config.judge().showPrompt(),
                config.judge().maxTokens());
        var settings = new EvalSettings(config.evaluation().limit(), data, IteralignHome.root(), DromedaryFrame.standard(),
                RefusalMatcher.gcg(), responses);
        List<Supplier<EvalSuite>> suites = new ArrayList<>();
        for (String name : config.evaluation().suites()) {
            if (name.equals(RedTeamHeldout.NAME) && ownHeldout) {
                suites.add(() -> EvalSuites.create(name, settings));
            } else {
                EvalSuite suite = EvalSuites.create(name, settings);
                suites.add(() -> suite);
            }
        }
        return new EvaluationStage(suites, config.evaluation().suites());
    }

    boolean enabled() {
        return !suites.isEmpty();
    }

    /** Whether the model of this iteration still lacks a result for some suite. */
    boolean pending(RunContext ctx, int iteration) {
        return ctx.store().count("SELECT COUNT(*) FROM evaluations WHERE iteration = ?", iteration) < suites.size();
    }

    /**
     * Evaluates {@code target} as the model after {@code iteration} (0: the starting model) and writes
     * {@code iterations/NNN/eval.json}.
     *
     * @param rawTarget the same model without the cache, for log-likelihood scoring (which the cache does not hold)
     */
    void run(RunContext ctx, int iteration, CachedModel target, ChatModel rawTarget, BackendOptions targetOptions) {
        ScoringModel scorer = null;
        for (int i = 0; i < suites.size(); i++) {
            if (done(ctx, iteration, names.get(i))) continue;
            EvalSuite suite = suites.get(i).get();
            if (suite.needsScorer() && scorer == null) scorer = Scorers.forModel(ModelSpec.parse(rawTarget.id()), rawTarget, targetOptions);
            String what = suite.name() + (iteration == 0 ? " (starting model)" : " (after iteration " + iteration + ")");
            var models = new EvalModels(
                    new ProgressReportingModel(target.asChatModel(1), "evaluating " + what + ": answers", ctx.progress()),
                    scorer,
                    new ProgressReportingModel(ctx.oracle().asChatModel(1), "evaluating " + what + ": judging", ctx.progress()));
            SuiteResult result = suite.run(models);
            ctx.store().update("INSERT OR IGNORE INTO evaluations(iteration, suite, model, result) VALUES (?, ?, ?, ?)",
                    iteration, suite.name(), target.modelLabel(), json(result));
        }
        List<SuiteResult> results = ctx.store().query("SELECT result FROM evaluations WHERE iteration = ? ORDER BY rowid",
                r -> parse(r.getString(1)), iteration);
        EvalReport.of(target.modelLabel(), results).write(ctx.directory().iteration(iteration).resolve("eval.json"), Instant.now());
    }

    private static boolean done(RunContext ctx, int iteration, String suite) {
        return ctx.store().count("SELECT COUNT(*) FROM evaluations WHERE iteration = ? AND suite = ?", iteration, suite) > 0;
    }

    private static String json(SuiteResult result) {
        try {
            return JSON.writeValueAsString(result);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SuiteResult parse(String json) {
        try {
            return JSON.readValue(json, SuiteResult.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("run.db holds a malformed evaluation: " + json, e);
        }
    }
}
