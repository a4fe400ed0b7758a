package org.iteralign.core.eval;

import java.util.ArrayList;
import java.util.List;

import org.iteralign.core.model.ScoreRequest;
import org.iteralign.core.model.ScoringModel;

/**
 * Scores the requests of many items a few items per call: every request of an item goes in the same call,
 * next to each other, so a backend can share the item's prompt prefix; a call is never so big that an
 * interruption loses much.
 */
final class BatchedScoring {
    static final int ITEMS_PER_CALL = 8;

    private BatchedScoring() {}

    /** @return for each item, the log-likelihoods of its requests in order */
    static List<double[]> score(ScoringModel scorer, List<List<ScoreRequest>> perItem) {
        List<double[]> out = new ArrayList<>(perItem.size());
        for (int start = 0; start < perItem.size(); start += ITEMS_PER_CALL) {
            List<List<ScoreRequest>> chunk = perItem.subList(start, Math.min(perItem.size(), start + ITEMS_PER_CALL));
            double[] all = scorer.logLikelihood(chunk.stream().flatMap(List::stream).toList());
            if (all.length != chunk.stream().mapToInt(List::size).sum()) {
                throw new IllegalStateException(scorer.id() + " returned " + all.length + " scores for "
                        + chunk.stream().mapToInt(List::size).sum() + " requests");
            }
            int at = 0;
            for (List<ScoreRequest> item : chunk) {
                double[] scores = new double[item.size()];
                System.arraycopy(all, at, scores, 0, scores.length);
                at += scores.length;
                out.add(scores);
            }
        }
        return out;
    }

    static <T> List<T> first(List<T> items, int limit) {
        return limit > 0 && limit < items.size() ? items.subList(0, limit) : items;
    }
}
