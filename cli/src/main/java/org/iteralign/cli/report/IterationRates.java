package org.iteralign.cli.report;

import java.util.OptionalDouble;

/**
 * How often one iteration's answers were judged negative: the red-team responses ("before"), and the revisions
 * after self-reflection ("after"), which are judged only when {@code verify_revisions} is on.
 */
record IterationRates(int iteration, long responses, long negatives, long unparsed, long revisions,
                      long revisionsJudged, long revisionsNegative, long revisionsUnparsed) {

    OptionalDouble before() {
        return responses == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) negatives / responses);
    }

    OptionalDouble after() {
        return revisionsJudged == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) revisionsNegative / revisionsJudged);
    }

    /** Revisions were written but none judged: the run had {@code verify_revisions: false}. */
    boolean revisionsUnverified() {
        return revisions > 0 && revisionsJudged == 0;
    }
}
