package org.iteralign.core.eval;

import org.iteralign.core.model.ChatModel;
import org.iteralign.core.model.ScoringModel;

/**
 * The models a suite may use: the target as a chat model (generation suites) and as a scorer
 * (log-likelihood suites), and the oracle that judges answers. Any may be null when no suite needs it.
 */
public record EvalModels(ChatModel target, ScoringModel scorer, ChatModel oracle) {

    ScoringModel requireScorer(String suite) {
        if (scorer == null) throw new IllegalStateException("suite " + suite + " needs a scoring model");
        return scorer;
    }

    ChatModel requireTarget(String suite) {
        if (target == null) throw new IllegalStateException("suite " + suite + " needs the target chat model");
        return target;
    }
}
