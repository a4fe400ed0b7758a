package org.iteralign.core.eval;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.iteralign.core.UserInputException;
import org.iteralign.core.redteam.DatasetDownloader;

/** The suites by name, with their data found as {@link EvalSettings} says, and the loop that runs several. */
public final class EvalSuites {
    public static final List<String> NAMES = List.of(TruthfulQaMc.NAME, TruthfulQaTrueFalse.NAME, HhhChoice.NAME,
            RedTeamHeldout.NAME, OverRefusal.NAME);

    private EvalSuites() {}

    /**
     * @throws UserInputException (source: the suite name) for an unknown suite or data that cannot be found, saying
     *                            how to get it
     */
    public static EvalSuite create(String name, EvalSettings settings) {
        return switch (name) {
            case TruthfulQaMc.NAME -> new TruthfulQaMc(TruthfulQaData.read(truthfulQa(name, settings)), settings.limit());
            case TruthfulQaTrueFalse.NAME -> new TruthfulQaTrueFalse(TruthfulQaData.read(truthfulQa(name, settings)),
                    settings.frame(), settings.limit());
            case HhhChoice.NAME -> new HhhChoice(HhhData.read(hhh(settings)), settings.frame(), settings.limit());
            case RedTeamHeldout.NAME -> new RedTeamHeldout(HeldoutPrompts.read(given(name, settings).orElseThrow(() ->
                    new UserInputException(name, "no prompts: pass --data " + name + "=RUN_DIR (its held-out prompts), "
                            + "=run.db or =PROMPTS.txt (one prompt a line)"))), settings.refusals(), settings.responses(), settings.limit());
            case OverRefusal.NAME -> new OverRefusal(given(name, settings).map(OverRefusalData::read).orElseGet(OverRefusalData::builtIn),
                    settings.refusals(), settings.responses(), settings.limit());
            default -> throw new UserInputException(name, "unknown evaluation suite (known: " + String.join(", ", NAMES) + ")");
        };
    }

    /** Runs each suite in turn with the same models. */
    public static List<SuiteResult> runAll(List<EvalSuite> suites, EvalModels models) {
        List<SuiteResult> results = new ArrayList<>();
        for (EvalSuite suite : suites) results.add(suite.run(models));
        return results;
    }

    private static Path truthfulQa(String suite, EvalSettings settings) {
        return given(suite, settings).or(() -> Optional.ofNullable(settings.data().get("truthfulqa")))
                .orElseGet(() -> cached(suite, settings, "truthfulqa", "mc_task.json"));
    }

    private static Path hhh(EvalSettings settings) {
        return given(HhhChoice.NAME, settings).or(() -> Optional.ofNullable(settings.data().get("bigbench-hhh")))
                .orElseGet(() -> cached(HhhChoice.NAME, settings, "bigbench-hhh", "harmless/task.json").getParent().getParent());
    }

    private static Optional<Path> given(String suite, EvalSettings settings) {
        return Optional.ofNullable(settings.data().get(suite));
    }

    private static Path cached(String suite, EvalSettings settings, String dataset, String file) {
        Path path = DatasetDownloader.datasetDir(settings.cacheRoot(), dataset).resolve(file);
        if (!Files.isRegularFile(path)) {
            throw new UserInputException(suite, "no data: run 'iteralign datasets pull " + dataset + "' or pass --data "
                    + suite + "=PATH (looked for " + path + ")");
        }
        return path;
    }
}
