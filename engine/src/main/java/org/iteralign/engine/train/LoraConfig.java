package org.iteralign.engine.train;

import java.util.EnumSet;
import java.util.Set;

/**
 * How to fine-tune: the adapter's shape and the optimiser's settings. {@link #defaults()} follows common
 * PEFT/TRL practice for small models (rank 16, alpha 32, dropout 0.05, AdamW at 2e-4 with a cosine
 * schedule after a 3% warm-up, gradients clipped to norm 1).
 *
 * @param batchSize        sequences per optimiser step; their gradients are accumulated over micro-batches
 * @param microBatchTokens most tokens run through the model at once (activations take about 1 MB a token
 *                         for SmolLM2-135M); a longer sequence runs alone
 * @param warmupFraction   share of the optimiser steps over which the learning rate rises linearly from 0
 * @param checkpointEvery  optimiser steps between checkpoints in the output folder (0: none)
 */
public record LoraConfig(
        int rank,
        float alpha,
        float dropout,
        Set<Projection> targets,
        float learningRate,
        int epochs,
        int maxLength,
        int batchSize,
        int microBatchTokens,
        float warmupFraction,
        float weightDecay,
        float maxGradNorm,
        long seed,
        int checkpointEvery) {

    public LoraConfig {
        targets = Set.copyOf(targets);
        if (rank < 1 || alpha <= 0 || !(dropout >= 0 && dropout < 1) || targets.isEmpty()) {
            throw new IllegalArgumentException("LoRA needs rank >= 1, alpha > 0, 0 <= dropout < 1 and a target; got rank "
                    + rank + ", alpha " + alpha + ", dropout " + dropout + ", targets " + targets);
        }
        if (!(learningRate > 0) || epochs < 1 || maxLength < 2 || batchSize < 1 || microBatchTokens < 1
                || !(warmupFraction >= 0 && warmupFraction < 1) || weightDecay < 0 || !(maxGradNorm > 0)
                || checkpointEvery < 0) {
            throw new IllegalArgumentException("bad training settings: " + this);
        }
    }

    public static LoraConfig defaults() {
        return new LoraConfig(16, 32, 0.05f, EnumSet.allOf(Projection.class), 2e-4f, 3, 512, 8, 1024,
                0.03f, 0, 1, 42, 0);
    }

    /** alpha / rank: the factor LoRA's update B·A is multiplied by. */
    public float scale() {
        return alpha / rank;
    }

    public LoraConfig withRank(int rank, float alpha) {
        return new LoraConfig(rank, alpha, dropout, targets, learningRate, epochs, maxLength, batchSize,
                microBatchTokens, warmupFraction, weightDecay, maxGradNorm, seed, checkpointEvery);
    }

    public LoraConfig withDropout(float dropout) {
        return new LoraConfig(rank, alpha, dropout, targets, learningRate, epochs, maxLength, batchSize,
                microBatchTokens, warmupFraction, weightDecay, maxGradNorm, seed, checkpointEvery);
    }

    public LoraConfig withTargets(Set<Projection> targets) {
        return new LoraConfig(rank, alpha, dropout, targets, learningRate, epochs, maxLength, batchSize,
                microBatchTokens, warmupFraction, weightDecay, maxGradNorm, seed, checkpointEvery);
    }

    public LoraConfig withLearningRate(float learningRate) {
        return new LoraConfig(rank, alpha, dropout, targets, learningRate, epochs, maxLength, batchSize,
                microBatchTokens, warmupFraction, weightDecay, maxGradNorm, seed, checkpointEvery);
    }

    public LoraConfig withEpochs(int epochs) {
        return new LoraConfig(rank, alpha, dropout, targets, learningRate, epochs, maxLength, batchSize,
                microBatchTokens, warmupFraction, weightDecay, maxGradNorm, seed, checkpointEvery);
    }

    public LoraConfig withMaxLength(int maxLength) {
        return new LoraConfig(rank, alpha, dropout, targets, learningRate, epochs, maxLength, batchSize,
                microBatchTokens, warmupFraction, weightDecay, maxGradNorm, seed, checkpointEvery);
    }

    public LoraConfig withBatch(int batchSize, int microBatchTokens) {
        return new LoraConfig(rank, alpha, dropout, targets, learningRate, epochs, maxLength, batchSize,
                microBatchTokens, warmupFraction, weightDecay, maxGradNorm, seed, checkpointEvery);
    }

    public LoraConfig withSchedule(float warmupFraction, float weightDecay, float maxGradNorm) {
        return new LoraConfig(rank, alpha, dropout, targets, learningRate, epochs, maxLength, batchSize,
                microBatchTokens, warmupFraction, weightDecay, maxGradNorm, seed, checkpointEvery);
    }

    public LoraConfig withSeed(long seed) {
        return new LoraConfig(rank, alpha, dropout, targets, learningRate, epochs, maxLength, batchSize,
                microBatchTokens, warmupFraction, weightDecay, maxGradNorm, seed, checkpointEvery);
    }

    public LoraConfig withCheckpointEvery(int steps) {
        return new LoraConfig(rank, alpha, dropout, targets, learningRate, epochs, maxLength, batchSize,
                microBatchTokens, warmupFraction, weightDecay, maxGradNorm, seed, steps);
    }
}
