package org.iteralign.core.constitution;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * A principle of the library: its id ({@code C001}, ...), its text as first proposed, and every proposal
 * that produced it or was merged into it, first one first.
 */
public record Principle(String id, String text, List<Proposal> proposals) {
    public Principle {
        proposals = List.copyOf(proposals);
        if (proposals.isEmpty()) throw new IllegalArgumentException("a principle needs the proposal that produced it");
    }

    public int firstIteration() {
        return proposals.getFirst().iteration();
    }

    public int timesProposed() {
        return proposals.size();
    }

    /** Every red-team prompt id behind this principle, over all its proposals, in order of first appearance. */
    public List<String> caseIds() {
        LinkedHashSet<String> ids = new LinkedHashSet<>();
        for (Proposal p : proposals) ids.addAll(p.caseIds());
        return List.copyOf(ids);
    }

    Principle with(Proposal again) {
        List<Proposal> all = new ArrayList<>(proposals);
        all.add(again);
        return new Principle(id, text, all);
    }
}
