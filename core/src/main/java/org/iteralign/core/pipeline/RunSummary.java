package org.iteralign.core.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.iteralign.core.store.RunStore;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The run's counts, always computed from {@code run.db} (never kept separately), so {@code summary.json}
 * cannot disagree with the database. Cumulative over the run's life, plus the same counts per iteration.
 */
public record RunSummary(String status, String trainer, int iterationsCompleted, long prompts, long negatives, long unparsed,
                         long constitutions, long revisions, long revisionsKept, long sftExamples, long llmCalls,
                         long llmCacheHits, Map<String, Tokens> tokens, List<Iteration> perIteration, String note) {

    public record Tokens(long prompt, long completion) {}

    public record Iteration(int iteration, String model, long prompts, long negatives, long unparsed, long principlesProposed,
                            long revisions, long revisionsKept, long sftExamples, boolean trained, String trainingNote) {}

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    public static RunSummary compute(RunStore store, String trainer) {
        String status = store.meta("status").orElse("new");
        int completed = (int) store.count("SELECT COUNT(*) FROM stages WHERE stage = 'iteration'");
        List<Integer> iterations = store.query("SELECT DISTINCT iteration FROM prompts ORDER BY iteration", r -> r.getInt(1));
        List<Iteration> per = new ArrayList<>();
        for (int it : iterations) {
            var model = store.queryOne("SELECT model FROM models WHERE iteration = ?", r -> r.getString(1), it).orElse("");
            var next = store.queryOne("SELECT trainer, note, model != parent FROM models WHERE iteration = ?",
                    r -> new Object[] {r.getString(1), r.getString(2), r.getBoolean(3)}, it + 1);
            long principles = store.queryOne("SELECT principles FROM proposals WHERE iteration = ?", r -> r.getString(1), it)
                    .map(j -> (long) ConstitutionStage.parse(j).size()).orElse(0L);
            per.add(new Iteration(it, model,
                    store.count("SELECT COUNT(*) FROM responses WHERE iteration = ?", it),
                    verdicts(store, it, "negative"),
                    verdicts(store, it, "unparsed"),
                    principles,
                    store.count("SELECT COUNT(*) FROM revisions WHERE iteration = ?", it),
                    store.count("SELECT COUNT(*) FROM sft_examples WHERE iteration = ?", it),
                    store.count("SELECT COUNT(*) FROM sft_examples WHERE iteration = ?", it),
                    next.map(n -> (Boolean) n[2]).orElse(false),
                    next.map(n -> (String) n[1]).orElse("")));
        }
        Map<String, Tokens> tokens = new LinkedHashMap<>();
        store.query("SELECT role, SUM(prompt_tokens), SUM(completion_tokens) FROM llm_calls GROUP BY role ORDER BY role",
                r -> tokens.put(r.getString(1), new Tokens(r.getLong(2), r.getLong(3))));
        long sft = store.count("SELECT COUNT(*) FROM sft_examples");
        String note = "none".equals(trainer)
                ? "training.trainer is none: SFT data was exported but no model was trained, so every iteration red-teamed the same model"
                : "";
        return new RunSummary(status, trainer, completed,
                store.count("SELECT COUNT(*) FROM responses"),
                store.count("SELECT COUNT(*) FROM verdicts WHERE subject = 'response' AND verdict = 'negative'"),
                store.count("SELECT COUNT(*) FROM verdicts WHERE subject = 'response' AND verdict = 'unparsed'"),
                store.count("SELECT COUNT(*) FROM constitutions"),
                store.count("SELECT COUNT(*) FROM revisions"),
                sft, sft,
                store.count("SELECT COUNT(*) FROM llm_calls"),
                store.counter("llm_cache_hits"),
                tokens, per, note);
    }

    private static long verdicts(RunStore store, int iteration, String verdict) {
        return store.count("SELECT COUNT(*) FROM verdicts WHERE iteration = ? AND subject = 'response' AND verdict = ?",
                iteration, verdict);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
