package org.iteralign.bench;

import java.util.ArrayList;
import java.util.List;

import org.iteralign.core.model.ScoreRequest;
import org.iteralign.core.model.ScoringModel;

/** Passes every batch to the engine and keeps the requests and scores, so the peer can be given the same work. */
final class RecordingScorer implements ScoringModel {
    final List<ScoreRequest> requests = new ArrayList<>();
    final List<Double> scores = new ArrayList<>();
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
}
