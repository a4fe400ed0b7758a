package org.iteralign.core.model;

import java.util.List;

/**
 * Decoding settings, with OpenAI's meanings: temperature 0 is greedy; the frequency penalty subtracts
 * {@code penalty * count(token in generated text)} from a token's logit, the presence penalty subtracts
 * {@code penalty} once a token has appeared.
 */
public record Sampling(double temperature, double topP, int topK, double frequencyPenalty, double presencePenalty,
                       int maxTokens, List<String> stop, long seed) {
    public Sampling {
        stop = List.copyOf(stop);
        if (maxTokens <= 0) throw new IllegalArgumentException("maxTokens must be positive");
    }

    /** Greedy decoding with no penalties and no stop strings. */
    public static Sampling greedy(int maxTokens) {
        return new Sampling(0.0, 1.0, 0, 0.0, 0.0, maxTokens, List.of(), 0L);
    }

    public Sampling withStop(List<String> newStop) {
        return new Sampling(temperature, topP, topK, frequencyPenalty, presencePenalty, maxTokens, newStop, seed);
    }

    public Sampling withFrequencyPenalty(double penalty) {
        return new Sampling(temperature, topP, topK, penalty, presencePenalty, maxTokens, stop, seed);
    }

    public Sampling withMaxTokens(int tokens) {
        return new Sampling(temperature, topP, topK, frequencyPenalty, presencePenalty, tokens, stop, seed);
    }
}
