package org.iteralign.core.embedded;

import org.iteralign.core.UserInputException;
import org.iteralign.core.config.RunConfig;
import org.iteralign.core.download.ModelResolver;
import org.iteralign.core.model.ModelSpec;
import org.iteralign.core.pipeline.ProgressListener;
import org.iteralign.core.pipeline.SftExample;
import org.iteralign.core.pipeline.Trainer;
import org.iteralign.engine.ModelFormatException;
import org.iteralign.engine.model.LlamaModel;
import org.iteralign.engine.tensor.GgmlType;
import org.iteralign.engine.train.ChatExample;
import org.iteralign.engine.train.LoraConfig;
import org.iteralign.engine.train.LoraTrainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code training.trainer: embedded-lora}: each iteration trains a fresh LoRA adapter on the model the
 * iteration red-teamed, saves it in PEFT layout ({@code iterations/NNN/adapter/}) and merges it into that model
 * as {@code iterations/NNN/model.gguf}, which the next iteration red-teams. Merged rather than stacked: the
 * engine then runs every iteration's model at the base model's speed, any GGUF tool (llama.cpp) can run it, and
 * the lineage (each model names its parent) is in {@code run.db}'s {@code models} table.
 */
public final class EmbeddedLoraTrainer implements Trainer {
    private final LoraConfig lora;
    private final ModelResolver resolver;

    public EmbeddedLoraTrainer(RunConfig.Training settings, long seed, ModelResolver resolver) {
        this.lora = LoraConfig.defaults()
                .withRank(settings.rank(), settings.alpha())
                .withDropout((float) settings.dropout())
                .withLearningRate((float) settings.learningRate())
                .withEpochs(settings.epochs())
                .withMaxLength(settings.maxLength())
                // IterAlign's SFT sets are small (the negatives of one slice), so batches of 8 would make one optimiser
                // step per epoch; the paper trained with batch 2.
                .withBatch(2, LoraConfig.defaults().microBatchTokens())
                .withSeed(seed)
                .withCheckpointEvery(5);
        this.resolver = resolver;
    }

    @Override
    public String name() {
        return "embedded-lora";
    }

    @Override
    public TrainedModel train(TrainingJob job, ProgressListener progress, Consumer<TrainingStep> log) {
        Path merged = job.outputDir().resolveSibling("model.gguf");
        Path baseFile = resolver.resolve(ModelSpec.parse(job.currentModel()));
        if (!Files.isRegularFile(merged)) {
            try (LlamaModel base = LlamaModel.load(baseFile)) {
                List<ChatExample> data = job.examples().stream().map(EmbeddedLoraTrainer::example).toList();
                boolean[] started = {false};
                LoraTrainer.train(base, data, lora, job.outputDir(), step -> {
                    if (!started[0]) {
                        progress.start("iteration %d: LoRA training on %d examples".formatted(job.iteration(), data.size()),
                                step.totalSteps(), step.step() - 1);
                        started[0] = true;
                    }
                    progress.advance(1);
                    double epoch = (double) step.step() / step.totalSteps() * step.epochs();
                    log.accept(new TrainingStep(step.step(), epoch, step.loss(), step.learningRate(), step.tokensPerSecond()));
                });
                if (started[0]) progress.finish();
            } catch (ModelFormatException e) {
                throw new UserInputException(baseFile.toString(), e.reason());
            }
            // The trainer saved the adapter in PEFT layout; merging it from there is what `iteralign merge` does.
            AdapterMerge.write(baseFile, job.outputDir(), merged, GgmlType.F16);
        }
        return new TrainedModel("gguf:" + merged.toAbsolutePath(), true,
                "embedded-lora: trained a rank-" + lora.rank() + " adapter on " + job.examples().size()
                        + " examples and merged it into " + merged.getFileName());
    }

    private static ChatExample example(SftExample e) {
        return ChatExample.of(e.prompt(), e.response());
    }
}
