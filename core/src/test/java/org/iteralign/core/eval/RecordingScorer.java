package org.iteralign.core.eval;

import java.util.ArrayList;
import java.util.List;

import org.iteralign.core.model.ScoreRequest;
import org.iteralign.core.model.ScoringModel;

/** Passes every batch to a real scorer and keeps the requests and their scores in order, as a suite made them. */
final class RecordingScorer implements ScoringModel {
    final List<ScoreRequest> requests = new ArrayList<>();
    private final List<Double> scores = new ArrayList<>();
    private final ScoringModel scorer;

    RecordingScorer(ScoringModel scorer) {
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

    /** The scores of requests {@code from} (inclusive) to {@code to} (exclusive). */
    double[] scores(int from, int to) {
        return scores.subList(from, to).stream().mapToDouble(Double::doubleValue).toArray();
    }
}
