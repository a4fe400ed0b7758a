package org.iteralign.core.pipeline;

import java.util.function.Consumer;

/**
 * {@code training.trainer: none}: the SFT data is written and nothing is trained, so the next iteration
 * red-teams the same model. Useful with remote models that cannot be fine-tuned here, and to inspect the data
 * before paying for training.
 */
public final class ExportOnlyTrainer implements Trainer {
    @Override
    public String name() {
        return "none";
    }

    @Override
    public TrainedModel train(TrainingJob job, ProgressListener progress, Consumer<TrainingStep> log) {
        return new TrainedModel(job.currentModel(), false,
                "trainer none: exported " + job.examples().size() + " SFT examples; the next iteration reuses the same model");
    }
}
