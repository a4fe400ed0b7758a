package org.iteralign.core.eval;

/**
 * One evaluation: its data and settings are given when it is built ({@link EvalSuites#create}), the models
 * when it runs, so a run can evaluate every iteration's model with the same suite objects.
 */
public interface EvalSuite {
    /** The name in {@code eval.json} and on the command line, e.g. {@code truthfulqa-mc}. */
    String name();

    /** Whether {@link #run} needs {@link EvalModels#scorer()} (log-likelihood) rather than generation. */
    boolean needsScorer();

    SuiteResult run(EvalModels models);
}
