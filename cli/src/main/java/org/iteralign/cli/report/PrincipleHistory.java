package org.iteralign.cli.report;

import java.util.List;

/**
 * A principle of the constitution library with its provenance: the iteration of each time the oracle proposed
 * it, and the red-team cases (prompt and the negative response) it was proposed from.
 */
record PrincipleHistory(String id, String text, List<Integer> proposedIn, List<Case> cases) {
    PrincipleHistory {
        proposedIn = List.copyOf(proposedIn);
        cases = List.copyOf(cases);
    }

    record Case(int iteration, String promptId, String prompt, String response) {}

    int firstIteration() {
        return proposedIn.getFirst();
    }

    long timesProposedIn(int iteration) {
        return proposedIn.stream().filter(i -> i == iteration).count();
    }
}
