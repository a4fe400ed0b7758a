package org.iteralign.engine.tokenizer;

import java.util.Set;

/**
 * The ids a generator needs besides the text pieces. {@code endOfGeneration} always holds {@code eos}
 * (when there is one) and the end-of-turn tokens that chat models emit instead.
 */
record SpecialTokens(int bos, int eos, boolean addBos, Set<Integer> endOfGeneration) {
    SpecialTokens {
        endOfGeneration = Set.copyOf(endOfGeneration);
    }
}
