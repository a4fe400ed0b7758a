package org.iteralign.engine.generate;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/** Chooses one sequence's tokens: penalties, then greedy or top-k / temperature / top-p sampling. */
final class Sampler {
    private final SamplingParams params;
    private final SplittableRandom random;
    private final Map<Integer, Integer> generated = new HashMap<>();

    Sampler(SamplingParams params, int sequence) {
        this.params = params;
        // A distinct, reproducible stream per sequence (golden-ratio spacing keeps the seeds apart).
        this.random = new SplittableRandom(params.seed() + 0x9E3779B97F4A7C15L * (sequence + 1));
    }

    /** Picks the next token from {@code logits} (left unchanged) and remembers it for the penalties. */
    int next(float[] logits) {
        float[] l = logits;
        if (!generated.isEmpty() && (params.frequencyPenalty() != 0 || params.presencePenalty() != 0)) {
            l = logits.clone();
            for (Map.Entry<Integer, Integer> e : generated.entrySet()) {
                l[e.getKey()] -= e.getValue() * params.frequencyPenalty() + params.presencePenalty();
            }
        }
        int token = params.isGreedy() ? argmax(l) : sample(l);
        generated.merge(token, 1, Integer::sum);
        return token;
    }

    static int argmax(float[] l) {
        int best = 0;
        for (int i = 1; i < l.length; i++) {
            if (l[i] > l[best]) {
                best = i;
            }
        }
        return best;
    }

    private int sample(float[] l) {
        int[] candidates = params.topK() > 0 ? topK(l, params.topK()) : allIndices(l.length);
        float max = Float.NEGATIVE_INFINITY;
        for (int c : candidates) {
            max = Math.max(max, l[c]);
        }
        double[] w = new double[candidates.length];
        double sum = 0;
        for (int i = 0; i < candidates.length; i++) {
            w[i] = Math.exp((l[candidates[i]] - max) / params.temperature());
            sum += w[i];
        }
        if (params.topP() >= 1) {
            return draw(candidates, w, sum);
        }
        // A token below (1 - topP) / n of the mass can never be in the nucleus (all such tokens together
        // hold less than 1 - topP), so only the rest needs sorting.
        double floor = (1 - params.topP()) / candidates.length * sum;
        Integer[] order = IntStream.range(0, candidates.length)
                .filter(i -> w[i] >= floor).boxed().toArray(Integer[]::new);
        Arrays.sort(order, (a, b) -> w[a] != w[b] ? Double.compare(w[b], w[a]) : Integer.compare(a, b));
        double cumulative = 0;
        int n = 0;
        while (n < order.length && cumulative < params.topP() * sum) {
            cumulative += w[order[n]];
            n++;
        }
        int[] nucleus = new int[n];
        double[] nw = new double[n];
        for (int i = 0; i < n; i++) {
            nucleus[i] = candidates[order[i]];
            nw[i] = w[order[i]];
        }
        return draw(nucleus, nw, cumulative);
    }

    private int draw(int[] tokens, double[] weights, double total) {
        double u = random.nextDouble() * total;
        for (int i = 0; i < tokens.length; i++) {
            u -= weights[i];
            if (u < 0) {
                return tokens[i];
            }
        }
        return tokens[tokens.length - 1];
    }

    private static int[] allIndices(int n) {
        int[] a = new int[n];
        Arrays.setAll(a, i -> i);
        return a;
    }

    /** The k highest logits, highest first, ties broken by the lower id. */
    static int[] topK(float[] l, int k) {
        int n = Math.min(k, l.length);
        float[] sorted = l.clone();
        Arrays.sort(sorted);
        float threshold = sorted[sorted.length - n];
        Integer[] idx = IntStream.range(0, l.length).filter(i -> l[i] >= threshold)
                .boxed().toArray(Integer[]::new);
        Arrays.sort(idx, (a, b) -> l[a] != l[b] ? Float.compare(l[b], l[a]) : Integer.compare(a, b));
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = idx[i];
        }
        return out;
    }
}
