package org.iteralign.core.constitution;

import java.util.List;

/** One time the oracle proposed a principle: in which iteration, in what words, from which red-team cases. */
public record Proposal(int iteration, String text, List<String> caseIds) {
    public Proposal {
        caseIds = List.copyOf(caseIds);
    }
}
