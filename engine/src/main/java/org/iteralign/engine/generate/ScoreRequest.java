package org.iteralign.engine.generate;

/** How likely is {@code continuation} after {@code context}? Both are token ids; the context is not empty. */
public record ScoreRequest(int[] context, int[] continuation) {
    public ScoreRequest {
        if (context.length == 0 || continuation.length == 0) {
            throw new IllegalArgumentException("context and continuation must each have at least one token");
        }
        context = context.clone();
        continuation = continuation.clone();
    }

    @Override
    public int[] context() {
        return context.clone();
    }

    @Override
    public int[] continuation() {
        return continuation.clone();
    }
}
