package org.iteralign.cli.report;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.core.type.TypeReference;
import org.iteralign.core.UserInputException;
import org.iteralign.core.constitution.ConstitutionLibrary;
import org.iteralign.core.constitution.Principle;
import org.iteralign.core.constitution.Proposal;
import org.iteralign.core.pipeline.RunDirectory;
import org.iteralign.core.pipeline.RunSummary;
import org.iteralign.core.store.RunStore;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything the report shows, read once from a run directory: {@code summary.json} for the headline counts (so
 * the report and the file agree), {@code run.db} for rates, cases and examples, the eval.json files and, when the
 * trainer logged them, the training losses.
 *
 * @param training the logged training steps; empty when no trainer that logs steps ran
 */
record ReportData(String runName, RunSummary summary, List<IterationRates> rates, List<Evaluation> evaluations,
                  List<LossPoint> training, List<PrincipleHistory> principles, List<RevisionExample> examples) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

    static ReportData load(RunDirectory run) {
        RunSummary summary = summary(run);
        try (RunStore store = RunStore.open(run.database())) {
            return new ReportData(run.root().getFileName().toString(), summary, rates(store), EvalFiles.read(run),
                    training(store), principles(store), examples(store));
        }
    }

    private static RunSummary summary(RunDirectory run) {
        if (!Files.isRegularFile(run.summary())) {
            throw new UserInputException(run.summary(), "missing: the run has not finished an iteration yet");
        }
        try {
            return JSON.readValue(run.summary().toFile(), RunSummary.class);
        } catch (IOException e) {
            throw new UserInputException(run.summary(), "unreadable: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private static List<IterationRates> rates(RunStore store) {
        return store.query("""
                SELECT p.iteration,
                  (SELECT COUNT(*) FROM responses r WHERE r.iteration = p.iteration),
                  (SELECT COUNT(*) FROM verdicts v WHERE v.iteration = p.iteration AND v.subject = 'response' AND v.verdict = 'negative'),
                  (SELECT COUNT(*) FROM verdicts v WHERE v.iteration = p.iteration AND v.subject = 'response' AND v.verdict = 'unparsed'),
                  (SELECT COUNT(*) FROM revisions r WHERE r.iteration = p.iteration),
                  (SELECT COUNT(*) FROM verdicts v WHERE v.iteration = p.iteration AND v.subject = 'revision'),
                  (SELECT COUNT(*) FROM verdicts v WHERE v.iteration = p.iteration AND v.subject = 'revision' AND v.verdict = 'negative'),
                  (SELECT COUNT(*) FROM verdicts v WHERE v.iteration = p.iteration AND v.subject = 'revision' AND v.verdict = 'unparsed')
                FROM (SELECT DISTINCT iteration FROM prompts) p ORDER BY p.iteration""",
                r -> new IterationRates(r.getInt(1), r.getLong(2), r.getLong(3), r.getLong(4), r.getLong(5),
                        r.getLong(6), r.getLong(7), r.getLong(8)));
    }

    private static List<LossPoint> training(RunStore store) {
        return store.query("SELECT iteration, step, epoch, loss FROM training_metrics ORDER BY iteration, step",
                r -> new LossPoint(r.getInt(1), r.getInt(2), r.getDouble(3), r.getDouble(4)));
    }

    /**
     * The library is rebuilt from the stored proposals exactly as the run builds it (the constitutions table keeps
     * only the first iteration and a count, not which iterations re-proposed a principle).
     */
    private static List<PrincipleHistory> principles(RunStore store) {
        ConstitutionLibrary library = new ConstitutionLibrary();
        record Stored(int iteration, String principles, String caseIds) {}
        for (Stored s : store.query("SELECT iteration, principles, case_ids FROM proposals ORDER BY iteration",
                r -> new Stored(r.getInt(1), r.getString(2), r.getString(3)))) {
            library.add(s.iteration(), strings(s.principles()), strings(s.caseIds()));
        }
        Map<String, String[]> cases = new HashMap<>();
        store.query("SELECT r.iteration, r.prompt_id, p.text, r.text FROM responses r "
                        + "JOIN prompts p ON p.iteration = r.iteration AND p.prompt_id = r.prompt_id",
                r -> cases.put(r.getInt(1) + "/" + r.getString(2), new String[] {r.getString(3), r.getString(4)}));
        List<PrincipleHistory> out = new ArrayList<>();
        for (Principle p : library.principles()) {
            List<PrincipleHistory.Case> behind = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (Proposal q : p.proposals()) {
                for (String id : q.caseIds()) {
                    String[] c = cases.getOrDefault(q.iteration() + "/" + id, new String[] {"", ""});
                    if (seen.add(q.iteration() + "/" + id)) behind.add(new PrincipleHistory.Case(q.iteration(), id, c[0], c[1]));
                }
            }
            out.add(new PrincipleHistory(p.id(), p.text(), p.proposals().stream().map(Proposal::iteration).toList(), behind));
        }
        return out;
    }

    private static List<RevisionExample> examples(RunStore store) {
        return store.query("""
                SELECT v.iteration, v.prompt_id, p.text, r.text, x.text, w.verdict, x.principles,
                  EXISTS (SELECT 1 FROM sft_examples s WHERE s.iteration = v.iteration AND s.prompt_id = v.prompt_id)
                FROM verdicts v
                JOIN prompts p ON p.iteration = v.iteration AND p.prompt_id = v.prompt_id
                JOIN responses r ON r.iteration = v.iteration AND r.prompt_id = v.prompt_id
                JOIN revisions x ON x.iteration = v.iteration AND x.prompt_id = v.prompt_id
                LEFT JOIN verdicts w ON w.iteration = v.iteration AND w.prompt_id = v.prompt_id AND w.subject = 'revision'
                WHERE v.subject = 'response' AND v.verdict = 'negative'
                ORDER BY v.iteration, p.position""",
                r -> new RevisionExample(r.getInt(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5),
                        r.getString(6), strings(r.getString(7)).size(), r.getBoolean(8)));
    }

    private static List<String> strings(String json) {
        try {
            return JSON.readValue(json, STRINGS);
        } catch (IOException e) {
            throw new IllegalStateException("run.db holds malformed JSON: " + json, e);
        }
    }
}
