package org.iteralign.core.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * How often two scorers pick the same candidate. A disagreement's margin, in each scorer, is how far its own pick
 * is ahead of the other scorer's pick: a small margin in either says the two only fell on different sides of a
 * near tie, which numerical differences between two correct implementations can do.
 */
record ChoiceAgreement(int items, List<Disagreement> disagreements) {
    record Disagreement(int item, int ourPick, int referencePick, double ourMargin, double referenceMargin) {
        double smallerMargin() {
            return Math.min(ourMargin, referenceMargin);
        }
    }

    /** @param ours per item, our score of each candidate; {@code reference} the same from the other scorer */
    static ChoiceAgreement compare(List<double[]> ours, List<double[]> reference, ToIntFunction<double[]> pick) {
        if (ours.size() != reference.size()) throw new IllegalArgumentException(ours.size() + " vs " + reference.size() + " items");
        List<Disagreement> disagreements = new ArrayList<>();
        for (int i = 0; i < ours.size(); i++) {
            double[] a = ours.get(i);
            double[] b = reference.get(i);
            int ourPick = pick.applyAsInt(a);
            int referencePick = pick.applyAsInt(b);
            if (ourPick != referencePick) {
                disagreements.add(new Disagreement(i, ourPick, referencePick, a[ourPick] - a[referencePick], b[referencePick] - b[ourPick]));
            }
        }
        return new ChoiceAgreement(ours.size(), disagreements);
    }

    double agreement() {
        return items == 0 ? 0 : 1 - (double) disagreements.size() / items;
    }
}
