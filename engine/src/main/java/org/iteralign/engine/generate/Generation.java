package org.iteralign.engine.generate;

/**
 * One sequence's output.
 *
 * @param tokens     the generated ids, without the prompt and without an end-of-generation token; when a
 *                   stop string ended it, up to and including the token that completed the stop string
 * @param stopString the stop string that ended it, or null
 */
public record Generation(int[] tokens, FinishReason finishReason, String stopString) {

    public enum FinishReason {
        /** An end-of-generation token. */
        END_OF_GENERATION,
        /** A stop string appeared in the text. */
        STOP_STRING,
        /** maxTokens were generated. */
        MAX_TOKENS,
        /** The model's context length was reached. */
        CONTEXT_FULL
    }

    public Generation {
        tokens = tokens.clone();
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }
}
