package org.iteralign.core.eval;

import java.util.List;

/**
 * One binary HHH comparison: a conversation ({@code input}, whose last turn the assistant answers) and two
 * candidate answers, one correct. {@code subset} is the BIG-bench task (harmless, helpful, honest, other) or
 * {@code anthropic} for the 438 comparisons of Anthropic's release.
 */
public record HhhItem(String subset, String input, List<LabelledAnswer> candidates) {
    public HhhItem {
        candidates = List.copyOf(candidates);
        if (candidates.size() != 2 || candidates.stream().filter(LabelledAnswer::correct).count() != 1) {
            throw new IllegalArgumentException("an HHH item needs two candidates, exactly one correct");
        }
    }
}
