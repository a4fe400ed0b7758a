package org.iteralign.core.eval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.iteralign.core.model.ScoreRequest;
import org.iteralign.core.model.ScoringModel;

/**
 * Passes every batch to a real scorer and keeps the requests and their scores in order, as a suite made them:
 * what benchmarks hand to a peer and agreement tests compare. Not thread-safe; suites score one batch at a time.
 */
public final class RecordingScorer implements ScoringModel {
    private final List<ScoreRequest> requests = new ArrayList<>();
    private final List<Double> scores = new ArrayList<>();
    private final ScoringModel scorer;

    public RecordingScorer(ScoringModel scorer) {
        this.scorer = scorer;
    }

    @Override
    public String id() {
        return scorer.id();
    }

    @Override
    public double[] logLikelihood(List<ScoreRequest> batch) {
        double[] out = scorer.logLikelihood(batch);
        requests.addAll(batch);
        for (double s : out) scores.add(s);
        return out;
    }

    /** Every request scored so far, in order. */
    public List<ScoreRequest> requests() {
        return Collections.unmodifiableList(requests);
    }

    /** The scores of requests {@code from} (inclusive) to {@code to} (exclusive). */
    public double[] scores(int from, int to) {
        return scores.subList(from, to).stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Every score so far, in request order. */
    public double[] scores() {
        return scores(0, scores.size());
    }
}
