package org.iteralign.engine.generate;

import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * When a sequence ends: after {@code maxTokens} generated tokens, at an end-of-generation token (not
 * included in the output), or once the decoded text contains one of {@code stopStrings}.
 *
 * @param pieces decodes one token id to its text piece; needed only when there are stop strings
 *               (byte-level pieces that split a character may decode to replacement characters, which
 *               never match a stop string, so stop strings should be whole characters)
 */
public record StopCondition(int maxTokens, Set<Integer> endOfGeneration, List<String> stopStrings,
                            IntFunction<String> pieces) {

    public StopCondition {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1, is " + maxTokens);
        }
        endOfGeneration = Set.copyOf(endOfGeneration);
        stopStrings = List.copyOf(stopStrings);
        if (stopStrings.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("empty stop string");
        }
        if (!stopStrings.isEmpty() && pieces == null) {
            throw new IllegalArgumentException("stop strings need a token decoder");
        }
    }

    public static StopCondition maxTokens(int maxTokens, Set<Integer> endOfGeneration) {
        return new StopCondition(maxTokens, endOfGeneration, List.of(), null);
    }
}
