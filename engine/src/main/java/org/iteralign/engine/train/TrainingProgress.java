package org.iteralign.engine.train;

/**
 * What one optimiser step did.
 *
 * @param step            1-based, out of {@code totalSteps}
 * @param epoch           1-based, out of {@code epochs}
 * @param loss            mean cross-entropy per target token of this step's batch, in nats
 * @param gradNorm        global gradient norm before clipping
 * @param tokensPerSecond tokens through the model (forward and backward) per second during this step
 */
public record TrainingProgress(int step, int totalSteps, int epoch, int epochs, double loss, double learningRate,
                               double gradNorm, double tokensPerSecond, long tokensSeen) {}
