package org.iteralign.core.pipeline;

import org.iteralign.core.UserInputException;
import org.iteralign.core.config.RunConfig;
import org.iteralign.core.config.RunConfigWriter;
import org.iteralign.core.constitution.ConstitutionLibrary;
import org.iteralign.core.model.BackendOptions;
import org.iteralign.core.model.ChatModel;
import org.iteralign.core.model.ModelFactory;
import org.iteralign.core.model.ModelSpec;
import org.iteralign.core.redteam.PromptTemplate;
import org.iteralign.core.redteam.RedTeamDatasets;
import org.iteralign.core.redteam.RedTeamPrompt;
import org.iteralign.core.store.CachedModel;
import org.iteralign.core.store.RunStore;

import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One IterAlign run over a run directory: red-team, judge, propose constitutions, self-reflect, verify, export
 * SFT data and train, iteration after iteration. Every stage reads what is already in {@code run.db} and does
 * only what is missing, so running it again after a crash (with {@code resume}) finishes the run without
 * repeating finished work or paid calls.
 */
public final class IterAlignRun {
    private final RunConfig config;
    private final RunDirectory directory;
    private final ModelFactory models;
    private final Trainer trainer;
    private final ProgressListener progress;
    private final Map<String, ChatModel> opened = new HashMap<>();

    public IterAlignRun(RunConfig config, RunDirectory directory, ModelFactory models, Trainer trainer, ProgressListener progress) {
        this.config = config;
        this.directory = directory;
        this.models = models;
        this.trainer = trainer;
        this.progress = progress;
    }

    /**
     * @param resume continue an unfinished run in {@code directory}; without it an unfinished run is an error,
     *               so that a typo in {@code --out} never silently continues somebody else's run
     */
    public RunOutcome execute(boolean resume) {
        String configYaml = RunConfigWriter.toYaml(config);
        if (directory.exists()) {
            try (RunStore store = RunStore.open(directory.database())) {
                if (store.meta("status").orElse("running").equals("finished")) {
                    return new RunOutcome(directory, RunOutcome.Status.ALREADY_FINISHED, RunSummary.compute(store, trainer.name()));
                }
                if (!resume) {
                    throw new UserInputException(directory.root().toString(),
                            "holds an unfinished run; add --resume to continue it, or choose another --out");
                }
                if (!store.meta("config").orElse(configYaml).equals(configYaml)) {
                    throw new UserInputException(directory.config().toString(),
                            "the configuration differs from the one this run started with; resume with the same configuration");
                }
            }
        }
        // Everything the user gave is checked (datasets read, models opened) before the run directory is touched.
        List<RedTeamPrompt> prompts = RedTeamDatasets.loadAll(config.redTeam().datasets());
        EvaluationStage evaluation = EvaluationStage.prepare(config, directory);
        try {
            ChatModel oracleModel = open(config.oracle().model(), config.oracle().backend());
            open(config.target().model(), config.target().backend());
            try {
                Files.createDirectories(directory.root());
            } catch (IOException e) {
                throw new UserInputException(directory.root().toString(), "cannot create the run directory: " + e.getMessage());
            }
            try (RunStore store = RunStore.open(directory.database())) {
                store.putMeta("config", configYaml);
                store.putMeta("status", "running");
                RunDirectory.writeAtomically(directory.config(), configYaml);
                runIterations(store, prompts, oracleModel, evaluation);
                store.putMeta("status", "finished");
                return new RunOutcome(directory, RunOutcome.Status.COMPLETED, writeSummary(store));
            }
        } finally {
            closeModels();
        }
    }

    private void runIterations(RunStore store, List<RedTeamPrompt> prompts, ChatModel oracleModel, EvaluationStage evaluation) {
        RedTeamPool pool = RedTeamPool.prepare(prompts, config.redTeam(), config.seed(), store);
        progress.note("red-team pool: %d prompts for red-teaming, %d held out for evaluation"
                .formatted(pool.trainingSize(), pool.heldoutSize()));
        CachedModel oracle = cached(oracleModel, config.oracle().model(), store, "oracle");
        var ctx = new RunContext(config, directory, store, oracle, PromptTemplate.parse(config.redTeam().template()), progress);
        ConstitutionStage.rebuildLibrary(ctx);
        evaluate(ctx, evaluation, 0);

        int last = 0;
        for (int it = 1; it <= config.iterations(); it++) {
            if (!store.stageDone(it, "iteration")) {
                List<RedTeamPrompt> slice = pool.slice(store, it, config.redTeam().batchSize());
                if (slice.isEmpty()) {
                    progress.note("the red-team pool is exhausted after " + (it - 1) + " iterations");
                    store.putMeta("exhausted_after", Integer.toString(it - 1));
                    break;
                }
                ModelSpec spec = ModelSpec.parse(currentModel(store, it));
                CachedModel target = cached(open(spec, config.target().backend()), spec, store, "target");
                runIteration(ctx, it, slice, target);
                writeSummary(store);
            }
            last = it;
            if (it % config.evaluation().every() == 0) evaluate(ctx, evaluation, it);
        }
        if (last > 0) evaluate(ctx, evaluation, last);
    }

    /** Evaluates the model that iteration {@code it} produced (0: the starting model), unless already done. */
    private void evaluate(RunContext ctx, EvaluationStage evaluation, int it) {
        if (!evaluation.enabled() || !evaluation.pending(ctx, it)) return;
        ModelSpec spec = ModelSpec.parse(currentModel(ctx.store(), it + 1));
        ChatModel raw = open(spec, config.target().backend());
        evaluation.run(ctx, it, cached(raw, spec, ctx.store(), "target"), raw, config.target().backend());
    }

