package org.iteralign.engine.generate;

import java.util.ArrayList;
import java.util.List;
import org.iteralign.engine.model.KvCache;
import org.iteralign.engine.model.LlamaModel;

/**
 * Generates continuations of many prompts together. Prompts are prefilled in groups of at most
 * {@link #PREFILL_ROWS} tokens; then every step feeds the last token of all unfinished sequences
 * through the model at once, so the weights are read once per step for the whole batch. Because the
 * model computes each row independently of the batch, a prompt's greedy output is the same alone or
 * in any batch.
 */
public final class Generator {
    /** Tokens per prefill pass: large enough to amortise reading the weights, small enough for memory. */
    static final int PREFILL_ROWS = 512;

    private final LlamaModel model;

    public Generator(LlamaModel model) {
        this.model = model;
    }

    public List<Generation> generate(List<int[]> prompts, SamplingParams sampling, StopCondition stop) {
        return generate(prompts, sampling, stop, TokenListener.NONE);
    }

    /**
     * @return one result per prompt, in order
     * @throws IllegalArgumentException for an empty prompt, a token id outside the vocabulary, or a
     *                                  prompt longer than the model's context
     */
    public List<Generation> generate(List<int[]> prompts, SamplingParams sampling, StopCondition stop,
                                     TokenListener listener) {
        int n = prompts.size();
        List<Sequence> seqs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (prompts.get(i).length == 0) {
                throw new IllegalArgumentException("prompt " + i + " is empty (give at least a BOS token)");
            }
            seqs.add(new Sequence(i, model.newCache(), new Sampler(sampling, i), stop));
        }
        List<float[]> first = prefill(prompts, seqs);
        List<Sequence> active = new ArrayList<>();
        for (Sequence s : seqs) {
            if (s.accept(first.get(s.index), listener)) {
                active.add(s);
            }
        }
        while (!active.isEmpty()) {
            List<KvCache> caches = new ArrayList<>(active.size());
            List<int[]> tokens = new ArrayList<>(active.size());
            for (Sequence s : active) {
                caches.add(s.cache);
                tokens.add(new int[] {s.last});
            }
            List<float[][]> logits = model.forward(caches, tokens, LlamaModel.Logits.LAST);
            List<Sequence> still = new ArrayList<>(active.size());
            for (int i = 0; i < active.size(); i++) {
                if (active.get(i).accept(logits.get(i)[0], listener)) {
                    still.add(active.get(i));
                }
            }
            active = still;
        }
        return seqs.stream().map(Sequence::result).toList();
    }

    /** Runs all prompts, a group at a time; returns the logits after each prompt's last token. */
    private List<float[]> prefill(List<int[]> prompts, List<Sequence> seqs) {
        List<float[]> last = new ArrayList<>(prompts.size());
        int start = 0;
        while (start < prompts.size()) {
            int end = start;
            int rows = 0;
            while (end < prompts.size() && (end == start || rows + prompts.get(end).length <= PREFILL_ROWS)) {
                rows += prompts.get(end).length;
                end++;
            }
            List<KvCache> caches = seqs.subList(start, end).stream().map(s -> s.cache).toList();
            for (float[][] l : model.forward(caches, prompts.subList(start, end), LlamaModel.Logits.LAST)) {
                last.add(l[0]);
            }
            start = end;
        }
        return last;
    }

    /** One sequence's progress. */
    private static final class Sequence {
        final int index;
        final KvCache cache;
        final Sampler sampler;
        final StopCondition stop;
        final List<Integer> output = new ArrayList<>();
        final StringBuilder text = new StringBuilder();
        final int longestStop;
        int last;
        Generation.FinishReason reason;
        String stopString;

        Sequence(int index, KvCache cache, Sampler sampler, StopCondition stop) {
            this.index = index;
            this.cache = cache;
            this.sampler = sampler;
            this.stop = stop;
            this.longestStop = stop.stopStrings().stream().mapToInt(String::length).max().orElse(0);
        }

        /** Samples from {@code logits}; returns whether the sequence goes on. */
        boolean accept(float[] logits, TokenListener listener) {
            int token = sampler.next(logits);
            if (stop.endOfGeneration().contains(token)) {
                reason = Generation.FinishReason.END_OF_GENERATION;
                return false;
            }
            output.add(token);
            last = token;
            listener.onToken(index, token);
            if (longestStop > 0) {
                int from = Math.max(0, text.length() - longestStop + 1);
                text.append(stop.pieces().apply(token));
                for (String s : stop.stopStrings()) {
                    if (text.indexOf(s, from) >= 0) {
                        reason = Generation.FinishReason.STOP_STRING;
                        stopString = s;
                        return false;
                    }
                }
            }
            if (output.size() >= stop.maxTokens()) {
                reason = Generation.FinishReason.MAX_TOKENS;
                return false;
            }
            if (cache.length() >= cache.maxLength()) {
                reason = Generation.FinishReason.CONTEXT_FULL;
                return false;
            }
            return true;
        }

        Generation result() {
            return new Generation(output.stream().mapToInt(Integer::intValue).toArray(), reason, stopString);
        }
    }
}
