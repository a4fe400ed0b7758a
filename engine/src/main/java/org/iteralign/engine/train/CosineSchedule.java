package org.iteralign.engine.train;

/**
 * Linear warm-up then cosine decay to zero, as transformers' get_cosine_schedule_with_warmup with
 * TRL's warmup_ratio (warm-up steps = ceil(ratio * total)). Steps count from 0, so with warm-up the
 * first step's rate is 0, as there.
 */
record CosineSchedule(float peak, int totalSteps, int warmupSteps) {
    static CosineSchedule of(float peak, int totalSteps, float warmupFraction) {
        return new CosineSchedule(peak, totalSteps, (int) Math.ceil(warmupFraction * totalSteps));
    }

    float rate(int step) {
        if (step < warmupSteps) {
            return peak * step / warmupSteps;
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        return (float) (peak * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
}