    private void runIteration(RunContext ctx, int it, List<RedTeamPrompt> slice, CachedModel target) {
        RunStore store = ctx.store();
        RedTeamStage.run(ctx, it, slice, target);
        Map<String, String> answers = answers(store, "responses", it);
        JudgeStage.run(ctx, it, "response", slice.stream()
                .map(p -> new JudgeStage.Case(p.id(), p.text(), answers.get(p.id()))).toList());
        Set<String> negativeIds = idsWithVerdict(store, it, "response", "negative");
        List<RedTeamPrompt> negatives = slice.stream().filter(p -> negativeIds.contains(p.id())).toList();
        String model = target.modelLabel();
        if (negatives.isEmpty()) {
            progress.note("iteration " + it + ": no negative response; nothing to revise or train, as in the paper");
            recordNextModel(store, it, model, model, "skipped", "no negative response in iteration " + it + ": not trained");
        } else {
            ConstitutionStage.run(ctx, it, negatives.stream()
                    .map(p -> new JudgeStage.Case(p.id(), p.text(), answers.get(p.id()))).toList());
            ConstitutionLibrary library = ConstitutionStage.rebuildLibrary(ctx);
            List<String> principles = principlesForRevision(ctx, it, library);
            if (principles.isEmpty()) {
                progress.note("iteration " + it + ": no principle to revise with; skipping self-reflection and training");
                recordNextModel(store, it, model, model, "skipped", "no principle proposed in iteration " + it + ": not trained");
            } else {
                ReflectionStage.run(ctx, it, negatives, principles, target);
                List<String> kept = keptRevisions(ctx, it, negatives);
                List<SftExample> examples = store.stageDone(it, SftStage.NAME)
                        ? SftStage.examples(ctx, it)
                        : SftStage.export(ctx, it, negatives, kept);
                if (!store.stageDone(it, SftStage.TRAIN)) {
                    if (examples.isEmpty()) {
                        recordNextModel(store, it, model, model, "skipped", "no revision kept in iteration " + it + ": not trained");
                    } else {
                        var trained = SftStage.train(ctx, trainer, it, config.target().model().text(), model, examples);
                        recordNextModel(store, it, trained.model(), model, trainer.name(), trained.note());
                    }
                }
            }
        }
        store.markStageDone(it, "iteration");
    }

    /** Stage 5 (verify): revisions the oracle still judges negative are not trained on, unless verification is off. */
    private List<String> keptRevisions(RunContext ctx, int it, List<RedTeamPrompt> negatives) {
        if (!config.verifyRevisions()) return negatives.stream().map(RedTeamPrompt::id).toList();
        Map<String, String> revisions = answers(ctx.store(), "revisions", it);
        JudgeStage.run(ctx, it, "revision", negatives.stream()
                .map(p -> new JudgeStage.Case(p.id(), p.text(), revisions.get(p.id()))).toList());
        Set<String> positive = idsWithVerdict(ctx.store(), it, "revision", "positive");
        return negatives.stream().map(RedTeamPrompt::id).filter(positive::contains).toList();
    }

    private List<String> principlesForRevision(RunContext ctx, int it, ConstitutionLibrary library) {
        if (config.constitutions().reviseWith().equals("library")) return library.texts();
        List<String> fresh = ConstitutionStage.proposals(ctx).stream()
                .filter(p -> p.iteration() == it).flatMap(p -> p.principles().stream()).toList();
        return fresh.isEmpty() ? library.texts() : fresh;
    }

    private String currentModel(RunStore store, int iteration) {
        var recorded = store.queryOne("SELECT model FROM models WHERE iteration = ?", r -> r.getString(1), iteration);
        if (recorded.isPresent()) return recorded.get();
        String base = config.target().model().text();
        store.update("INSERT OR IGNORE INTO models(iteration, model, parent, trainer, note) VALUES (?, ?, NULL, 'base', ?)",
                iteration, base, "the starting model");
        return base;
    }

    private void recordNextModel(RunStore store, int iteration, String next, String current, String trainerName, String note) {
        store.transaction(() -> {
            store.update("INSERT OR IGNORE INTO models(iteration, model, parent, trainer, note) VALUES (?, ?, ?, ?, ?)",
                    iteration + 1, next, current, trainerName, note);
            store.markStageDone(iteration, SftStage.TRAIN);
        });
    }

    private static Map<String, String> answers(RunStore store, String table, int iteration) {
        return store.query("SELECT prompt_id, text FROM " + table + " WHERE iteration = ?",
                        r -> Map.entry(r.getString(1), r.getString(2)), iteration)
                .stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    private static Set<String> idsWithVerdict(RunStore store, int iteration, String subject, String verdict) {
        return Set.copyOf(store.query("SELECT prompt_id FROM verdicts WHERE iteration = ? AND subject = ? AND verdict = ?",
                r -> r.getString(1), iteration, subject, verdict));
    }

    private ChatModel open(ModelSpec spec, BackendOptions options) {
        return opened.computeIfAbsent(spec.text() + "\u0000" + options, k -> models.open(spec, options));
    }

    private static CachedModel cached(ChatModel model, ModelSpec spec, RunStore store, String role) {
        return new CachedModel(model, RunConfigWriter.redactUrlCredentials(spec.text()), store, role);
    }

    private void closeModels() {
        for (ChatModel m : opened.values()) m.close();
        opened.clear();
    }

    private RunSummary writeSummary(RunStore store) {
        RunSummary summary = RunSummary.compute(store, trainer.name());
        RunDirectory.writeAtomically(directory.summary(), summary.toJson());
        return summary;
    }
}
