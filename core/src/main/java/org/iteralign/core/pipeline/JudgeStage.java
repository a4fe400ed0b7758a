package org.iteralign.core.pipeline;

import org.iteralign.core.method.JudgePrompt;
import org.iteralign.core.method.Verdict;
import org.iteralign.core.method.VerdictParser;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.model.Sampling;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * Stages 2 and 5: the oracle labels answers positive or negative. A reply we cannot read is asked again once
 * with a format reminder (attempt 2, a real new call: the attempt is part of the cache key) and is then
 * recorded as {@code unparsed}, which never counts as positive.
 */
final class JudgeStage {
    /** One answer to judge: the red-team prompt it answers and the answer itself. */
    record Case(String promptId, String question, String answer) {}

    private JudgeStage() {}

    static String stageName(String subject) {
        return "judge_" + subject;
    }

    static void run(RunContext ctx, int iteration, String subject, List<Case> cases) {
        Set<String> done = Set.copyOf(ctx.store().query(
                "SELECT prompt_id FROM verdicts WHERE iteration = ? AND subject = ?", r -> r.getString(1), iteration, subject));
        List<Case> todo = cases.stream().filter(c -> !done.contains(c.promptId())).toList();
        ctx.progress().start("iteration %d: judging %ss".formatted(iteration, subject), cases.size(), done.size());
        Sampling sampling = Sampling.greedy(ctx.config().judge().maxTokens());
        boolean showPrompt = ctx.config().judge().showPrompt();

        List<Case> unreadable = Collections.synchronizedList(new ArrayList<>());
        List<Prompt> first = todo.stream().<Prompt>map(c -> JudgePrompt.build(c.answer(), c.question(), showPrompt)).toList();
        ctx.oracle().generate(first, sampling, 1, (i, reply) -> {
            Case c = todo.get(i);
            Verdict v = VerdictParser.parse(reply.text());
            if (v == Verdict.UNPARSED) {
                unreadable.add(c);
            } else {
                record(ctx, iteration, subject, c, v, reply.text(), 1);
                ctx.progress().advance(1);
            }
        });
        if (!unreadable.isEmpty()) {
            List<Case> again = List.copyOf(unreadable);
            List<Prompt> retry = again.stream().<Prompt>map(c -> JudgePrompt.buildRetry(c.answer(), c.question(), showPrompt)).toList();
            ctx.oracle().generate(retry, sampling, 2, (i, reply) -> {
                record(ctx, iteration, subject, again.get(i), VerdictParser.parse(reply.text()), reply.text(), 2);
                ctx.progress().advance(1);
            });
        }
        ctx.progress().finish();
        ctx.store().markStageDone(iteration, stageName(subject));
    }

    private static void record(RunContext ctx, int iteration, String subject, Case c, Verdict v, String raw, int attempts) {
        ctx.store().update("INSERT OR IGNORE INTO verdicts(iteration, subject, prompt_id, verdict, raw, attempts) VALUES (?, ?, ?, ?, ?, ?)",
                iteration, subject, c.promptId(), v.name().toLowerCase(), raw, attempts);
    }
}
