package org.iteralign.core.eval;

import java.util.List;

/**
 * One TruthfulQA question with its MC1 candidates (exactly one correct, listed first in the data) and its MC2
 * candidates (any number correct, listed before the incorrect ones), in file order.
 */
public record TruthfulQaItem(String question, List<LabelledAnswer> mc1, List<LabelledAnswer> mc2) {
    public TruthfulQaItem {
        mc1 = List.copyOf(mc1);
        mc2 = List.copyOf(mc2);
    }
}
