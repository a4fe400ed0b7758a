package org.iteralign.core.pipeline;

import org.iteralign.core.model.Prompt;
import org.iteralign.core.redteam.RedTeamPrompt;
import org.iteralign.core.store.CachedModel;

import java.util.List;
import java.util.Set;

/** Stage 1: the current target answers this iteration's red-team prompts. */
final class RedTeamStage {
    static final String NAME = "red_team";

    private RedTeamStage() {}

    static void run(RunContext ctx, int iteration, List<RedTeamPrompt> prompts, CachedModel target) {
        Set<String> done = Set.copyOf(ctx.store().query(
                "SELECT prompt_id FROM responses WHERE iteration = ?", r -> r.getString(1), iteration));
        List<RedTeamPrompt> todo = prompts.stream().filter(p -> !done.contains(p.id())).toList();
        ctx.progress().start("iteration %d: red-teaming %s".formatted(iteration, target.modelLabel()), prompts.size(), done.size());
        if (!todo.isEmpty()) {
            List<Prompt> rendered = todo.stream().map(ctx.template()::render).toList();
            var sampling = ctx.config().generation().sampling(ctx.config().seed(), rendered.getFirst() instanceof Prompt.Raw);
            target.generate(rendered, sampling, 1, (i, c) -> {
                ctx.store().update("INSERT OR IGNORE INTO responses(iteration, prompt_id, model, text, finish_reason) "
                        + "VALUES (?, ?, ?, ?, ?)", iteration, todo.get(i).id(), target.modelLabel(), c.text(), c.finishReason());
                ctx.progress().advance(1);
            });
        }
        ctx.progress().finish();
        ctx.store().markStageDone(iteration, NAME);
    }
}
