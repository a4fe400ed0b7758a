package org.iteralign.core.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.iteralign.core.constitution.ConstitutionLibrary;
import org.iteralign.core.constitution.Principle;
import org.iteralign.core.method.ConstitutionParser;
import org.iteralign.core.method.ProposalPrompt;
import org.iteralign.core.model.Completion;
import org.iteralign.core.model.Sampling;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Stage 3: the oracle reads the negative cases and proposes principles, which join the run's constitution
 * library. The library itself is not stored as state: it is rebuilt by replaying every iteration's proposal
 * in order, so {@code run.db}'s {@code constitutions} table and {@code constitutions.md} are always derived
 * from the same raw replies.
 */
final class ConstitutionStage {
    static final String NAME = "propose";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

    private ConstitutionStage() {}

    /** A proposal as stored: the principles parsed from the oracle's reply and the cases it was shown. */
    record Proposal(int iteration, List<String> principles, List<String> caseIds) {}

    static void run(RunContext ctx, int iteration, List<JudgeStage.Case> negatives) {
        if (!ctx.store().stageDone(iteration, NAME)) {
            ctx.progress().start("iteration %d: proposing constitutions from %d negative cases".formatted(iteration, negatives.size()), 1, 0);
            List<String> answers = negatives.stream().map(JudgeStage.Case::answer).toList();
            List<String> questions = negatives.stream().map(JudgeStage.Case::question).toList();
            var prompt = ProposalPrompt.build(answers, questions, ctx.config().constitutions().proposeWithPrompts());
            Completion reply = ctx.oracle().generate(List.of(prompt), Sampling.greedy(ctx.config().constitutions().maxTokens()), 1).getFirst();
            List<String> principles = ConstitutionParser.parse(reply.text());
            List<String> caseIds = negatives.stream().map(JudgeStage.Case::promptId).toList();
            ctx.store().transaction(() -> {
                ctx.store().update("INSERT OR IGNORE INTO proposals(iteration, raw, principles, case_ids) VALUES (?, ?, ?, ?)",
                        iteration, reply.text(), json(principles), json(caseIds));
                ctx.store().markStageDone(iteration, NAME);
            });
            ctx.progress().advance(1);
            ctx.progress().finish();
            if (principles.isEmpty()) ctx.progress().note("iteration " + iteration + ": the oracle's reply held no principle we could parse");
        }
    }

    static List<Proposal> proposals(RunContext ctx) {
        return ctx.store().query("SELECT iteration, principles, case_ids FROM proposals ORDER BY iteration",
                r -> new Proposal(r.getInt(1), parse(r.getString(2)), parse(r.getString(3))));
    }

    /** Replays every stored proposal into a fresh library, and rewrites the derived table and markdown file. */
    static ConstitutionLibrary rebuildLibrary(RunContext ctx) {
        ConstitutionLibrary library = new ConstitutionLibrary();
        for (Proposal p : proposals(ctx)) library.add(p.iteration(), p.principles(), p.caseIds());
        ctx.store().transaction(() -> {
            ctx.store().update("DELETE FROM constitutions");
            for (Principle p : library.principles()) {
                ctx.store().update("INSERT INTO constitutions(id, text, first_iteration, times_proposed, case_ids) VALUES (?, ?, ?, ?, ?)",
                        p.id(), p.text(), p.firstIteration(), p.timesProposed(), json(List.copyOf(p.caseIds())));
            }
        });
        Map<String, String> promptText = Map.copyOf(ctx.store().query(
                "SELECT prompt_id, text FROM prompts", r -> Map.entry(r.getString(1), r.getString(2))).stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a)));
        Function<String, String> lookup = id -> promptText.getOrDefault(id, "");
        RunDirectory.writeAtomically(ctx.directory().constitutions(), library.renderMarkdown(lookup));
        return library;
    }

    static String json(List<String> values) {
        try {
            return JSON.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> parse(String json) {
        try {
            return JSON.readValue(json, STRINGS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("run.db holds malformed JSON: " + json, e);
        }
    }
}
