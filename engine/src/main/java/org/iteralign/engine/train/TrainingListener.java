package org.iteralign.engine.train;

/** Hears about each optimiser step; called on the training thread, so it should return quickly. */
@FunctionalInterface
public interface TrainingListener {
    TrainingListener NONE = progress -> { };

    void onStep(TrainingProgress progress);
}
