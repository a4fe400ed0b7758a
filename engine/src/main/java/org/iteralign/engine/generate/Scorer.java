package org.iteralign.engine.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.iteralign.engine.model.KvCache;
import org.iteralign.engine.model.LlamaModel;
import org.iteralign.engine.tensor.FloatArrays;

/**
 * Log-likelihood of continuations, as multiple-choice evaluation needs. Requests with the same context
 * share one pass over it: its KV cache is computed once and copied for each candidate, and all
 * candidates then run as one batch. Contexts also share their leading tokens with the last few contexts
 * scored, in this call or an earlier one, so a few-shot preamble runs once per evaluation, not per question.
 * Not thread-safe.
 */
public final class Scorer {
    /** Rows per forward pass, bounding the memory of the logits kept for scoring. */
    static final int MAX_ROWS = 256;
    /** Memory the kept prefixes may hold beyond the newest one: 256 MB, or an eighth of a smaller heap. */
    static final long PREFIX_BUDGET_BYTES = Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 8);

    private final LlamaModel model;
    private final PrefixCache prefixes = new PrefixCache(PREFIX_BUDGET_BYTES);
    private long tokensRun;

    public Scorer(LlamaModel model) {
        this.model = model;
    }

    /** Tokens this scorer has run through the model so far: what scoring cost after all the sharing. */
    public long tokensRun() {
        return tokensRun;
    }

    public List<Score> logLikelihood(List<ScoreRequest> requests) {
        Map<List<Integer>, List<Integer>> byContext = new LinkedHashMap<>();
        for (int i = 0; i < requests.size(); i++) {
            byContext.computeIfAbsent(boxed(requests.get(i).context()), k -> new ArrayList<>()).add(i);
        }
        Score[] scores = new Score[requests.size()];
        for (List<Integer> group : byContext.values()) {
            int[] context = requests.get(group.get(0)).context();
            PrefixCache.Hit hit = prefixes.longestPrefix(context, model::newCache);
            KvCache shared = hit.cache();
            int[] rest = Arrays.copyOfRange(context, hit.length(), context.length);
            float[] afterContext = model.forward(List.of(shared), List.of(rest), LlamaModel.Logits.LAST).get(0)[0];
            prefixes.put(context, shared);
            tokensRun += rest.length;
            scoreCandidates(requests, group, shared, afterContext, scores);
        }
        return Arrays.asList(scores);
    }

    private void scoreCandidates(List<ScoreRequest> requests, List<Integer> all, KvCache shared,
                                 float[] afterContext, Score[] scores) {
        // A one-token continuation needs only the context's logits: no copy of the cache, no pass.
        List<Integer> group = new ArrayList<>();
        for (int i : all) {
            if (requests.get(i).continuation().length == 1) {
                scores[i] = score(requests.get(i).continuation(), afterContext, null);
            } else {
                group.add(i);
            }
        }
        int start = 0;
        while (start < group.size()) {
            List<KvCache> caches = new ArrayList<>();
            List<int[]> feeds = new ArrayList<>();
            int rows = 0;
            int end = start;
            while (end < group.size()) {
                int len = requests.get(group.get(end)).continuation().length - 1;
                if (end > start && rows + len > MAX_ROWS) {
                    break;
                }
                int[] cont = requests.get(group.get(end)).continuation();
                // The last continuation token is only scored, never fed.
                feeds.add(Arrays.copyOf(cont, cont.length - 1));
                caches.add(shared.copy());
                rows += len;
                end++;
                tokensRun += len;
            }
            List<float[][]> logits = model.forward(caches, feeds, LlamaModel.Logits.ALL);
            for (int j = 0; j < end - start; j++) {
                int i = group.get(start + j);
                scores[i] = score(requests.get(i).continuation(), afterContext, logits.get(j));
            }
            start = end;
        }
    }

    /** @param fed the logits after each fed continuation token but the last */
    private static Score score(int[] continuation, float[] afterContext, float[][] fed) {
        double sum = 0;
        boolean greedy = true;
        for (int t = 0; t < continuation.length; t++) {
            float[] l = t == 0 ? afterContext : fed[t - 1];
            sum += FloatArrays.logSoftmax(l, continuation[t]);
            greedy &= Sampler.argmax(l) == continuation[t];
        }
        return new Score(sum, greedy);
    }

    private static List<Integer> boxed(int[] a) {
        return Arrays.stream(a).boxed().toList();
    }
}
