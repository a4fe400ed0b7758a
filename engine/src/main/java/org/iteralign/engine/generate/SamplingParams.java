package org.iteralign.engine.generate;

/**
 * How the next token is chosen, with OpenAI's meanings: {@code temperature} 0 is greedy (argmax);
 * {@code topK} 0 and {@code topP} 1 switch those filters off; the penalties subtract
 * {@code count * frequencyPenalty + (count > 0 ? presencePenalty : 0)} from a token's logit, counting
 * the tokens generated so far (not the prompt). Sequence i of a batch draws from its own random stream,
 * derived from {@code seed} and i.
 */
public record SamplingParams(float temperature, float topP, int topK, float frequencyPenalty, float presencePenalty,
                             long seed) {

    public SamplingParams {
        if (!(temperature >= 0) || !(topP > 0 && topP <= 1) || topK < 0
                || !Float.isFinite(frequencyPenalty) || !Float.isFinite(presencePenalty)) {
            throw new IllegalArgumentException("bad sampling parameters: " + temperature + ", top_p " + topP
                    + ", top_k " + topK + ", penalties " + frequencyPenalty + "/" + presencePenalty);
        }
    }

    public static SamplingParams greedy() {
        return new SamplingParams(0, 1, 0, 0, 0, 0);
    }

    public static SamplingParams of(float temperature, float topP, long seed) {
        return new SamplingParams(temperature, topP, 0, 0, 0, seed);
    }

    public SamplingParams withTopK(int k) {
        return new SamplingParams(temperature, topP, k, frequencyPenalty, presencePenalty, seed);
    }

    public SamplingParams withPenalties(float frequency, float presence) {
        return new SamplingParams(temperature, topP, topK, frequency, presence, seed);
    }

    public boolean isGreedy() {
        return temperature == 0;
    }
}
