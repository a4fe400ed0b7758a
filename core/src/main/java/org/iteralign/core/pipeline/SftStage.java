package org.iteralign.core.pipeline;

import org.iteralign.core.model.Prompt;
import org.iteralign.core.redteam.RedTeamPrompt;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Stage 5: kept revisions become SFT examples (the prompt as the user sent it, without the constitutions, so
 * the model learns to behave that way unprompted), exported as files and handed to the trainer.
 */
final class SftStage {
    static final String NAME = "sft";
    static final String TRAIN = "train";

    private SftStage() {}

    static List<SftExample> examples(RunContext ctx, int iteration) {
        return ctx.store().query("SELECT prompt_id, prompt, response FROM sft_examples WHERE iteration = ? ORDER BY rowid",
                r -> new SftExample(iteration, r.getString(1), r.getString(2), r.getString(3)), iteration);
    }

    /** Records the examples (idempotently) and writes {@code sft.sharegpt.json} and {@code sft.openai.jsonl}. */
    static List<SftExample> export(RunContext ctx, int iteration, List<RedTeamPrompt> slice, List<String> keptIds) {
        Map<String, RedTeamPrompt> byId = slice.stream().collect(Collectors.toMap(RedTeamPrompt::id, Function.identity()));
        Map<String, String> revision = Map.copyOf(ctx.store().query(
                "SELECT prompt_id, text FROM revisions WHERE iteration = ?", r -> Map.entry(r.getString(1), r.getString(2)), iteration)
                .stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        ctx.store().transaction(() -> {
            for (String id : keptIds) {
                ctx.store().update("INSERT OR IGNORE INTO sft_examples(iteration, prompt_id, prompt, response) VALUES (?, ?, ?, ?)",
                        iteration, id, userText(ctx, byId.get(id)), revision.get(id));
            }
            ctx.store().markStageDone(iteration, NAME);
        });
        List<SftExample> examples = examples(ctx, iteration);
        SftExport.writeIteration(ctx.directory().iteration(iteration), examples);
        return examples;
    }

    /** What the user turn of the training example says: the rendered chat turn, or the raw transcript's question. */
    private static String userText(RunContext ctx, RedTeamPrompt p) {
        return switch (ctx.template().render(p)) {
            case Prompt.Chat chat -> chat.messages().getLast().content();
            case Prompt.Raw raw -> p.text();
        };
    }

    static Trainer.TrainedModel train(RunContext ctx, Trainer trainer, int iteration, String baseModel, String currentModel,
                                      List<SftExample> examples) {
        Path dir = ctx.directory().iteration(iteration);
        var job = new Trainer.TrainingJob(iteration, baseModel, currentModel, examples,
                dir.resolve("sft.sharegpt.json"), dir.resolve("sft.openai.jsonl"), dir.resolve("adapter"),
                new TrainerState(ctx.store(), iteration));
        return trainer.train(job, ctx.progress(), step -> ctx.store().update(
                "INSERT OR REPLACE INTO training_metrics(iteration, step, epoch, loss, learning_rate, tokens_per_second) "
                        + "VALUES (?, ?, ?, ?, ?, ?)",
                iteration, step.step(), step.epoch(), step.loss(), step.learningRate(), step.tokensPerSecond()));
    }
}
