package org.iteralign.core.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

import org.iteralign.core.model.ScoreRequest;
import org.iteralign.core.model.ScoringModel;

/** A scoring model for tests: scores come from a function of the request; every batch it is given is kept. */
final class TableScorer implements ScoringModel {
    final List<List<ScoreRequest>> batches = new ArrayList<>();
    private final ToDoubleFunction<ScoreRequest> score;

    TableScorer(ToDoubleFunction<ScoreRequest> score) {
        this.score = score;
    }

    @Override
    public String id() {
        return "table";
    }

    @Override
    public double[] logLikelihood(List<ScoreRequest> batch) {
        batches.add(List.copyOf(batch));
        return batch.stream().mapToDouble(score).toArray();
    }
}
