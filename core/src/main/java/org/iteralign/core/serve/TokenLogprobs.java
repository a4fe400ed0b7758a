package org.iteralign.core.serve;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.iteralign.engine.model.KvCache;
import org.iteralign.engine.model.LlamaModel;

/**
 * The log-probability of every token of some sequences given the tokens before it, with the most likely
 * alternatives, from one pass over each whole sequence. The batched generator reports which tokens it chose,
 * not the distributions they came from, so answers that ask for logprobs are read again this way; the engine
 * computes each row the same whatever else is in the batch, so these are the model's distributions at each step
 * (before temperature and penalties, as OpenAI reports them).
 */
final class TokenLogprobs {
    /** Logit rows per forward pass: a row is a whole vocabulary of floats, so this bounds the memory. */
    private static final int MAX_ROWS = 128;

    /** One token with its log-probability and, most likely first, the {@code top} best tokens at its position. */
    record Scored(int token, double logprob, List<Alternative> top) {}

    record Alternative(int token, double logprob) {}

    private final LlamaModel model;

    TokenLogprobs(LlamaModel model) {
        this.model = model;
    }

    /**
     * @return per sequence, one entry per token after the first (the first has nothing to be conditioned on):
     *         entry i scores token i + 1
     */
    List<List<Scored>> score(List<int[]> sequences, int top) {
        int n = sequences.size();
        List<List<Scored>> out = new ArrayList<>(n);
        List<KvCache> caches = new ArrayList<>(n);
        int[] fed = new int[n];
        for (int[] ignored : sequences) {
            out.add(new ArrayList<>());
            caches.add(model.newCache());
        }
        while (true) {
            List<Integer> which = new ArrayList<>();
            List<int[]> feeds = new ArrayList<>();
            int rows = 0;
            // The last token of a sequence is only scored, never fed.
            for (int s = 0; s < n && rows < MAX_ROWS; s++) {
                int remaining = sequences.get(s).length - 1 - fed[s];
                if (remaining <= 0) continue;
                int take = Math.min(remaining, MAX_ROWS - rows);
                which.add(s);
                feeds.add(Arrays.copyOfRange(sequences.get(s), fed[s], fed[s] + take));
                rows += take;
            }
            if (which.isEmpty()) return out;
            List<float[][]> logits = model.forward(which.stream().map(caches::get).toList(), feeds, LlamaModel.Logits.ALL);
            for (int j = 0; j < which.size(); j++) {
                int s = which.get(j);
                for (float[] row : logits.get(j)) {
                    fed[s]++;
                    out.get(s).add(scored(row, sequences.get(s)[fed[s]], top));
                }
            }
        }
    }

    private static Scored scored(float[] logits, int token, int top) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : logits) max = Math.max(max, v);
        double sum = 0;
        for (float v : logits) sum += Math.exp(v - max);
        double logZ = max + Math.log(sum);
        List<Alternative> best = new ArrayList<>(top);
        for (int id : topIds(logits, top)) best.add(new Alternative(id, logits[id] - logZ));
        return new Scored(token, logits[token] - logZ, best);
    }

    /** The {@code k} highest logits' ids, highest first, ties to the lower id; k is small, so insertion suffices. */
    static int[] topIds(float[] logits, int k) {
        int[] ids = new int[Math.min(k, logits.length)];
        int size = 0;
        for (int id = 0; id < logits.length; id++) {
            if (size == ids.length && (size == 0 || logits[id] <= logits[ids[size - 1]])) continue;
            int at = size == ids.length ? size - 1 : size++;
            while (at > 0 && logits[ids[at - 1]] < logits[id]) {
                ids[at] = ids[at - 1];
                at--;
            }
            ids[at] = id;
        }
        return ids;
    }
}
