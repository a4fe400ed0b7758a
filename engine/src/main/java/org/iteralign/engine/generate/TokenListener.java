package org.iteralign.engine.generate;

/**
 * Streams tokens as they are generated. Called on the generating thread, in order per sequence;
 * end-of-generation tokens are not reported, tokens that complete a stop string are.
 */
@FunctionalInterface
public interface TokenListener {
    TokenListener NONE = (sequence, token) -> { };

    /** @param sequence the index of the prompt in the batch */
    void onToken(int sequence, int token);
}
