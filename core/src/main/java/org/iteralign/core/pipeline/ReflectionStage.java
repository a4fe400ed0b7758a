package org.iteralign.core.pipeline;

import org.iteralign.core.method.ReflectionPrompt;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.redteam.RedTeamPrompt;
import org.iteralign.core.store.CachedModel;

import java.util.List;
import java.util.Set;

/**
 * Stage 4: constitution-induced self-reflection. The model that failed answers its negative prompts again
 * with the principles in the prompt, under the same sampling settings, as in the paper's code.
 */
final class ReflectionStage {
    static final String NAME = "reflect";

    private ReflectionStage() {}

    static void run(RunContext ctx, int iteration, List<RedTeamPrompt> negatives, List<String> principles, CachedModel target) {
        Set<String> done = Set.copyOf(ctx.store().query(
                "SELECT prompt_id FROM revisions WHERE iteration = ?", r -> r.getString(1), iteration));
        List<RedTeamPrompt> todo = negatives.stream().filter(p -> !done.contains(p.id())).toList();
        ctx.progress().start("iteration %d: self-reflection with %d principles".formatted(iteration, principles.size()),
                negatives.size(), done.size());
        if (!todo.isEmpty()) {
            ReflectionPrompt.Mode mode = ReflectionPrompt.Mode.parse(ctx.config().constitutions().mode());
            List<Prompt> prompts = todo.stream().map(p -> ReflectionPrompt.apply(ctx.template().render(p), principles, mode)).toList();
            var sampling = ctx.config().generation().sampling(ctx.config().seed(), prompts.getFirst() instanceof Prompt.Raw);
            String principlesJson = ConstitutionStage.json(principles);
            target.generate(prompts, sampling, 1, (i, c) -> {
                ctx.store().update("INSERT OR IGNORE INTO revisions(iteration, prompt_id, model, text, finish_reason, principles) "
                                + "VALUES (?, ?, ?, ?, ?, ?)",
                        iteration, todo.get(i).id(), target.modelLabel(), c.text(), c.finishReason(), principlesJson);
                ctx.progress().advance(1);
            });
        }
        ctx.progress().finish();
        ctx.store().markStageDone(iteration, NAME);
    }
}
