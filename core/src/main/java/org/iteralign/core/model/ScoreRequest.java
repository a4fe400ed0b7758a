package org.iteralign.core.model;

import java.util.Objects;

/**
 * One log-likelihood question: how likely is {@code continuation} right after {@code context}? The two are
 * scored as one text, so a continuation normally starts with the space that separates it from the context
 * (" true", " A", " Paris"), as in lm-evaluation-harness.
 */
public record ScoreRequest(String context, String continuation) {
    public ScoreRequest {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(continuation, "continuation");
        if (context.isEmpty()) throw new IllegalArgumentException("a score request needs a non-empty context");
        if (continuation.isEmpty()) throw new IllegalArgumentException("a score request needs a non-empty continuation");
    }
}
