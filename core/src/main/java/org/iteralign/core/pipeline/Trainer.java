package org.iteralign.core.pipeline;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/** Produces the model the next iteration red-teams from this iteration's (prompt, revised answer) pairs. */
public interface Trainer {
    /** The name used in {@code training.trainer} and recorded in the model lineage. */
    String name();

    /** @param log told each optimiser step, for the run store and the report's loss curves (trainers that know them) */
    TrainedModel train(TrainingJob job, ProgressListener progress, Consumer<TrainingStep> log);

    /** One optimiser step as the report plots it. */
    record TrainingStep(int step, double epoch, double loss, double learningRate, double tokensPerSecond) {}

    /**
     * @param currentModel the spec of the model this iteration red-teamed
     * @param sftShareGpt  the iteration's data in FastChat's ShareGPT layout
     * @param sftOpenAi    the same data as OpenAI chat JSONL
     * @param outputDir    where the trainer may write (e.g. {@code iterations/NNN/adapter})
     * @param state        what the trainer must remember should the run be killed and resumed
     */
    record TrainingJob(int iteration, String baseModel, String currentModel, List<SftExample> examples,
                       Path sftShareGpt, Path sftOpenAi, Path outputDir, TrainerState state) {}

    /** @param model the spec of the next iteration's target; @param note what happened, for the summary and report */
    record TrainedModel(String model, boolean changed, String note) {}
}
